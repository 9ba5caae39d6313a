package wsmantest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

const processCreation = "SELECT * FROM __InstanceCreationEvent WITHIN 0.05 WHERE TargetInstance ISA 'Win32_Process'"

// cim/wsman's client subscribes over real HTTP, Win32_Process.Create
// through WS-Man makes the event, and Close unsubscribes.
func TestE2ESubscribeProcessCreation(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, BasicUsers: basicUsers, AllowUnencrypted: true})
		c, _ := newClient(t, s, wsman.Options{OperationTimeout: 500 * time.Millisecond})
		var sp model.Subscriber = c
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		e, err := sp.Subscribe(ctx, &model.SubscribeRequest{Common: model.Common{Namespace: "root/cimv2"}, Query: processCreation})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.Invoke(ctx, &model.InvokeRequest{Common: model.Common{Namespace: "root/cimv2"}, ClassName: "Win32_Process", Method: "Create",
			In: []model.Property{{Name: "CommandLine", Value: model.String("notepad.exe")}}})
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := out.Get("ProcessId")
		if !e.Next(ctx) {
			t.Fatalf("no event: %v", e.Err())
		}
		ev := e.Instance()
		ti, _ := ev.Get("TargetInstance")
		inst, ok := ti.AsInstance()
		if ev.ClassName != "__InstanceCreationEvent" || !ok || inst.ClassName != "Win32_Process" {
			t.Fatalf("event %s with TargetInstance %v", ev.ClassName, ti)
		}
		if got, _ := inst.Get("ProcessId"); got.Text() != pid.Text() {
			t.Errorf("TargetInstance.ProcessId = %v, want %v", got, pid)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		ops := strings.Join(s.Operations(), ",")
		t.Logf("operations: %s", ops)
		if !strings.HasPrefix(ops, "Subscribe,") || !strings.HasSuffix(ops, ",Unsubscribe") || !strings.Contains(ops, "Invoke") {
			t.Errorf("operations = %s", ops)
		}
		if got := s.Subscriptions(); len(got) != 0 {
			t.Errorf("server still holds %v", got)
		}
	})
}

// Cancelling the ctx of a Next that waits in a Pull ends it promptly
// (and unsubscribes), even though the server would wait a minute.
func TestE2ESubscribeCancelStopsPull(t *testing.T) {
	s := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: basicUsers, AllowUnencrypted: true})
	c, _ := newClient(t, s, wsman.Options{OperationTimeout: time.Minute})
	e, err := c.Subscribe(context.Background(), &model.SubscribeRequest{Query: processCreation})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { // cancel once the Pull waits on the server
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			for _, l := range s.Requests() {
				if l.Operation == "Pull" {
					cancel()
					return
				}
			}
		}
		cancel()
	}()
	start := time.Now()
	if e.Next(ctx) {
		t.Fatal("an event from nowhere")
	}
	// The server would hold the Pull a minute.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("cancel took %v to stop the Pull", d)
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(s.Subscriptions()) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.Subscriptions(); len(got) != 0 {
		t.Errorf("cancelled subscription still on the server: %v", got)
	}
}
