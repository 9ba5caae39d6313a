package wsman

import (
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// A subscription by indication class alone (Register-CimIndicationEvent
// -ClassName) addresses the class's resource URI and filters with
// SELECT * FROM the class; one with neither class nor query is refused
// before anything is sent.
func TestSubscribeByClassName(t *testing.T) {
	rt := &replayTransport{replies: []reply{{body: fixture(t, "win_subscribe_eventlog_response.xml")}, {body: []byte(emptyReply)}}}
	c := NewClient(rt, Options{Endpoint: "http://gilroy:5985/wsman", NoSchema: true})
	var sp model.Subscriber = c
	e, err := sp.Subscribe(context.Background(), &model.SubscribeRequest{Common: model.Common{Namespace: "root/cimv2"}, ClassName: "CIM_ProcessIndication"})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	sub := string(rt.requests()[0])
	for _, want := range []string{">SELECT * FROM CIM_ProcessIndication</w:Filter>", "/CIM_ProcessIndication</w:ResourceURI>"} {
		if !strings.Contains(sub, want) {
			t.Errorf("Subscribe lacks %s\n%s", want, sub)
		}
	}
	n := len(rt.requests())
	if _, err := sp.Subscribe(context.Background(), &model.SubscribeRequest{}); err == nil || !strings.Contains(err.Error(), "without an event query") {
		t.Errorf("empty request: %v", err)
	}
	if len(rt.requests()) != n {
		t.Error("an empty request was sent")
	}
}
