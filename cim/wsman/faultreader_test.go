package wsman

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// tokens decodes every token of r, rendering them as text.
func tokens(r io.Reader) ([]string, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	var out []string
	for {
		t, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			s := "<" + t.Name.Space + " " + t.Name.Local
			for _, a := range t.Attr {
				s += fmt.Sprintf(" %s %s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			out = append(out, s+">")
		case xml.EndElement:
			out = append(out, "</"+t.Name.Local+">")
		case xml.CharData:
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], "text:") {
				out[len(out)-1] += string(t)
			} else {
				out = append(out, "text:"+string(t))
			}
		case xml.ProcInst:
			out = append(out, "<?"+t.Target+" "+string(t.Inst)+">")
		}
	}
}

// TestFaultReaderKeepsSmallDocuments: within its bounds faultReader
// hands the decoder the same document (comments aside).
func TestFaultReaderKeepsSmallDocuments(t *testing.T) {
	docs := []string{
		`<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="` + NsSOAP + `"><s:Body a='1' b = "x&amp;y&#65;&lt;"><s:Fault/></s:Body></s:Envelope>`,
		"<a>\n  <b x=\"é ✓ \U0001F600\">text &gt; with <![CDATA[<raw> & ]]> cdata</b><!-- a comment --><c/>\t</a>",
		`<a><b>one</b><!----><b>two<!-- x - y -->three</b></a>`,
	}
	for _, doc := range docs {
		want, err := tokens(strings.NewReader(strings.ReplaceAll(doc, "<!-- a comment -->", "")))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		got, err := tokens(newFaultReader(strings.NewReader(doc)))
		if err != nil {
			t.Errorf("%s: %v", doc, err)
			continue
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", doc, got, want)
		}
	}
}

// TestFaultReaderBounds: long texts, CDATA and attribute values are cut
// with their cut counted; control characters become stand-ins; what no
// fault needs is refused.
func TestFaultReaderBounds(t *testing.T) {
	long := strings.Repeat("é", 10000) // 20000 bytes
	tests := []struct {
		name, doc string
		text      string // the text of element t (or attribute v) before capping
		raw       int    // its length in the document (comments aside)
		err       error
	}{
		{"text", `<t>` + long + `</t>`, long, 20000, nil},
		{"cdata", `<t><![CDATA[` + long + `]]></t>`, long, 20000, nil},
		{"text and cdata in one run", `<t>` + long + `<![CDATA[` + long + `]]>` + long + `</t>`, long + long + long, 60000, nil},
		{"split by comments", `<t>` + strings.Repeat(`aaaaaaaaaa<!-- -->`, 1000) + `</t>`, strings.Repeat("a", 10000), 10000, nil},
		{"references whole", `<t>` + strings.Repeat("a", 4093) + `&amp;&amp;</t>`, strings.Repeat("a", 4093) + "&&", 4103, nil},
		{"controls", `<t>a&#1;b` + "\x02c&#x1B;</t>", "a\x01b\x02c\x1b", 0, nil},
		{"attribute", `<t v="` + long + `"/>`, long, 20000, nil},
		{"dtd", `<!DOCTYPE t [<!ENTITY x "y">]><t/>`, "", 0, nil},
		{"deep", strings.Repeat("<a>", faultMaxDepth+1) + strings.Repeat("</a>", faultMaxDepth+1), "", 0, errFaultTooLarge},
		{"many", "<a>" + strings.Repeat("<b/>", faultMaxElems) + "</a>", "", 0, errFaultTooLarge},
		{"attributes", "<a" + strings.Repeat(` x="1"`, faultMaxAttrs+1) + "/>", "", 0, errFaultTooLarge},
		{"name", "<" + strings.Repeat("n", faultMaxName+1) + "/>", "", 0, errFaultTooLarge},
	}
	for _, tt := range tests {
		d := xml.NewDecoder(newFaultReader(strings.NewReader(tt.doc)))
		d.Strict = true
		var got string
		var err error
		for {
			var tok xml.Token
			if tok, err = d.Token(); err != nil {
				break
			}
			if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "t" {
				if v, ok := attrStd(se, "", "v"); ok {
					got = capMarked(v)
					continue
				}
				p := &nsScopes{d: d}
				if got, err = p.text(); err != nil {
					break
				}
			}
		}
		switch {
		case tt.name == "dtd":
			if err == nil || err == io.EOF {
				t.Errorf("%s: read", tt.name)
			}
		case tt.err != nil:
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: err %v, want %v", tt.name, err, tt.err)
			}
		case err != io.EOF:
			t.Errorf("%s: %v", tt.name, err)
		case tt.raw == 0 && got != tt.text:
			t.Errorf("%s: %q, want %q", tt.name, got, tt.text)
		case tt.raw > 0 && !cutOf(got, tt.text, tt.raw):
			t.Errorf("%s: %d bytes %.40q...%q is not %d bytes of it cut", tt.name, len(got), got, got[max(0, len(got)-30):], tt.raw)
		case len(got) > MaxServerText:
			t.Errorf("%s: %d bytes", tt.name, len(got))
		}
	}
}

// TestFaultReaderStreams: a document far larger than the bounds is read
// through a small window: the reader never buffers a run.
func TestFaultReaderStreams(t *testing.T) {
	const n = 8 << 20
	doc := io.MultiReader(strings.NewReader("<t>"), io.LimitReader(repeatReader('x'), n), strings.NewReader("</t>"))
	out, err := io.ReadAll(newFaultReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) > 2*faultRunLimit || !bytes.HasSuffix(out, []byte(fmt.Sprintf("%d\U0010FF7E</t>", n-faultRunLimit))) {
		t.Errorf("%d bytes out, ending %q", len(out), out[max(0, len(out)-30):])
	}
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestCapText(t *testing.T) {
	tests := []struct {
		in    string
		cut   int64
		limit int
		want  string
	}{
		{"short", 0, 100, "short"},
		{strings.Repeat("a", 100), 0, 100, strings.Repeat("a", 100)},
		{strings.Repeat("a", 101), 0, 100, strings.Repeat("a", 83) + "...(18 bytes cut)"},
		{"abc", 5, 100, "abc...(5 bytes cut)"},
		{strings.Repeat("é", 60), 0, 40, strings.Repeat("é", 11) + "...(98 bytes cut)"},
		{strings.Repeat("a", 10), 1 << 40, 10, "...(1099511627786 bytes cut)"},
	}
	for _, tt := range tests {
		got := capText(tt.in, tt.cut, tt.limit)
		if got != tt.want {
			t.Errorf("capText(%d bytes, %d, %d) = %q, want %q", len(tt.in), tt.cut, tt.limit, got, tt.want)
		}
		if len(got) > tt.limit && !strings.HasPrefix(got, "...(") {
			t.Errorf("%q over %d bytes", got, tt.limit)
		}
	}
	if got := CapServerText(strings.Repeat("z", 1<<20)); len(got) > MaxServerText || !strings.HasSuffix(got, fmt.Sprintf("...(%d bytes cut)", 1<<20-strings.Count(got, "z"))) {
		t.Errorf("CapServerText: %d bytes ending %q", len(got), got[len(got)-30:])
	}
}

// cutOf reports whether got is a prefix of full, nearly MaxServerText
// long, followed by "...(N bytes cut)" with N the rest of raw bytes.
func cutOf(got, full string, raw int) bool {
	i := strings.LastIndex(got, "...(")
	if i < 0 || len(got) > MaxServerText || i < MaxServerText-40 || !strings.HasPrefix(full, got[:i]) {
		return false
	}
	return got[i:] == fmt.Sprintf("...(%d bytes cut)", raw-i)
}

// FuzzFaultReader: faultReader never fails on what it reads, and a
// small well-formed document (no DTD, within every bound) reaches the
// decoder unchanged but for comments and control characters.
func FuzzFaultReader(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><a x='1'><b>t&amp;<![CDATA[c]]></b><!--c--><c/></a>`))
	f.Add([]byte("<a>\x01&#2;</a>"))
	f.Add([]byte(`<a b="&#65;`))
	addFixtureSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, err := io.ReadAll(newFaultReader(bytes.NewReader(doc)))
		if err != nil && len(out) > len(doc)*4+64 {
			t.Fatalf("%d bytes out of %d", len(out), len(doc))
		}
		if len(doc) > faultRunLimit || hasDeclaration(doc) || hasRawControl(doc) || bytes.Contains(doc, []byte("&#")) {
			return
		}
		want, werr := tokens(bytes.NewReader(doc))
		if werr != nil {
			return
		}
		got, gerr := tokens(newFaultReader(bytes.NewReader(doc)))
		if gerr != nil || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%q:\n got %q (%v)\nwant %q", doc, got, gerr, want)
		}
	})
}

// hasDeclaration reports a "<!" that opens neither a comment nor a CDATA
// section (faultReader refuses DTDs and declarations).
func hasDeclaration(doc []byte) bool {
	for i := bytes.Index(doc, []byte("<!")); i >= 0; {
		rest := doc[i+2:]
		if !bytes.HasPrefix(rest, []byte("--")) && !bytes.HasPrefix(rest, []byte("[CDATA[")) {
			return true
		}
		j := bytes.Index(rest, []byte("<!"))
		if j < 0 {
			return false
		}
		i = i + 2 + j
	}
	return false
}

// TestDecodeFaultCapsEveryText: every text a fault carries into the
// error is at most MaxServerText bytes, its cut counted.
func TestDecodeFaultCapsEveryText(t *testing.T) {
	big := func(c string) string { return strings.Repeat(c, 10000) }
	body := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:w="` + NsWSMan + `" xmlns:f="` + NsWSManFault + `"><s:Body><s:Fault>` +
		`<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:` + big("S") + `</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">` + big("r") + `</s:Text></s:Reason><s:Detail>` +
		`<w:FaultDetail>` + big("d") + `</w:FaultDetail>` +
		`<f:WSManFault Code="2150858755" Machine="` + big("m") + `"><f:Message><f:ProviderFault>` + big("p") + `</f:ProviderFault></f:Message></f:WSManFault>` +
		`<p:MSFT_WmiError xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError"><p:CIMStatusCode>5</p:CIMStatusCode>` +
		`<p:Message>` + big("c") + `</p:Message><p:MessageID>` + big("i") + `</p:MessageID></p:MSFT_WmiError>` +
		`</s:Detail></s:Fault></s:Body></s:Envelope>`
	f := DecodeFault(500, []byte(body))
	if f.CIMStatus != 5 || f.WSManCode != 2150858755 || f.Code != "s:Receiver" {
		t.Fatalf("fault %+v", f)
	}
	for name, got := range map[string]string{"Subcode": f.Subcode, "Reason": f.Reason, "Detail": f.Detail, "Machine": f.Machine,
		"WSManMessage": f.WSManMessage, "CIMMessage": f.CIMMessage, "MessageID": f.MessageID} {
		if len(got) > MaxServerText || !strings.Contains(got, " bytes cut)") {
			t.Errorf("%s: %d bytes ending %q", name, len(got), got[max(0, len(got)-30):])
		}
	}
	if msg := f.Error(); len(msg) > MaxServerText+maxQName+200 { // the summary and the codes
		t.Errorf("error of %d bytes", len(msg))
	}
	// A small fault is whole.
	small := DecodeFault(500, []byte(strings.NewReplacer(big("r"), "reason", big("m"), "m").Replace(body)))
	if small.Reason != "reason" || small.Machine != "m" {
		t.Errorf("small fault: %q %q", small.Reason, small.Machine)
	}
}
