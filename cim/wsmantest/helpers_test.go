package wsmantest

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// fixtureDir returns the captured fixtures' directory (CIMSH_FIXTURES),
// skipping the test when it is unset (failing under CIMSH_STRICT=1).
func fixtureDir(t testing.TB) string {
	t.Helper()
	return testenv.Fixtures(t)
}

// fixture reads a captured file, applying old/new replacement pairs.
func readFixture(t testing.TB, name string, replace ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir(t), name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	s := string(b)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(s, replace[i]) {
			t.Fatalf("fixture %s does not contain %q", name, replace[i])
		}
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	return []byte(s)
}

// reply is an HTTP answer.
type reply struct {
	status int
	header http.Header
	body   []byte
	root   *node // the parsed envelope (nil when the body is not XML)
}

// post sends a SOAP envelope to the server over real HTTP.
func post(t testing.TB, s *Server, body []byte, header ...string) reply {
	t.Helper()
	return postWith(t, http.DefaultClient, s.URL(), body, header...)
}

func postWith(t testing.TB, c *http.Client, url string, body []byte, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: b}
	if len(b) > 0 {
		if root, err := parseXML(b); err == nil {
			r.root = root
		}
	}
	return r
}

// bodyElem returns the first child of the reply's SOAP Body.
func (r reply) bodyElem(t testing.TB) *node {
	t.Helper()
	if r.root == nil {
		t.Fatalf("reply (HTTP %d) is not XML: %.300s", r.status, r.body)
	}
	b := r.root.child(nsSOAP, "Body")
	if b == nil || len(b.Children) == 0 {
		t.Fatalf("reply has an empty body: %.300s", r.body)
	}
	return b.Children[0]
}

// header returns a SOAP header element's text.
func (r reply) headerText(name string) string {
	if r.root == nil {
		return ""
	}
	return r.root.child(nsSOAP, "Header").child(nsAddressing, name).text()
}

// subcode returns the fault subcode of a reply ("" when not a fault).
func (r reply) subcode() string {
	if r.root == nil {
		return ""
	}
	f := r.root.child(nsSOAP, "Body").child(nsSOAP, "Fault")
	return f.child(nsSOAP, "Code").child(nsSOAP, "Subcode").child(nsSOAP, "Value").text()
}

// envelope builds a request envelope with the usual headers.
func envelope(action, resourceURI, selectors, body string, extraHeaders ...string) []byte {
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:b="http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"><s:Header><a:To>http://localhost/wsman</a:To>`)
	b.WriteString(`<w:ResourceURI s:mustUnderstand="true">` + resourceURI + `</w:ResourceURI>`)
	b.WriteString(`<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>`)
	b.WriteString(`<a:Action s:mustUnderstand="true">` + action + `</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize>`)
	b.WriteString(`<a:MessageID>uuid:11111111-2222-3333-4444-555555555555</a:MessageID><w:OperationTimeout>PT60.000S</w:OperationTimeout>`)
	if selectors != "" {
		b.WriteString(`<w:SelectorSet>` + selectors + `</w:SelectorSet>`)
	}
	for _, h := range extraHeaders {
		b.WriteString(h)
	}
	b.WriteString(`</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`)
	return []byte(b.String())
}

func sel(name, value string) string {
	return `<w:Selector Name="` + name + `">` + value + `</w:Selector>`
}

// items returns the item elements of an EnumerateResponse or PullResponse.
func items(t testing.TB, resp *node) []*node {
	t.Helper()
	for _, c := range resp.Children {
		if c.Name.Local == "Items" {
			return c.Children
		}
	}
	return nil
}

// propText returns the trimmed text of a child element by local name
// ("<nil>" for xsi:nil, "<missing>" when absent).
func propText(n *node, name string) string {
	c := n.child("", name)
	if c == nil {
		return "<missing>"
	}
	if c.isNil() {
		return "<nil>"
	}
	if len(c.Children) == 1 && len(c.Children[0].Children) == 0 {
		return c.Children[0].text()
	}
	return c.text()
}
