package wsmantest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

const wmiAllURI = prefixWMI + "root/cimv2/*"

func subscribeEnvelope(query, extra string) []byte {
	return envelope(actionSubscribe, wmiAllURI, "",
		`<e:Subscribe xmlns:e="`+nsEventing+`"><e:Delivery Mode="`+deliveryModePull+`"><w:Heartbeats>PT60.000S</w:Heartbeats></e:Delivery>`+extra+
			`<w:Filter Dialect="`+dialectWQL+`">`+query+`</w:Filter></e:Subscribe>`)
}

func pullEnvelope(ctxID, timeout string) []byte {
	env := envelope(actionPull, wmiAllURI, "", `<n:Pull><n:EnumerationContext>`+ctxID+`</n:EnumerationContext><n:MaxElements>20</n:MaxElements></n:Pull>`)
	return []byte(strings.Replace(string(env), "<w:OperationTimeout>PT60.000S</w:OperationTimeout>", "<w:OperationTimeout>"+timeout+"</w:OperationTimeout>", 1))
}

func identifierHeader(id string) string {
	return `<e:Identifier xmlns:e="` + nsEventing + `">` + id + `</e:Identifier>`
}

// createProcess runs Win32_Process.Create on the server's provider.
func createProcess(t *testing.T, s *Server, cmd string) {
	t.Helper()
	in := []model.Property{{Name: "CommandLine", Value: model.String(cmd)}}
	if _, err := s.Provider().Invoke(context.Background(), &model.InvokeRequest{Common: model.Common{Namespace: "root/cimv2"},
		ClassName: "Win32_Process", Method: "Create", In: in}); err != nil {
		t.Fatal(err)
	}
}

// TestSubscribePullUnsubscribe walks a subscription in the Windows
// shape: SubscribeResponse with the manager EPR and a context, a Pull
// that times out, a Pull that carries the event with a fresh context,
// and Unsubscribe by e:Identifier.
func TestSubscribePullUnsubscribe(t *testing.T) {
	s := NewServer(t, Options{})
	r := post(t, s, subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 0.05 WHERE TargetInstance ISA 'Win32_Process'", "<e:Expires>PT600.000S</e:Expires>"))
	if r.status != 200 || r.headerText("Action") != nsEventing+"/SubscribeResponse" {
		t.Fatalf("Subscribe: HTTP %d: %s", r.status, r.body)
	}
	resp := r.bodyElem(t)
	mgr := resp.child(nsEventing, "SubscriptionManager")
	id := mgr.child(nsAddressing, "ReferenceProperties").child(nsEventing, "Identifier").text()
	ctxID := resp.child(nsEnumeration, "EnumerationContext").text()
	if mgr.child(nsAddressing, "Address").text() != s.URL() || id == "" || !strings.HasPrefix(ctxID, "uuid:") ||
		mgr.child(nsAddressing, "ReferenceProperties").child(nsWSMan, "ResourceURI").text() != wmiAllURI ||
		resp.child(nsEventing, "Expires").text() != "PT600.000S" {
		t.Fatalf("SubscribeResponse: %s", r.body)
	}
	if got := s.Subscriptions(); len(got) != 1 || got[0] != id {
		t.Fatalf("Subscriptions = %v, want [%s]", got, id)
	}

	// Nothing happens: the Pull waits its OperationTimeout, then TimedOut.
	start := time.Now()
	r = post(t, s, pullEnvelope(ctxID, "PT0.300S"))
	waited := time.Since(start)
	if r.status != 500 || r.subcode() != "w:TimedOut" {
		t.Fatalf("idle Pull: HTTP %d %s", r.status, r.body)
	}
	// The lower bound holds on any machine; the upper one is generous (a
	// loaded machine) and far from the minute a Pull waits without its
	// OperationTimeout (defaultPullWait).
	if waited < 250*time.Millisecond || waited > 30*time.Second {
		t.Errorf("idle Pull answered after %v, want about 300 ms", waited)
	}

	createProcess(t, s, "notepad.exe")
	r = post(t, s, pullEnvelope(ctxID, "PT5.000S"))
	if r.status != 200 || r.headerText("Action") != nsEnumeration+"/PullResponse" {
		t.Fatalf("Pull: HTTP %d %s", r.status, r.body)
	}
	resp = r.bodyElem(t)
	next := resp.child(nsEnumeration, "EnumerationContext").text()
	if next == "" || next == ctxID {
		t.Errorf("PullResponse context %q, want a fresh one (was %q)", next, ctxID)
	}
	evs := items(t, resp)
	if len(evs) != 1 || evs[0].Name.Local != "__InstanceCreationEvent" || evs[0].Name.Space != prefixWMI+"root/cimv2/__InstanceCreationEvent" {
		t.Fatalf("items: %s", r.body)
	}
	ti := evs[0].child("", "TargetInstance")
	if ti == nil {
		t.Fatalf("no TargetInstance: %s", r.body)
	}
	if typ, _ := ti.attr(nsXSI, "type"); !strings.HasSuffix(typ, "Win32_Process_Type") {
		t.Errorf("TargetInstance xsi:type = %q", typ)
	}
	if got := propText(ti, "ProcessId"); got != "4000" {
		t.Errorf("TargetInstance.ProcessId = %s, want 4000", got)
	}
	if got := propText(evs[0], "TIME_CREATED"); got == "<missing>" {
		t.Errorf("no TIME_CREATED")
	}

	// The old context is spent.
	if r = post(t, s, pullEnvelope(ctxID, "PT0.100S")); r.subcode() != "n:InvalidEnumerationContext" {
		t.Errorf("Pull on a spent context: HTTP %d %s", r.status, r.body)
	}

	r = post(t, s, envelope(actionUnsubscribe, wmiAllURI, "", `<e:Unsubscribe xmlns:e="`+nsEventing+`"/>`, identifierHeader(id)))
	if r.status != 200 || r.headerText("Action") != nsEventing+"/UnsubscribeResponse" {
		t.Fatalf("Unsubscribe: HTTP %d %s", r.status, r.body)
	}
	if len(s.Subscriptions()) != 0 {
		t.Errorf("still subscribed: %v", s.Subscriptions())
	}
	if r = post(t, s, pullEnvelope(next, "PT0.100S")); r.subcode() != "n:InvalidEnumerationContext" {
		t.Errorf("Pull after Unsubscribe: HTTP %d %s", r.status, r.body)
	}
	if r = post(t, s, envelope(actionUnsubscribe, wmiAllURI, "", `<e:Unsubscribe xmlns:e="`+nsEventing+`"/>`, identifierHeader(id))); r.subcode() != "a:DestinationUnreachable" {
		t.Errorf("second Unsubscribe: HTTP %d %s", r.status, r.body)
	}
	var ops []string
	for _, l := range s.Requests() {
		ops = append(ops, l.Operation)
		if l.Operation == "Unsubscribe" && l.Identifier != id {
			t.Errorf("logged Unsubscribe names %q, want %q", l.Identifier, id)
		}
	}
	if got := strings.Join(ops, ","); got != "Subscribe,Pull,Pull,Pull,Unsubscribe,Pull,Unsubscribe" {
		t.Errorf("log = %s", got)
	}
}

func TestSubscribeRenewAndExpiry(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	r := post(t, s, subscribeEnvelope("SELECT * FROM __InstanceDeletionEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Service'", ""))
	if r.status != 200 {
		t.Fatalf("Subscribe: HTTP %d %s", r.status, r.body)
	}
	resp := r.bodyElem(t)
	id := resp.child(nsEventing, "SubscriptionManager").child(nsAddressing, "ReferenceProperties").child(nsEventing, "Identifier").text()
	r = post(t, s, envelope(actionRenew, wmiAllURI, "", `<e:Renew xmlns:e="`+nsEventing+`"><e:Expires>PT0.100S</e:Expires></e:Renew>`, identifierHeader(id)))
	if r.status != 200 || r.bodyElem(t).child(nsEventing, "Expires").text() != "PT0.100S" {
		t.Fatalf("Renew: HTTP %d %s", r.status, r.body)
	}
	// Wait for the expiry's own event, the subscription's pump ending
	// (it ends after the subscription left the server's table).
	s.subs.mu.Lock()
	sub := s.subs.byID[strings.ToUpper(id)]
	s.subs.mu.Unlock()
	if sub == nil {
		t.Fatalf("subscription %s gone before its expiry", id)
	}
	select {
	case <-sub.pumped:
	case <-time.After(10 * time.Second):
		t.Fatalf("subscription %s not ended 10 s after its 100 ms expiry", id)
	}
	if got := s.Subscriptions(); len(got) != 0 {
		t.Errorf("expired subscription still open: %v", got)
	}
}

func TestSubscribeFaults(t *testing.T) {
	s := NewServer(t, Options{})
	push := readFixture(t, "openwsman_subscribe_push_WQL_CIM_ProcessIndication_request.xml")
	cases := []struct {
		name, subcode string
		body          []byte
	}{
		{"push delivery", "w:UnsupportedFeature", push},
		{"bad WQL", "n:CannotProcessFilter", subscribeEnvelope("SELECT FROM", "")},
		{"not an event class", "n:CannotProcessFilter", subscribeEnvelope("SELECT * FROM Win32_Process WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'", "")},
		{"no within", "n:CannotProcessFilter", subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WHERE TargetInstance ISA 'Win32_Process'", "")},
		{"unknown class", "n:CannotProcessFilter", subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Nope'", "")},
		{"bad expiry", "w:SchemaValidationError", subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'", "<e:Expires>soon</e:Expires>")},
		{"unknown subscription", "a:DestinationUnreachable", envelope(actionUnsubscribe, wmiAllURI, "", `<e:Unsubscribe xmlns:e="`+nsEventing+`"/>`, identifierHeader("NOPE"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, tc.body)
			if r.status != 500 || r.subcode() != tc.subcode {
				t.Fatalf("HTTP %d subcode %q, want %s: %s", r.status, r.subcode(), tc.subcode, r.body)
			}
		})
	}
	if len(s.Subscriptions()) != 0 {
		t.Errorf("failed subscribes left subscriptions: %v", s.Subscriptions())
	}

	// A provider that cannot deliver events.
	plain := NewServer(t, Options{Provider: struct{ model.Provider }{FixtureProvider("")}})
	if r := post(t, plain, subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Process'", "")); r.subcode() != "a:ActionNotSupported" {
		t.Errorf("non-subscriber: HTTP %d %s", r.status, r.body)
	}
}

// Like WinRM's quotas, the server holds a bounded number of
// subscriptions.
func TestSubscribeQuota(t *testing.T) {
	s := NewServer(t, Options{})
	env := subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_Process'", "")
	for i := 0; i < maxSubscriptions; i++ {
		if r := post(t, s, env); r.status != 200 {
			t.Fatalf("Subscribe #%d: HTTP %d %s", i, r.status, r.body)
		}
	}
	if r := post(t, s, env); r.subcode() != "w:QuotaLimit" {
		t.Fatalf("Subscribe over the quota: HTTP %d %s", r.status, r.body)
	}
	if n := len(s.Subscriptions()); n != maxSubscriptions {
		t.Errorf("%d subscriptions open, want %d", n, maxSubscriptions)
	}
}

// A Pull waiting for events ends when the client goes away, and the
// server's Close ends the subscriptions promptly.
func TestSubscribeCloseWhilePulling(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := post(t, s, subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_Process'", ""))
	ctxID := r.bodyElem(t).child(nsEnumeration, "EnumerationContext").text()
	done := make(chan reply)
	go func() { done <- post(t, s, pullEnvelope(ctxID, "PT30.000S")) }()
	waitLogged(t, s, "Pull", 1) // the Pull waits on the server
	s.Close()
	// The Pull would wait 30 s and then answer TimedOut: this answer
	// came from Close.
	select {
	case r := <-done:
		if r.status != 500 || r.subcode() != "n:InvalidEnumerationContext" {
			t.Errorf("Pull during Close: HTTP %d %s", r.status, r.body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a waiting Pull held Close")
	}
}
