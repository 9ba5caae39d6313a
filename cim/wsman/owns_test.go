package wsman

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// renderBatch writes out everything a decoded page holds.
func renderBatch(b *batch) string {
	var s strings.Builder
	fmt.Fprintf(&s, "context %q %v end %v\n", b.context, b.hasContext, b.endOfSeq)
	for _, it := range b.items {
		fmt.Fprintf(&s, "%s|%s|%s|%s\n", it.ClassName, it.Namespace, it.ResourceURI, it.ComputerName)
		if it.Ref != nil {
			fmt.Fprintf(&s, "ref %+v\n", *it.Ref)
		}
		for _, p := range it.All() {
			fmt.Fprintf(&s, "  %s key=%v %v array=%v %s\n", p.Name, p.Key, p.Value.Type(), p.Value.IsArray(), p.Value.String())
		}
	}
	for _, c := range b.classes {
		fmt.Fprintf(&s, "class %+v\n", *c)
	}
	return s.String()
}

// A decoded page holds nothing of the reply's memory: overwriting the
// reply after decoding changes none of its values. The transport reads
// later replies into a page's buffer once the page is decoded
// (Recycler), so a value viewing the reply would change under the user.
func TestDecodedPageOwnsItsMemory(t *testing.T) {
	schemas := map[string]*model.Class{"win32_process": win32ProcessSchema()}
	type tcase struct {
		name    string
		body    func(t *testing.T) []byte
		schemas map[string]*model.Class
	}
	generated := func(t *testing.T) []byte { return pullResponse(50) }
	cases := []tcase{
		{"Win32_Process, schema", generated, schemas},
		{"Win32_Process, no schema", generated, nil},
	}
	for _, f := range []string{
		"mswsmv_4.1.2.4_pull_response.xml",
		"mswsmv_4.1.2.6_pull_response_EndOfSequence.xml",
		"win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml",
		"win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml",
		"win2012_enumerate_wql_star_Win32_OperatingSystem_response.xml",
		"win2012_enumerate_wql_proplist_Win32_OperatingSystem_response_xmlfragment.xml",
	} {
		cases = append(cases, tcase{f, func(t *testing.T) []byte { return bytes.Clone(fixture(t, f)) }, nil})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body(t)
			b := decodeBatch(t, body, tc.schemas, "Win32_OperatingSystem")
			before := renderBatch(b)
			for i := range body {
				body[i] = 'X'
			}
			if after := renderBatch(b); after != before {
				t.Fatalf("the decoded page changed with the reply's bytes:\n%s\nafter:\n%s", before, after)
			}
			if len(b.items) == 0 {
				t.Fatal("nothing decoded")
			}
		})
	}
}

// recyclingTransport records the bodies handed back.
type recyclingTransport struct {
	*replayTransport
	mu       sync.Mutex
	returned [][]byte
	recycled [][]byte
}

func (r *recyclingTransport) Post(ctx context.Context, body []byte, effect Effect) ([]byte, error) {
	out, err := r.replayTransport.Post(ctx, body, effect)
	r.mu.Lock()
	r.returned = append(r.returned, out)
	r.mu.Unlock()
	return out, err
}

func (r *recyclingTransport) Recycle(body []byte) {
	r.mu.Lock()
	r.recycled = append(r.recycled, body)
	r.mu.Unlock()
}

// The pages decoded ahead hand their replies back to the transport once
// decoded, each once; the one the consumer decodes itself and one that
// failed to decode are not.
func TestPagesDecodedAheadAreRecycled(t *testing.T) {
	bad := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Body><n:PullResponse><n:EnumerationContext>uuid:bad</n:EnumerationContext><n:Items><p:C xmlns:p="u"><p:A>1</p:B></p:C></n:Items></n:PullResponse></s:Body></s:Envelope>`
	rt := &recyclingTransport{replayTransport: &replayTransport{replies: []reply{
		{body: enumReply(false, "uuid:c1", false, "a")},
		{body: enumReply(true, "uuid:c2", false, "b")},
		{body: enumReply(true, "uuid:c3", false, "c")},
		{body: []byte(bad)},
		{body: []byte(emptyReply)}, // the Release
	}}}
	c := NewClient(rt, Options{Endpoint: "http://host:5985/wsman", NoSchema: true})
	c.aheadPages = 1
	ctx := context.Background()
	e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for e.Next(ctx) {
		got = append(got, prop(t, e.Instance(), "Name").Text())
	}
	e.Close()
	if strings.Join(got, ",") != "a,b,c" || e.Err() == nil {
		t.Fatalf("got %v, %v", got, e.Err())
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if len(rt.recycled) != 2 || &rt.recycled[0][0] != &rt.returned[1][0] || &rt.recycled[1][0] != &rt.returned[2][0] {
		t.Fatalf("%d bodies handed back, want the replies of pages 2 and 3", len(rt.recycled))
	}
}
