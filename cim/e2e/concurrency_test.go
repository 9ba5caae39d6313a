package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// One session used from many goroutines at once: every request gets a
// connection of its own, each NTLM connection its own handshake and
// sealing state, and nothing is mixed up (run with -race).
func TestConcurrentOperationsOneSession(t *testing.T) {
	eachKind(t, func(t *testing.T, srv *wsmantest.Server, s *cim.Session) {
		ctx := testCtx(t)
		const workers, each = 6, 5
		disks := []string{"C:", "D:"}
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					id := disks[(w+i)%2]
					inst, err := s.GetInstance(ctx, ref("Win32_LogicalDisk", "root/cimv2", "DeviceID", id), cim.Options{})
					if err != nil {
						errs <- err
						return
					}
					if text(inst, "DeviceID") != id {
						errs <- fmt.Errorf("asked for %s, got %s", id, text(inst, "DeviceID"))
						return
					}
					if w%3 == 0 {
						got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 3})
						if err != nil || len(got) != 8 {
							errs <- fmt.Errorf("enumeration: %d services, %v", len(got), err)
							return
						}
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		c := srv.Counters()
		if c.Connections > workers+1 {
			t.Errorf("%d connections for %d concurrent workers", c.Connections, workers)
		}
		if strings.Contains(t.Name(), "ntlm") && c.Handshakes != c.Connections {
			t.Errorf("%d NTLM handshakes on %d connections: want one per connection", c.Handshakes, c.Connections)
		}
		if c.Enumerations != 0 {
			t.Errorf("%d contexts left open", c.Enumerations)
		}
	})
}

// A small MaxEnvelopeSize makes the server send fewer items per
// response; the enumeration still returns everything.
func TestSmallEnvelope(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := open(t, config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword),
			cim.SessionOption{NoEncryption: true, MaxEnvelopeSizeKB: 8}))
		got, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatalf("GetInstances with a 8 KB envelope: %v", err)
		}
		if names(got) != "BITS,Dnscache,MapsBroker,nsi,RpcSs,Spooler,W32Time,WinRM" {
			t.Fatalf("services %s", names(got))
		}
		// The same enumeration fits in one default envelope; in 8 KB
		// ones the server had to page.
		if count(srv, "Pull") == 0 {
			t.Errorf("8 KB envelopes needed no Pull (%v): the limit was not applied", srv.Operations())
		}
		for _, l := range srv.Requests() {
			if l.Operation == "Enumerate" && l.MaxEnvelopeSize != 8*1024 {
				t.Errorf("MaxEnvelopeSize sent %d", l.MaxEnvelopeSize)
			}
		}
	})
}

// Closing a session while another goroutine iterates one of its
// enumerations (a Session is safe for concurrent use): the iteration
// ends with an error, the context is released, and -race finds nothing.
func TestCloseDuringEnumeration(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		// 100 ms a reply: the eight Pulls take longer than Close.
		srv := basicServer(t, d, wsmantest.Options{Latency: 100 * time.Millisecond})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan int)
		go func() {
			n := 0
			for en.Next(ctx) {
				n++
			}
			got <- n
		}()
		// Close once the iteration is under way (a Pull on the server).
		if !waitFor(30*time.Second, func() bool { return count(srv, "Pull") >= 1 }) {
			t.Fatalf("no Pull on the server (%v)", srv.Operations())
		}
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		var n int
		select {
		case n = <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("the iteration did not end after Close")
		}
		if n >= 8 {
			t.Fatalf("the iteration ran to the end (%d) despite Close", n)
		}
		if c := srv.Counters(); c.Enumerations != 0 {
			t.Errorf("%d contexts open after Close (%v)", c.Enumerations, srv.Operations())
		}
	})
}
