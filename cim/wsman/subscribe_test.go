package wsman

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

func TestSubscribeRequestShape(t *testing.T) {
	rt := &replayTransport{replies: []reply{{body: fixture(t, "win_subscribe_eventlog_response.xml")}, {body: []byte(emptyReply)}}}
	c := NewClient(rt, Options{Endpoint: "http://linux-22kv:22000/wsman", MaxEnvelopeSize: 102400, Locale: "en-US", NoSchema: true})
	e, err := c.Subscribe(context.Background(), &SubscribeRequest{Common: model.Common{Namespace: "root/cimv2", OperationTimeout: time.Minute},
		ClassName: "R_IndicationC3", Query: "Select * from L_IndicationC3"})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	o := canonOpts{drop: map[string]bool{"DataLocale": true, "SessionId": true, "OptionSet": true}}
	// The test-generated request puts the server's address as the text of
	// e:Delivery, which WS-Eventing does not define for Pull delivery.
	o.replace = [][2]string{{`/Pull">http://linux-22kv:22000</e:Delivery>`, `/Pull"></e:Delivery>`}}
	compareEnvelopes(t, rt.requests()[0], fixture(t, "omi_subscribe_pull_WQL_indication_request_TESTGEN.xml"), o)
	if rt.effects[0] != EffectOpen {
		t.Errorf("Subscribe sent with effect %v", rt.effects[0])
	}
}

func TestSubscribePullUnsubscribe(t *testing.T) {
	rt := &replayTransport{replies: []reply{
		{body: fixture(t, "win_subscribe_eventlog_response.xml")},
		{body: fixture(t, "win_subscribe_eventlog_pull_response_02.xml")}, // no events yet
		{status: 500, body: faultReply("Receiver", "w:TimedOut", "no events")},
		{status: 500, body: faultReply("Receiver", "w:TimedOut", "no events")},
		{status: 500, body: faultReply("Receiver", "w:TimedOut", "no events")},
		{status: 500, body: faultReply("Receiver", "w:TimedOut", "no events")},
		{body: fixture(t, "win_subscribe_eventlog_pull_response_01.xml")},
		{body: []byte(emptyReply)}, // Unsubscribe
	}}
	c := NewClient(rt, Options{Endpoint: "http://gilroy:5985/wsman", NoSchema: true})
	ctx := context.Background()
	e, err := c.Subscribe(ctx, &SubscribeRequest{Query: "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'",
		Expires: time.Hour, Heartbeat: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Next(ctx) {
		t.Fatalf("no event: %v", e.Err())
	}
	ev := e.Instance()
	sys, _ := prop(t, ev, "System").AsInstance()
	wantText(t, sys, "EventRecordID", "3847")
	e.Close()
	reqs := rt.requests()
	if got := strings.Join(actions(reqs), ","); got != "Subscribe,Pull,Pull,Pull,Pull,Pull,Pull,Unsubscribe" {
		t.Fatalf("actions = %s", got)
	}
	sub := string(reqs[0])
	for _, want := range []string{"<w:Heartbeats>PT5.000S</w:Heartbeats>", "<e:Expires>PT3600.000S</e:Expires>",
		`<w:Filter Dialect="` + DialectWQL + `">SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA &#39;Win32_Process&#39;</w:Filter>`} {
		if !strings.Contains(sub, strings.ReplaceAll(want, "&#39;", "'")) {
			t.Errorf("Subscribe lacks %s", want)
		}
	}
	// Pulls carry the context of the subscription, then the next ones.
	if !strings.Contains(string(reqs[1]), "uuid:00A69F40-AF0D-4E6D-93BD-EFE6AADC3F51") || !strings.Contains(string(reqs[2]), "uuid:F31A07AC-3B61-4ECC-A489-1B492FA1E7D6") {
		t.Errorf("contexts not carried")
	}
	unsub := string(reqs[7])
	for _, want := range []string{
		`<w:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/EventLog</w:ResourceURI>`,
		`<q:Identifier xmlns:q="` + NsEventing + `">885E9924-235C-44EB-9834-B3440B7DCD38</q:Identifier>`,
		`<e:Unsubscribe xmlns:e="` + NsEventing + `"/>`,
	} {
		if !strings.Contains(unsub, want) {
			t.Errorf("Unsubscribe lacks %s\n%s", want, unsub)
		}
	}
}

func TestSubscribeCancelUnsubscribes(t *testing.T) {
	rt := &replayTransport{replies: []reply{
		{body: fixture(t, "win_subscribe_eventlog_response.xml")},
		{err: context.Canceled},
		{body: []byte(emptyReply)},
	}}
	c := NewClient(rt, Options{Endpoint: "http://gilroy:5985/wsman", NoSchema: true})
	ctx, cancel := context.WithCancel(context.Background())
	e, err := c.Subscribe(ctx, &SubscribeRequest{Query: "SELECT * FROM __InstanceModificationEvent WITHIN 1"})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if e.Next(ctx) {
		t.Fatal("Next after cancel")
	}
	e.Close()
	c.Close()
	if got := strings.Join(actions(rt.requests()), ","); got != "Subscribe,Pull,Unsubscribe" {
		t.Errorf("actions = %s", got)
	}
}
