package wsman

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// pageAhead returns the page the consumer of en takes next once its
// decoding has ended, failing when it does not (the consumer is idle:
// nothing else would decode it).
func pageAhead(t *testing.T, en model.Enumerator) *ahead {
	t.Helper()
	a := en.(*enumerator).pipe.head()
	if a == nil {
		t.Fatal("no page ahead")
	}
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the page after the one being read was not decoded while the consumer held it")
	}
	return a
}

// settled waits until en's pipeline has decoded every page it holds
// ahead and pulls no more, checks that these are n pages, and returns
// their items' names, page by page.
func settled(t *testing.T, en model.Enumerator, n int) []string {
	t.Helper()
	p := &en.(*enumerator).pipe
	for {
		p.mu.Lock()
		pages := append([]*ahead(nil), p.pages...)
		p.mu.Unlock()
		if len(pages) > n {
			t.Fatalf("%d pages ahead of the consumer, want %d", len(pages), n)
		}
		var names []string
		for _, a := range pages {
			select {
			case <-a.done:
				names = append(names, batchNames(a.batch))
			case <-time.After(10 * time.Second):
				t.Fatalf("a page ahead was not decoded")
			}
		}
		// Each decoding ends, and each reply's pre-scan is acted on,
		// under p.mu: once these pages are decoded, whether a Pull
		// followed the newest is settled.
		p.mu.Lock()
		more := len(p.pages) != len(pages) || p.tail != nil && p.tail.followed && p.tail == pages[len(pages)-1]
		p.mu.Unlock()
		if !more {
			if len(pages) != n {
				t.Fatalf("%d pages ahead of the consumer, want %d", len(pages), n)
			}
			return names
		}
	}
}

func batchNames(b *batch) string {
	var names []string
	for _, it := range b.items {
		v, _ := it.Get("Name")
		names = append(names, v.Text())
	}
	return strings.Join(names, ",")
}

// While the consumer reads a page, the pages after it are pulled (one
// Pull at a time) and decoded, up to the limit of pages ahead; the next
// Pull goes out when the consumer takes a page, and instances come in
// order.
func TestPagesDecodeAheadInOrder(t *testing.T) {
	w := &watchedTransport{arrived: make(chan string, 16)}
	w.replies = []reply{
		{body: enumReply(false, "uuid:c1", false, "a", "b")},
		{body: enumReply(true, "uuid:c2", false, "c", "d")},
		{body: enumReply(true, "uuid:c3", false, "e", "f")},
		{body: enumReply(true, "uuid:c4", false, "g", "h")},
		{body: enumReply(true, "uuid:c5", true, "i")},
	}
	w.ahead = 2
	e := w.enumerate(t)
	ctx := context.Background()
	wait := func(want string) { w.await(t, want, "") }
	noRequest := func(when string) { w.none(t, when) }
	wait("Enumerate")
	wait("Pull")
	wait("Pull")
	if got := strings.Join(settled(t, e, 2), "|"); got != "c,d|e,f" {
		t.Fatalf("decoded ahead: %s", got)
	}
	noRequest("with two pages waiting ahead of the consumer")
	var got []string
	for e.Next(ctx) {
		got = append(got, prop(t, e.Instance(), "Name").Text())
		if len(got) == 3 { // on "c": the consumer took page 2
			wait("Pull")
			if got := strings.Join(settled(t, e, 2), "|"); got != "e,f|g,h" {
				t.Fatalf("decoded ahead: %s", got)
			}
		}
	}
	if e.Err() != nil || strings.Join(got, ",") != "a,b,c,d,e,f,g,h,i" {
		t.Fatalf("got %v, %v", got, e.Err())
	}
	wait("Pull") // page 5's, when the consumer took page 3
	noRequest("after EndOfSequence")
	if w.maxIn != 1 {
		t.Fatalf("%d requests in flight at once", w.maxIn)
	}
}

// Many pages, consumer and decoding racing: every instance once, in the
// server's order (the race detector watches the hand-over).
func TestPagesDecodedAheadKeepOrder(t *testing.T) {
	const pages, per = 40, 5
	var replies []reply
	var want []string
	for p := 0; p < pages; p++ {
		var names []string
		for i := 0; i < per; i++ {
			names = append(names, fmt.Sprintf("p%02di%d", p, i))
		}
		want = append(want, names...)
		replies = append(replies, reply{body: enumReply(p > 0, fmt.Sprintf("uuid:c%d", p+1), p == pages-1, names...)})
	}
	rt, c := newReplay(replies...)
	c.aheadPages = 4 // three decoders at once, whatever the cores
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, e)
	if e.Err() != nil || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("got %v, %v", got, e.Err())
	}
	if n := len(rt.requests()); n != pages {
		t.Fatalf("%d requests for %d pages", n, pages)
	}
}

// Close, and a cancelled Next, while pages wait decoded ahead: nothing
// of them is handed out, no Pull follows them, and the context the
// newest reply carries is released.
func TestCloseStopsThePagesDecodedAhead(t *testing.T) {
	for _, ahead := range []int{1, 2} {
		for _, how := range []string{"close", "cancel"} {
			t.Run(fmt.Sprintf("%s/%d", how, ahead), func(t *testing.T) {
				replies := []reply{{body: enumReply(false, "uuid:c1", false, "a", "b")}}
				for i := 2; i <= ahead+1; i++ {
					replies = append(replies, reply{body: enumReply(true, fmt.Sprintf("uuid:c%d", i), false, "c", "d")})
				}
				rt, c := newReplay(append(replies, reply{body: []byte(emptyReply)})...) // the Release last
				c.aheadPages = ahead
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
				if err != nil {
					t.Fatal(err)
				}
				if !e.Next(ctx) {
					t.Fatal(e.Err())
				}
				settled(t, e, ahead)
				switch how {
				case "close":
					e.Close()
					if e.Next(ctx) {
						t.Fatal("Next after Close")
					}
				case "cancel":
					cancel()
					// Mid-page: the page being read is still handed out.
					if !e.Next(ctx) || prop(t, e.Instance(), "Name").Text() != "b" {
						t.Fatalf("the rest of the page read: %v", e.Err())
					}
					if e.Next(ctx) {
						t.Fatal("a page decoded ahead was handed out after the cancel")
					}
					if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled {
						t.Fatalf("err = %v", e.Err())
					}
				}
				if e.(*enumerator).pipe.head() != nil {
					t.Error("a page ahead is still held")
				}
				reqs := rt.requests()
				want := "Enumerate," + strings.Repeat("Pull,", ahead) + "Release"
				if got := strings.Join(actions(reqs), ","); got != want {
					t.Fatalf("actions = %s, want %s", got, want)
				}
				if ctx := fmt.Sprintf("<n:EnumerationContext>uuid:c%d</n:EnumerationContext>", ahead+1); !strings.Contains(string(reqs[ahead+1]), ctx) {
					t.Errorf("released:\n%s", reqs[ahead+1])
				}
			})
		}
	}
}

// A page that fails to decode ahead fails the enumeration only when the
// consumer reaches it (the page before it is read whole), no Pull
// follows it once it is known bad, and the context it handed out is
// released.
func TestPageDecodedAheadFailsInTurn(t *testing.T) {
	bad := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Body><n:PullResponse><n:EnumerationContext>uuid:bad</n:EnumerationContext><n:Items><p:C xmlns:p="u"><p:A>1</p:B></p:C></n:Items></n:PullResponse></s:Body></s:Envelope>`
	rt, c := newReplay(
		reply{body: enumReply(false, "uuid:c1", false, "a", "b")},
		reply{body: []byte(bad)},
		reply{body: []byte(emptyReply)}, // the Release
	)
	c.aheadPages = 1 // the bad page is decoded before anything could follow it
	ctx := context.Background()
	e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Next(ctx) {
		t.Fatal(e.Err())
	}
	if a := pageAhead(t, e); a.decErr == nil {
		t.Fatal("the malformed page decoded")
	}
	if !e.Next(ctx) || prop(t, e.Instance(), "Name").Text() != "b" {
		t.Fatalf("the page before the malformed one: %v", e.Err())
	}
	if e.Next(ctx) {
		t.Fatal("Next past the malformed page")
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryProtocol {
		t.Fatalf("err = %v", e.Err())
	}
	reqs := rt.requests()
	if got := strings.Join(actions(reqs), ","); got != "Enumerate,Pull,Release" || !strings.Contains(string(reqs[2]), "uuid:bad") {
		t.Errorf("actions = %s", got)
	}
}
