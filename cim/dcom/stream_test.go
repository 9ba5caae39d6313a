package dcom_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/model"
)

// TestEnumerationHonoursCancel: an instance enumeration whose provider is
// slow asks the server for at most 500 ms per IEnumWbemClassObject::Next
// (even when configured to wait longer), so that cancelling the context
// (Ctrl-C) ends it within one such wait, without closing the connection;
// closing the enumerator then releases it on the server.
func TestEnumerationHonoursCancel(t *testing.T) {
	s := start(t)
	host, _, _ := net.SplitHostPort(s.Addr())
	p, err := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password, NextTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := ctx(t)
	if _, err := p.GetClass(c, &model.GetClassRequest{ClassName: "Win32_Service"}); err != nil {
		t.Fatal(err)
	}
	base, accepted := s.Objects(), s.Accepted()
	s.SetInstanceDelay(time.Hour)
	e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	cc, cancel := context.WithCancel(c)
	go func() {
		// Cancel once the client has waited in two Next calls, whatever
		// the clock says.
		for {
			if n, _ := s.NextTimeouts(); n >= 2 {
				cancel()
				return
			}
			select {
			case <-c.Done():
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	if e.Next(cc) {
		t.Fatalf("an instance from a provider that takes an hour: %v", e.Instance())
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled {
		t.Fatalf("cancelled enumeration: %v", e.Err())
	}
	if n, longest := s.NextTimeouts(); n < 2 || longest > 500 {
		t.Fatalf("%d finite Next calls, the longest %d ms; want every one at most 500 ms", n, longest)
	}
	if s.Objects() != base+1 {
		t.Fatalf("%d objects before Close, want %d (the enumerator still held)", s.Objects(), base+1)
	}
	e.Close()
	if s.Objects() != base {
		t.Fatalf("%d objects after Close, want %d", s.Objects(), base)
	}
	s.SetInstanceDelay(0)
	e, err = p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if got := drain(t, c, e, err); len(got) == 0 {
		t.Fatal("no instances after the cancelled enumeration")
	}
	if s.Accepted() != accepted {
		t.Fatalf("%d connections accepted, want %d: the cancel between Next calls should keep the connection", s.Accepted(), accepted)
	}
}

// TestServerStopsMidEnumeration: a server that stops while an
// enumeration is under way gives one line naming the computer's
// unreachability, and the next operation says the endpoint mapper is
// gone.
func TestServerStopsMidEnumeration(t *testing.T) {
	s := start(t)
	p := provider(t, s, 0)
	c := ctx(t)
	e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if !e.Next(c) {
		t.Fatal(e.Err())
	}
	s.Close()
	n := 0
	for e.Next(c) {
		n++
	}
	f, ok := model.AsFault(e.Err())
	if !ok || f.Category != model.CategoryUnreachable || f.ComputerName != "DCOMTEST" || oneLine(e.Err()) != "" {
		t.Fatalf("after %d more instances: %v", n, e.Err())
	}
	_, err = p.Get(c, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}})
	f, ok = model.AsFault(err)
	if !ok || f.Category != model.CategoryUnreachable || !contains(err, "no DCOM endpoint mapper answers there") || oneLine(err) != "" {
		t.Fatalf("after the server stopped: %v", err)
	}
}
