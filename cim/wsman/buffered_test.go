package wsman

import (
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// NextBuffered hands out the rest of the page being read and nothing
// else: at a page's end it reports false with nothing consumed and no
// request sent, and Next then takes the next page.
func TestNextBufferedReadsOnlyThePage(t *testing.T) {
	rt, c := newReplay(
		reply{body: enumReply(false, "uuid:c1", false, "a", "b")},
		reply{body: enumReply(true, "uuid:c2", true, "c")},
	)
	ctx := context.Background()
	en, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	defer en.Close()
	e := en.(*enumerator)
	var got []string
	take := func() { got = append(got, prop(t, e.Instance(), "Name").Text()) }
	if !e.NextBuffered() { // the Enumerate's reply is the first page
		t.Fatal("NextBuffered: the first page's first instance not handed out")
	}
	take()
	if !e.NextBuffered() {
		t.Fatal("NextBuffered: the page's second instance not handed out")
	}
	take()
	before := len(rt.requests())
	if e.NextBuffered() {
		t.Fatalf("NextBuffered past the page's end: %s", prop(t, e.Instance(), "Name").Text())
	}
	if e.Next(ctx) {
		take()
	}
	if e.NextBuffered() || e.Next(ctx) {
		t.Fatal("an instance past EndOfSequence")
	}
	if e.Err() != nil || strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("got %v, %v", got, e.Err())
	}
	if n := len(rt.requests()); n != 2 || before > 2 {
		t.Fatalf("%d requests (%d before the page's end), want the Enumerate and one Pull", n, before)
	}
}
