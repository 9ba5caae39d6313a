package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The transport floor: the requests cimsh sends for a workload (the
// class schema, then Enumerate and Pull until the end), from a Go client
// with keep-alive that reads every reply and parses nothing beyond
// finding the enumeration context.

const (
	nsEnumeration = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	uriDMTFClass  = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
	uriCIMXML     = "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*"
)

// envelope writes a request the shape cimsh's client writes.
func envelope(to, uri, action, selectors, body string) []byte {
	var id [16]byte
	rand.Read(id[:])
	return []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="` + nsEnumeration +
		`" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"><s:Header><a:To>` + to +
		`</a:To><w:ResourceURI s:mustUnderstand="true">` + uri + `</w:ResourceURI><a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo><a:Action s:mustUnderstand="true">` +
		action + `</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">` + fmt.Sprint(envelopeKB*1024) + `</w:MaxEnvelopeSize><a:MessageID>uuid:` + strings.ToUpper(hex.EncodeToString(id[:])) +
		`</a:MessageID><w:Locale xml:lang="en-US" s:mustUnderstand="false"/><p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>` + selectors +
		`</s:Header><s:Body>` + body + `</s:Body></s:Envelope>`)
}

func selectorSet(pairs ...string) string {
	s := "<w:SelectorSet>"
	for i := 0; i+1 < len(pairs); i += 2 {
		s += `<w:Selector Name="` + pairs[i] + `">` + pairs[i+1] + `</w:Selector>`
	}
	return s + "</w:SelectorSet>"
}

// floorClient posts envelopes with Basic authentication.
type floorClient struct {
	http       *http.Client
	user, pass string
	buf        bytes.Buffer
}

func newFloorClient(user, pass string, conns int) *floorClient {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: conns,
		MaxIdleConns:        conns * 2,
		DisableCompression:  true,
	}
	return &floorClient{http: &http.Client{Transport: tr, Timeout: 120 * time.Second}, user: user, pass: pass}
}

// post sends env and returns the reply, valid until the next post.
func (c *floorClient) post(ctx context.Context, url string, env []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(env))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.SetBasicAuth(c.user, c.pass)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	c.buf.Reset()
	if _, err := c.buf.ReadFrom(resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("HTTP %d from %s: %.200s", resp.StatusCode, url, c.buf.Bytes())
	}
	return c.buf.Bytes(), nil
}

// enumerate sends the class Get, the Enumerate and the Pulls of one
// enumeration; it returns the bytes read and the requests sent.
func (c *floorClient) enumerate(ctx context.Context, url, ns, class string, schema bool) (bytesRead, requests int, err error) {
	nsSel := selectorSet("__cimnamespace", ns)
	if schema {
		body, err := c.post(ctx, url, envelope(url, uriCIMXML, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", selectorSet("ClassName", class, "__cimnamespace", ns), ""))
		if err != nil {
			return 0, 0, err
		}
		bytesRead += len(body)
		requests++
	}
	uri := uriDMTFClass + class
	env := envelope(url, uri, nsEnumeration+"/Enumerate", nsSel,
		`<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements><w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode></n:Enumerate>`)
	for {
		body, err := c.post(ctx, url, env)
		if err != nil {
			return bytesRead, requests, err
		}
		bytesRead += len(body)
		requests++
		ctxID, ok := findContext(body)
		if !ok || bytes.Contains(body, []byte("EndOfSequence")) {
			return bytesRead, requests, nil
		}
		env = envelope(url, uri, nsEnumeration+"/Pull", nsSel,
			`<n:Pull><n:EnumerationContext>`+ctxID+`</n:EnumerationContext><n:MaxElements>32000</n:MaxElements></n:Pull>`)
	}
}

// findContext returns the text of the EnumerationContext element.
func findContext(body []byte) (string, bool) {
	i := bytes.Index(body, []byte("EnumerationContext>"))
	if i < 0 {
		return "", false
	}
	rest := body[i+len("EnumerationContext>"):]
	j := bytes.IndexByte(rest, '<')
	if j <= 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// floorResult is what the floor child prints.
type floorResult struct {
	Bytes    int `json:"bytes"`
	Requests int `json:"requests"`
}

// runFloor is the floor child: "bench floor -url U -ns NS -class C
// [-times N] [-hosts FILE -conc K]".
func runFloor(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	url := fs.String("url", "", "endpoint URL (one host)")
	hostsFile := fs.String("hosts", "", "file of endpoint URLs, one a line (fan-out)")
	conc := fs.Int("conc", 1, "hosts in flight (fan-out)")
	ns := fs.String("ns", nsMain, "namespace")
	class := fs.String("class", "Win32_Process", "class")
	times := fs.Int("times", 1, "enumerations in a row on one host (the schema is fetched once)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pass := os.Getenv("CIMSH_PASSWORD")
	ctx := context.Background()
	var res floorResult
	if *hostsFile == "" {
		c := newFloorClient(benchUser, pass, 1)
		for i := 0; i < *times; i++ {
			n, r, err := c.enumerate(ctx, *url, *ns, *class, i == 0)
			if err != nil {
				return err
			}
			res.Bytes += n
			res.Requests += r
		}
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	data, err := os.ReadFile(*hostsFile)
	if err != nil {
		return err
	}
	hosts := strings.Fields(string(data))
	// One transport for all hosts, as cimsh shares one process; a
	// connection per host.
	var next, total, reqs atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var errOnce sync.Once
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newFloorClient(benchUser, pass, 1)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(hosts) {
					return
				}
				n, r, err := c.enumerate(ctx, hosts[i], *ns, *class, true)
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				total.Add(int64(n))
				reqs.Add(int64(r))
				c.http.CloseIdleConnections() // the next host is another computer
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	res.Bytes, res.Requests = int(total.Load()), int(reqs.Load())
	return json.NewEncoder(os.Stdout).Encode(res)
}
