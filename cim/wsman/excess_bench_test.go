package wsman

import (
	"bytes"
	"context"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// excessTransport answers an Enumerate with one instance followed by n
// empty items: what a hostile server sends to exhaust a client's memory.
type excessTransport struct{ items []byte }

func newExcessTransport(n int) *excessTransport {
	one := enumReply(false, "uuid:ctx", true, "a")
	i := bytes.Index(one, []byte("<w:Item>"))
	j := bytes.LastIndex(one, []byte("</w:Items>"))
	var b bytes.Buffer
	b.Grow(j - i + 9*n)
	b.Write(one[i:j])
	for k := 0; k < n; k++ {
		b.WriteString("<w:Item/>")
	}
	return &excessTransport{items: b.Bytes()}
}

func (x *excessTransport) Post(_ context.Context, req []byte, _ Effect) ([]byte, error) {
	id := req[bytes.Index(req, []byte("<a:MessageID>"))+len("<a:MessageID>"):]
	id = id[:bytes.IndexByte(id, '<')]
	var b bytes.Buffer
	b.WriteString(`<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `" xmlns:a="` + NsAddressing + `"><s:Header>`)
	b.WriteString(`<a:Action>` + NsEnumeration + `/EnumerateResponse</a:Action><a:RelatesTo>` + string(id) + `</a:RelatesTo></s:Header>`)
	b.WriteString(`<s:Body><n:EnumerateResponse><n:EnumerationContext>uuid:ctx</n:EnumerationContext><w:Items>`)
	b.Write(x.items)
	b.WriteString(`</w:Items><w:EndOfSequence/></n:EnumerateResponse></s:Body></s:Envelope>`)
	return b.Bytes(), nil
}

func (x *excessTransport) Close() error { return nil }

// BenchmarkExcessItems decodes an Enumerate reply holding 5,000,000 empty
// items (45 MB) to a request that asked for 32,000: decoding stops at the
// first item too many. B/op is the client's alone (no server in the
// process), the 45 MB reply included:
// go test -run '^$' -bench ExcessItems -benchmem ./cim/wsman
func BenchmarkExcessItems(b *testing.B) {
	x := newExcessTransport(5000000)
	b.SetBytes(int64(len(x.items)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := NewClient(x, Options{Endpoint: "http://h/wsman", NoSchema: true})
		_, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 32000})
		if i == 0 {
			b.Logf("%d-byte reply: %v", len(x.items), err)
		}
	}
}
