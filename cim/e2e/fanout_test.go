package e2e

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// cim.Each over five sessions to three servers, one of them down: each
// live session returns its own host's results, the dead one an
// unreachable error at once (loopback refuses it), not after the connect
// timeout.
func TestEachFanOut(t *testing.T) {
	a := basicServer(t, wsmantest.Windows, wsmantest.Options{ComputerName: "HOST-A"})
	b := basicServer(t, wsmantest.OMI, wsmantest.Options{ComputerName: "HOST-B"})
	dead := closedPort(t)
	// A minute: a client that retried a refused connect until the
	// timeout would end with the test's 20 s context (a timeout, not
	// unreachable), and past the generous bound below.
	const connectTimeout = time.Minute
	mk := func(port int) *cim.Session {
		cfg := cim.Config{ComputerName: "127.0.0.1", Port: port, Authentication: cim.AuthBasic,
			Credential: cim.NewCredential(basicUser, basicPassword), ConnectTimeout: connectTimeout,
			Option: cim.SessionOption{NoEncryption: true}}
		return open(t, cfg)
	}
	sessions := []*cim.Session{mk(a.Port()), mk(b.Port()), mk(dead), mk(a.Port()), mk(b.Port())}
	want := []string{"HOST-A", "HOST-B", "", "HOST-A", "HOST-B"}

	var mu sync.Mutex
	results := map[int]string{} // session id -> computer system name
	start := time.Now()
	errs := cim.Each(testCtx(t), sessions, 0, func(ctx context.Context, s *cim.Session) error {
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_ComputerSystem"})
		if err != nil {
			return err
		}
		if len(got) != 1 {
			return errors.New("want one computer system, got " + strconv.Itoa(len(got)))
		}
		mu.Lock()
		results[s.ID()] = text(got[0], "Name")
		mu.Unlock()
		return nil
	})
	took := time.Since(start)
	if took > 15*time.Second {
		t.Errorf("the fan-out took %v (connect timeout %v): the refused connect was not final", took, connectTimeout)
	}
	if len(errs) != len(sessions) {
		t.Fatalf("%d errors for %d sessions", len(errs), len(sessions))
	}
	for i, s := range sessions {
		if want[i] == "" {
			f := mustFault(t, "the dead host", errs[i])
			t.Logf("dead host: %v", errs[i])
			if f.Category != model.CategoryUnreachable || !errors.Is(errs[i], model.ErrUnreachable) {
				t.Errorf("dead host: category %s: %v", f.Category, errs[i])
			}
			if !strings.Contains(errs[i].Error(), strconv.Itoa(dead)) {
				t.Errorf("the error does not name the port: %v", errs[i])
			}
			if _, ok := results[s.ID()]; ok {
				t.Error("the dead host has results")
			}
			continue
		}
		if errs[i] != nil {
			t.Errorf("session %d: %v", i, errs[i])
			continue
		}
		if results[s.ID()] != want[i] {
			t.Errorf("session %d answered from %q, want %q", i, results[s.ID()], want[i])
		}
	}
	// Two sessions to one server are two clients: their own connections.
	if c := a.Counters(); c.Connections != 2 {
		t.Errorf("server A saw %d connections from 2 sessions", c.Connections)
	}
}

// A throttle of 1 runs the sessions one at a time, and a cancelled ctx
// stops the ones not started.
func TestEachThrottleAndCancel(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	var sessions []*cim.Session
	for i := 0; i < 4; i++ {
		sessions = append(sessions, basicSession(t, srv))
	}
	var mu sync.Mutex
	running, peak := 0, 0
	errs := cim.Each(testCtx(t), sessions, 1, func(ctx context.Context, s *cim.Session) error {
		mu.Lock()
		running++
		peak = max(peak, running)
		mu.Unlock()
		_, err := s.Test(ctx)
		mu.Lock()
		running--
		mu.Unlock()
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("session %d: %v", i, err)
		}
	}
	if peak != 1 {
		t.Errorf("throttle 1 ran %d at once", peak)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs = cim.Each(ctx, sessions, 1, func(ctx context.Context, s *cim.Session) error {
		_, err := s.Test(ctx)
		return err
	})
	for i, err := range errs {
		if err == nil {
			t.Errorf("session %d ran after the cancel", i)
		}
	}
}

// Many NTLM sessions at once against one server: each session has its
// own connection and exactly one handshake, and every request is served.
func TestEachManyNTLMSessions(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{NTLMUsers: ntlmUsers})
	var sessions []*cim.Session
	for i := 0; i < 16; i++ {
		sessions = append(sessions, open(t, config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{})))
	}
	errs := cim.Each(testCtx(t), sessions, 8, func(ctx context.Context, s *cim.Session) error {
		for i := 0; i < 3; i++ {
			got, err := s.GetInstances(ctx, threeProcesses)
			if err != nil {
				return err
			}
			if len(got) != 3 {
				return errors.New("want 3 processes, got " + strconv.Itoa(len(got)))
			}
		}
		return nil
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("session %d: %v", i, err)
		}
	}
	if c := srv.Counters(); c.Connections != 16 || c.Handshakes != 16 {
		t.Errorf("16 sessions: %d connections, %d handshakes", c.Connections, c.Handshakes)
	}
}

// A cancelled ctx stops an operation before it touches the network.
func TestCancelledBeforeStart(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	s := basicSession(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
	if f := mustFault(t, "a cancelled query", err); f.Category != model.CategoryCanceled || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled query: category %s: %v", f.Category, err)
	}
	if c := srv.Counters(); c.Requests != 0 {
		t.Errorf("a cancelled query made %d requests", c.Requests)
	}
}
