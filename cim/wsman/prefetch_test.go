package wsman

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// watchedTransport answers from a script and reports each request as
// it arrives and how many were in flight at once.
type watchedTransport struct {
	replayTransport
	arrived  chan string // the action of each request
	mu       sync.Mutex
	inFlight int
	maxIn    int
	ahead    int // the client's aheadPages
}

func (w *watchedTransport) Post(ctx context.Context, body []byte, effect Effect) ([]byte, error) {
	w.mu.Lock()
	w.inFlight++
	w.maxIn = max(w.maxIn, w.inFlight)
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.inFlight--
		w.mu.Unlock()
	}()
	w.arrived <- actions([][]byte{body})[0]
	return w.replayTransport.Post(ctx, body, effect)
}

// enumerate starts an enumeration (no schemas) over w's replies.
func (w *watchedTransport) enumerate(t *testing.T) model.Enumerator {
	t.Helper()
	c := NewClient(w, Options{Endpoint: "http://host:5985/wsman", NoSchema: true})
	c.aheadPages = w.ahead
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// await fails the test unless the next request is a want within 10 s;
// when (" while ...") says when it was due.
func (w *watchedTransport) await(t *testing.T, want, when string) {
	t.Helper()
	select {
	case got := <-w.arrived:
		if got != want {
			t.Fatalf("request %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s%s", want, when)
	}
}

// none fails the test if a request has been made; when says when none
// was due.
func (w *watchedTransport) none(t *testing.T, when string) {
	t.Helper()
	select {
	case got := <-w.arrived:
		t.Fatalf("a %s %s", got, when)
	default:
	}
}

// The Pull for the next page goes out while the consumer is still on
// the page before it (the server prepares the next page meanwhile), one
// Pull at a time, and the instances come in order.
func TestNextPullOverlapsTheCurrentPage(t *testing.T) {
	w := &watchedTransport{arrived: make(chan string, 16)}
	w.replies = []reply{
		{body: enumReply(false, "uuid:c1", false, "a", "b")},
		{body: enumReply(true, "uuid:c2", false, "c", "d")},
		{body: enumReply(true, "uuid:c3", true, "e")},
	}
	e := w.enumerate(t)
	ctx := context.Background()
	wait := func(want string) { w.await(t, want, " while the consumer holds the page before it") }
	wait("Enumerate")
	if !e.Next(ctx) {
		t.Fatal(e.Err())
	}
	// On "a", the first of page 1: the Pull for page 2 is already out.
	wait("Pull")
	var got []string
	got = append(got, prop(t, e.Instance(), "Name").Text())
	for e.Next(ctx) {
		got = append(got, prop(t, e.Instance(), "Name").Text())
		if len(got) == 3 { // on "c", the first of page 2
			wait("Pull")
		}
	}
	if e.Err() != nil || strings.Join(got, ",") != "a,b,c,d,e" {
		t.Fatalf("got %v, %v", got, e.Err())
	}
	// Page 3 ended the sequence: nothing more was asked for.
	w.none(t, "after EndOfSequence")
	if w.maxIn != 1 {
		t.Fatalf("%d requests in flight at once", w.maxIn)
	}
}
