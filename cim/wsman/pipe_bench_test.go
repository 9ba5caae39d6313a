package wsman

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// pageTransport answers an Enumerate and its Pulls from memory: pages
// pages of the same items, the last with EndOfSequence.
type pageTransport struct {
	first, page, last []byte
	pages             int
	served            atomic.Int64
}

func (p *pageTransport) Post(ctx context.Context, body []byte, effect Effect) ([]byte, error) {
	if effect == EffectEnd {
		return []byte(emptyReply), nil
	}
	page := p.page
	switch n := p.served.Add(1); {
	case n == 1:
		page = p.first
	case n >= int64(p.pages):
		page = p.last
	}
	// The reply relates to the request (a copy, as a transport reads
	// each reply into a buffer of its own).
	const head = "<s:Header>"
	i := bytes.Index(page, []byte(head)) + len(head)
	out := make([]byte, 0, len(page)+128)
	out = append(out, page[:i]...)
	out = append(out, "<a:RelatesTo>"+requestExchange(body).messageID+"</a:RelatesTo>"...)
	return append(out, page[i:]...), nil
}

func (p *pageTransport) Close() error { return nil }

// BenchmarkPipeline streams 20 pages of 200 Win32_Process instances
// from memory through the enumerator, reading each instance's Name (a
// consumer as light as a Lua loop's): the pages decoded ahead of the
// consumer on as many cores as there are, against one page ahead at a
// time. ns/instance is wall time: on one core both are alike.
func BenchmarkPipeline(b *testing.B) {
	const pages, per = 20, 200
	page := pullResponse(per)
	last := bytes.Replace(page, []byte("</n:Items></n:PullResponse>"), []byte("</n:Items><w:EndOfSequence/></n:PullResponse>"), 1)
	first := strings.NewReplacer("/PullResponse</a:Action>", "/EnumerateResponse</a:Action>", "n:PullResponse>", "n:EnumerateResponse>", "n:Items>", "w:Items>").Replace(string(page))
	for _, ahead := range []int{1, 0} {
		name := "ahead=1"
		if ahead == 0 {
			name = fmt.Sprintf("ahead=%d", pipeLimit())
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(pages * len(page)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				tr := &pageTransport{first: []byte(first), page: page, last: last, pages: pages}
				c := NewClient(tr, Options{Endpoint: "http://host:5985/wsman", NoSchema: true})
				c.aheadPages = ahead
				ctx := context.Background()
				e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Process"})
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for e.Next(ctx) {
					if v, _ := e.Instance().Get("Name"); v.IsNull() {
						b.Fatal("no Name")
					}
					n++
				}
				if e.Err() != nil || n != pages*per {
					b.Fatalf("%d instances, %v", n, e.Err())
				}
				e.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pages*per), "ns/instance")
		})
	}
}
