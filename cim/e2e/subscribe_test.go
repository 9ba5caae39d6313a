package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

const processCreation = "SELECT * FROM __InstanceCreationEvent WITHIN 0.1 WHERE TargetInstance ISA 'Win32_Process'"

// Register-CimIndicationEvent end to end: a session subscribes, waits
// through server-side timeouts (OperationTimeout 300 ms, so the Pulls
// come back w:TimedOut and are retried), Win32_Process.Create through
// WS-Man makes the event, and closing the session unsubscribes.
func TestSubscribeProcessCreationE2E(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
		cfg.OperationTimeout = 300 * time.Millisecond
		s := open(t, cfg)
		ctx := testCtx(t)
		sub, err := s.Subscribe(ctx, model.SubscribeRequest{Query: processCreation})
		if err != nil {
			t.Fatal(err)
		}
		// A wait that ends is not the end of the subscription.
		wctx, cancel := context.WithTimeout(ctx, 800*time.Millisecond)
		if sub.Next(wctx) {
			t.Fatalf("event before any process started: %v", sub.Event())
		}
		cancel()
		if sub.Err() != nil {
			t.Fatalf("the subscription ended: %v", sub.Err())
		}
		out, err := s.InvokeMethod(ctx, cim.MethodCall{ClassName: "Win32_Process", Method: "Create",
			Arguments: []model.Property{{Name: "CommandLine", Value: model.String("calc.exe")}}})
		if err != nil {
			t.Fatal(err)
		}
		wctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if !sub.Next(wctx) {
			t.Fatalf("no event: %v", sub.Err())
		}
		ev := sub.Event()
		ti, _ := ev.Get("TargetInstance")
		inst, ok := ti.AsInstance()
		if ev.ClassName != "__InstanceCreationEvent" || !ok || text(inst, "ProcessId") != text(out, "ProcessId") || text(inst, "Name") != "calc.exe" {
			t.Fatalf("event %s with TargetInstance %v (want ProcessId %s)", ev.ClassName, ti, text(out, "ProcessId"))
		}
		if ev.ComputerName != "127.0.0.1" {
			t.Errorf("event PSComputerName = %q", ev.ComputerName)
		}
		timedOut := 0
		for _, l := range srv.Requests() {
			if l.Operation == "Pull" && l.Fault == "w:TimedOut" {
				timedOut++
			}
		}
		if timedOut == 0 {
			t.Errorf("no Pull timed out on the server: %v", srv.Operations())
		}
		s.Close()
		// The Pull waiting when Close came is cancelled on the client;
		// it may still reach the server after the Unsubscribe (and get
		// InvalidEnumerationContext), so look for the Unsubscribe itself.
		unsub := 0
		for _, l := range srv.Requests() {
			if l.Operation == "Unsubscribe" && l.Status == 200 {
				unsub++
			}
		}
		if unsub != 1 || len(srv.Subscriptions()) != 0 {
			t.Errorf("Session.Close did not unsubscribe: %s", strings.Join(srv.Operations(), ","))
		}
	})
}

// Closing a subscription whose Next waits in a long Pull returns at
// once and sends Unsubscribe.
func TestSubscriptionCloseDuringPullE2E(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
	cfg.OperationTimeout = time.Minute
	s := open(t, cfg)
	sub, err := s.Subscribe(testCtx(t), model.SubscribeRequest{Query: processCreation})
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan bool)
	go func() { waiting <- sub.Next(context.Background()) }()
	if !waitFor(30*time.Second, func() bool { return count(srv, "Pull") == 1 }) {
		t.Fatalf("no Pull on the server (%v)", srv.Operations())
	}
	start := time.Now()
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	if got := <-waiting; got {
		t.Error("Next returned an event")
	}
	// The server would hold the Pull for the minute of OperationTimeout.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Close took %v with a Pull waiting", d)
	}
	var unsub int
	for _, l := range srv.Requests() {
		if l.Operation == "Unsubscribe" && l.Status == 200 {
			unsub++
		}
	}
	if unsub != 1 || len(srv.Subscriptions()) != 0 || s.OpenSubscriptions() != 0 {
		t.Errorf("Unsubscribes %d, server subscriptions %v, session %d: %v", unsub, srv.Subscriptions(), s.OpenSubscriptions(), srv.Operations())
	}
}
