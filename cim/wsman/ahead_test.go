package wsman

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// pageAhead returns the page ahead of the one e's consumer reads once
// its decoding ahead has ended, failing when it does not start (the
// consumer is idle: nothing else would decode it).
func pageAhead(t *testing.T, en model.Enumerator) *ahead {
	t.Helper()
	e := en.(*enumerator)
	e.mu.Lock()
	a := e.next
	e.mu.Unlock()
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

func batchNames(b *batch) string {
	var names []string
	for _, it := range b.items {
		v, _ := it.Get("Name")
		names = append(names, v.Text())
	}
	return strings.Join(names, ",")
}

// While the consumer reads a page, the next one is decoded on another
// goroutine; the Pull after it goes out only when the consumer takes it
// (one Pull ahead of the consumer), and instances come in order.
func TestPagesDecodeAheadInOrder(t *testing.T) {
	w := &watchedTransport{arrived: make(chan string, 16)}
	w.replies = []reply{
		{body: enumReply(false, "uuid:c1", false, "a", "b")},
		{body: enumReply(true, "uuid:c2", false, "c", "d")},
		{body: enumReply(true, "uuid:c3", false, "e", "f")},
		{body: enumReply(true, "uuid:c4", true, "g")},
	}
	e := w.enumerate(t)
	ctx := context.Background()
	wait := func(want string) { w.await(t, want, "") }
	noRequest := func(when string) { w.none(t, when) }
	wait("Enumerate")
	if !e.Next(ctx) {
		t.Fatal(e.Err())
	}
	wait("Pull")
	a := pageAhead(t, e)
	if a.decErr != nil || batchNames(a.batch) != "c,d" {
		t.Fatalf("decoded ahead: %q, %v", batchNames(a.batch), a.decErr)
	}
	noRequest("while the consumer is on the page before the one decoded ahead")
	got := []string{prop(t, e.Instance(), "Name").Text()}
	for e.Next(ctx) {
		got = append(got, prop(t, e.Instance(), "Name").Text())
		if len(got) == 3 { // on "c", the first of the page decoded ahead
			wait("Pull")
			if a := pageAhead(t, e); batchNames(a.batch) != "e,f" {
				t.Fatalf("decoded ahead: %q", batchNames(a.batch))
			}
		}
	}
	if e.Err() != nil || strings.Join(got, ",") != "a,b,c,d,e,f,g" {
		t.Fatalf("got %v, %v", got, e.Err())
	}
	wait("Pull") // page 4's, when the consumer took page 3
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

// Close, and a cancelled Next, while a page waits decoded ahead: nothing
// of it is handed out, no Pull follows it, and the context its reply
// carries is released.
func TestCloseStopsThePageDecodedAhead(t *testing.T) {
	for _, how := range []string{"close", "cancel"} {
		t.Run(how, func(t *testing.T) {
			rt, c := newReplay(
				reply{body: enumReply(false, "uuid:c1", false, "a", "b")},
				reply{body: enumReply(true, "uuid:c2", false, "c", "d")},
				reply{body: []byte(emptyReply)}, // the Release
			)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
			if err != nil {
				t.Fatal(err)
			}
			if !e.Next(ctx) {
				t.Fatal(e.Err())
			}
			pageAhead(t, e)
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
					t.Fatal("the page decoded ahead was handed out after the cancel")
				}
				if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled {
					t.Fatalf("err = %v", e.Err())
				}
			}
			if e.(*enumerator).next != nil {
				t.Error("the page ahead is still held")
			}
			reqs := rt.requests()
			if got := strings.Join(actions(reqs), ","); got != "Enumerate,Pull,Release" {
				t.Fatalf("actions = %s", got)
			}
			if !strings.Contains(string(reqs[2]), "<n:EnumerationContext>uuid:c2</n:EnumerationContext>") {
				t.Errorf("released:\n%s", reqs[2])
			}
		})
	}
}

// A page that fails to decode ahead fails the enumeration only when the
// consumer reaches it (the page before it is read whole), and the
// context it handed out is released.
func TestPageDecodedAheadFailsInTurn(t *testing.T) {
	bad := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Body><n:PullResponse><n:EnumerationContext>uuid:bad</n:EnumerationContext><n:Items><p:C xmlns:p="u"><p:A>1</p:B></p:C></n:Items></n:PullResponse></s:Body></s:Envelope>`
	rt, c := newReplay(
		reply{body: enumReply(false, "uuid:c1", false, "a", "b")},
		reply{body: []byte(bad)},
		reply{body: []byte(emptyReply)}, // the Release
	)
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
