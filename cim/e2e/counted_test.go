package e2e

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// Request counts the design promises, read off the server's counters and
// request log.

// sessionKind builds a server and a session of one authentication kind.
type sessionKind struct {
	name string
	srv  func(t *testing.T, d wsmantest.Dialect) *wsmantest.Server
	open func(t *testing.T, srv *wsmantest.Server) *cim.Session
}

var ntlmUsers = []ntlmserver.User{{Name: ntlmUser, Password: ntlmPassword}}

var kinds = []sessionKind{
	{"basic",
		func(t *testing.T, d wsmantest.Dialect) *wsmantest.Server {
			return basicServer(t, d, wsmantest.Options{})
		},
		basicSession},
	{"ntlm-sealed",
		func(t *testing.T, d wsmantest.Dialect) *wsmantest.Server {
			return wsmantest.NewServer(t, wsmantest.Options{Dialect: d, NTLMUsers: ntlmUsers})
		},
		func(t *testing.T, srv *wsmantest.Server) *cim.Session {
			return open(t, config(srv, cim.AuthNegotiate, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}))
		}},
}

// eachKind runs fn for every authentication kind in both dialects.
func eachKind(t *testing.T, fn func(t *testing.T, srv *wsmantest.Server, s *cim.Session)) {
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			dialects(t, func(t *testing.T, d wsmantest.Dialect) {
				srv := k.srv(t, d)
				fn(t, srv, k.open(t, srv))
			})
		})
	}
}

var threeProcesses = cim.InstanceQuery{ClassName: "Win32_Process", Filter: "ProcessId > 0 AND ProcessId < 2000"}

// A three-instance enumeration costs exactly one HTTP request once the
// connection is authenticated and the class schema known: optimized
// enumeration brings the items with the Enumerate response, and the
// EndOfSequence leaves nothing to Pull or Release.
func TestThreeInstancesOneRequest(t *testing.T) {
	eachKind(t, func(t *testing.T, srv *wsmantest.Server, s *cim.Session) {
		ctx := testCtx(t)
		got, err := s.GetInstances(ctx, threeProcesses)
		if err != nil || len(got) != 3 {
			t.Fatalf("first query: %d instances, %v", len(got), err)
		}
		// The first query: the Enumerate and one schema fetch, nothing else.
		if n := len(srv.Requests()); n > 2 || count(srv, "Enumerate") != 1 {
			t.Fatalf("first 3-instance query made %v", srv.Operations())
		}
		before := srv.Counters()
		srv.ResetLog()
		got, err = s.GetInstances(ctx, threeProcesses)
		if err != nil || len(got) != 3 {
			t.Fatalf("second query: %d instances, %v", len(got), err)
		}
		after := srv.Counters()
		if n := after.Requests - before.Requests; n != 1 {
			t.Fatalf("a 3-instance enumeration cost %d HTTP requests (%v), want 1", n, srv.Operations())
		}
		if after.Connections != before.Connections || after.Handshakes != before.Handshakes {
			t.Errorf("the query reconnected or re-authenticated: %+v -> %+v", before, after)
		}
		if after.Enumerations != 0 {
			t.Errorf("%d enumeration contexts left open", after.Enumerations)
		}
	})
}

// 50 requests on one NTLM session make exactly one handshake on one
// connection; after the server forcibly closes the connection, the next
// request makes the second.
func TestNTLMOneHandshakePerConnection(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, NTLMUsers: ntlmUsers})
		s := open(t, config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}))
		ctx := testCtx(t)
		disk := ref("Win32_LogicalDisk", "root/cimv2", "DeviceID", "D:")
		for i := 0; i < 50; i++ {
			inst, err := s.GetInstance(ctx, disk, cim.Options{})
			if err != nil {
				t.Fatalf("Get #%d: %v", i, err)
			}
			if text(inst, "VolumeName") != "New Volume" {
				t.Fatalf("VolumeName %s", text(inst, "VolumeName"))
			}
		}
		c := srv.Counters()
		if c.Handshakes != 1 || c.Connections != 1 {
			t.Fatalf("after 50 requests: %d handshakes on %d connections, want 1 on 1", c.Handshakes, c.Connections)
		}
		if n := count(srv, "Get"); n != 51 { // 50 and the schema
			t.Errorf("%d Gets logged", n)
		}
		// Forced close (busy or idle), as a server restart does.
		if !waitFor(30*time.Second, func() bool { return srv.CloseClientConnections() > 0 }) {
			t.Fatal("no client connection to close")
		}
		if _, err := s.GetInstance(ctx, disk, cim.Options{}); err != nil {
			t.Fatalf("Get after the forced close: %v", err)
		}
		if c := srv.Counters(); c.Handshakes != 2 || c.Connections != 2 {
			t.Fatalf("after a forced close: %d handshakes on %d connections, want 2 on 2", c.Handshakes, c.Connections)
		}
	})
}

// A connection the server dropped while idle (Windows does after 120 s)
// is redialed: the next Get, and the next Invoke, succeed, each seen
// exactly once by the server.
func TestIdleDropRedial(t *testing.T) {
	eachKind(t, func(t *testing.T, srv *wsmantest.Server, s *cim.Session) {
		ctx := testCtx(t)
		svc := ref("Win32_Service", "root/cimv2", "Name", "W32Time")
		if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
			t.Fatalf("first Get: %v", err)
		}
		if _, err := s.GetClass(ctx, "root/cimv2", "Win32_Service"); err != nil {
			t.Fatalf("GetClass: %v", err)
		}
		drop := func() {
			t.Helper()
			if !waitFor(30*time.Second, func() bool { return srv.DropIdleConnections() > 0 }) {
				t.Fatal("no idle connection to drop")
			}
			srv.ResetLog()
		}
		drop()
		conns := srv.Counters().Connections
		inst, err := s.GetInstance(ctx, svc, cim.Options{})
		if err != nil {
			t.Fatalf("Get after the idle drop: %v", err)
		}
		if text(inst, "Name") != "W32Time" {
			t.Fatalf("Get returned %v", inst)
		}
		if ops := srv.Operations(); len(ops) != 1 || ops[0] != "Get" {
			t.Fatalf("server saw %v after the drop, want exactly one Get", ops)
		}
		if c := srv.Counters().Connections; c != conns+1 {
			t.Errorf("%d new connections, want 1", c-conns)
		}

		drop()
		out, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svc, Method: "StartService"})
		if err != nil {
			t.Fatalf("Invoke after the idle drop: %v", err)
		}
		if text(out, "ReturnValue") != "0" {
			t.Fatalf("StartService ReturnValue %s", text(out, "ReturnValue"))
		}
		if ops := srv.Operations(); len(ops) != 1 || ops[0] != "Invoke" {
			t.Fatalf("server saw %v after the drop, want exactly one Invoke", ops)
		}
	})
}

// An Invoke is never sent twice: when the connection dies after the
// request was written, the caller gets an error and the server has seen
// the request once. A Get in the same situation is resent (idempotent).
func TestInvokeNeverSentTwice(t *testing.T) {
	eachKind(t, func(t *testing.T, srv *wsmantest.Server, s *cim.Session) {
		ctx := testCtx(t)
		svc := ref("Win32_Service", "root/cimv2", "Name", "Spooler")
		// Warm: an authenticated pooled connection and the schema.
		if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetClass(ctx, "root/cimv2", "Win32_Service"); err != nil {
			t.Fatal(err)
		}

		srv.ResetLog()
		srv.InjectFault(wsmantest.MatchOperation("Invoke"), wsmantest.FaultSpec{Close: true})
		_, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svc, Method: "StopService"})
		f := mustFault(t, "an Invoke whose connection dropped", err)
		t.Logf("dropped Invoke: %v", err)
		if f.Category != model.CategoryConnection {
			t.Errorf("category %s, want connection", f.Category)
		}
		// A resend would come from within InvokeMethod, before it
		// returned; and the server has answered a later request since.
		if _, err := s.Test(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(srv, "Invoke"); n != 1 {
			t.Fatalf("the server saw the Invoke %d times (%v)", n, srv.Operations())
		}

		// A Get on a pooled connection that dies the same way is resent
		// once on a fresh one.
		srv.ResetLog()
		srv.InjectFault(wsmantest.MatchOperation("Get"), wsmantest.FaultSpec{Close: true})
		if _, err := s.GetInstance(ctx, svc, cim.Options{}); err != nil {
			t.Fatalf("a Get whose connection dropped was not resent: %v", err)
		}
		if n := count(srv, "Get"); n != 2 {
			t.Fatalf("the server saw the Get %d times, want 2 (%v)", n, srv.Operations())
		}

		// The session still works after both.
		if out, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svc, Method: "StopService"}); err != nil || text(out, "ReturnValue") != "0" {
			t.Fatalf("Invoke afterwards: %v %v", text(out, "ReturnValue"), err)
		}
	})
}

// A slow Invoke whose caller gives up is not resent either, and the
// session recovers.
func TestInvokeTimeoutNotResent(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		svc := ref("Win32_Service", "root/cimv2", "Name", "Spooler")
		if _, err := s.GetClass(ctx, "root/cimv2", "Win32_Service"); err != nil {
			t.Fatal(err)
		}
		srv.ResetLog()
		// The server would hold the Invoke a minute (until the client
		// hangs up); the caller gives up after 200 ms.
		srv.InjectFault(wsmantest.MatchOperation("Invoke"), wsmantest.FaultSpec{Subcode: "w:InternalError", Delay: time.Minute})
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.InvokeMethod(short, cim.MethodCall{Input: svc, Method: "StopService"})
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("the cancelled Invoke returned after %v", took)
		}
		f := mustFault(t, "a timed-out Invoke", err)
		if f.Category != model.CategoryTimeout || !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, model.ErrTimeout) {
			t.Errorf("timed-out Invoke: category %s: %v", f.Category, err)
		}
		// A resend would come from within InvokeMethod, before it
		// returned; and the server has answered a later request since.
		if _, err := s.Test(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(srv, "Invoke"); n != 1 {
			t.Fatalf("the server saw the Invoke %d times", n)
		}
		if out, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svc, Method: "StopService"}); err != nil || text(out, "ReturnValue") != "0" {
			t.Fatalf("Invoke afterwards: %v %v", text(out, "ReturnValue"), err)
		}
	})
}

// Creating a session opens nothing: no connection, no DNS lookup.
func TestNewSessionConnectsNothing(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: basicUsers, AllowUnencrypted: true, NTLMUsers: ntlmUsers})
	dir := t.TempDir()
	_, certFile, keyFile := clientCert(t, dir, "c", "operator")
	cfgs := []cim.Config{
		config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true}),
		config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}),
		config(srv, cim.AuthDefault, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}),
		config(srv, cim.AuthKerberos, cim.NewCredential("alice@CIMSH.TEST", "x"), cim.SessionOption{Krb5Conf: "/nonexistent/krb5.conf"}),
		config(srv, cim.AuthCertificate, nil, cim.SessionOption{UseSSL: true, CertificateFile: certFile, KeyFile: keyFile}),
	}
	var sessions []*cim.Session
	seen := map[string]bool{}
	for _, cfg := range cfgs {
		s := open(t, cfg)
		if s.Connected() {
			t.Errorf("%s session connected at creation", cfg.Authentication)
		}
		// Identity: an id, a name, a UUID, the computer, protocol, port.
		if s.ComputerName() != "127.0.0.1" || s.Port() != srv.Port() || s.Protocol() != "WSMAN" ||
			s.Name() == "" || len(s.InstanceID()) != 36 || seen[s.InstanceID()] || seen[s.Name()] {
			t.Errorf("session identity: %s id %d name %q uuid %q port %d", s, s.ID(), s.Name(), s.InstanceID(), s.Port())
		}
		seen[s.InstanceID()], seen[s.Name()] = true, true
		sessions = append(sessions, s)
	}
	// A name that does not resolve: still no error, and quickly.
	start := time.Now()
	ghost := open(t, cim.Config{ComputerName: "cimsh-e2e-no-such-host.invalid", Authentication: cim.AuthNTLM,
		Credential: cim.NewCredential("u", "p")})
	// Generous for a loaded machine; a resolver that cannot answer takes
	// seconds. The server's counters below are the exact check.
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("NewSession took %v: it resolved or dialed", took)
	}
	if c := srv.Counters(); c.Connections != 0 || c.Requests != 0 {
		t.Fatalf("creating %d sessions made %+v", len(cfgs), c)
	}
	// The first operation connects, once.
	if _, err := sessions[0].Test(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if c := srv.Counters(); c.Connections != 1 || c.Requests != 1 {
		t.Fatalf("the first operation made %+v", c)
	}
	_, err := ghost.Test(testCtx(t))
	if f := mustFault(t, "an unresolvable host", err); f.Category != model.CategoryUnreachable {
		t.Errorf("unresolvable host: %v", err)
	}
}

// Close releases an enumeration abandoned half way (the server sees the
// Release and holds no context).
func TestCloseReleasesEnumeration(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		// One instance a page: the pages pulled ahead of the reader do
		// not reach the end of the eight.
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !en.Next(ctx) || !en.Next(ctx) || !en.Next(ctx) {
			t.Fatalf("Next: %v", en.Err())
		}
		if c := srv.Counters(); c.Enumerations != 1 {
			t.Fatalf("%d contexts open mid-enumeration", c.Enumerations)
		}
		if s.OpenEnumerations() != 1 {
			t.Fatalf("session tracks %d enumerations", s.OpenEnumerations())
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if n := count(srv, "Release"); n != 1 {
			t.Fatalf("Close sent %d Releases (%v)", n, srv.Operations())
		}
		if c := srv.Counters(); c.Enumerations != 0 {
			t.Fatalf("%d contexts open after Close", c.Enumerations)
		}
		// Close drops the session's connections too: the server sees them
		// closed.
		if !waitFor(30*time.Second, func() bool { return srv.OpenConnections() == 0 }) {
			t.Errorf("%d connections still open on the server after Close", srv.OpenConnections())
		}
		if _, err := s.Test(ctx); !errors.Is(err, cim.ErrSessionClosed) {
			t.Errorf("operation after Close: %v", err)
		}
		// The iterator's own Close after the session's does nothing more.
		en.Close()
		if n := count(srv, "Release"); n != 1 {
			t.Errorf("%d Releases after a second Close", n)
		}
	})
}

// Cancelling ctx while a Pull is in flight ends the enumeration at once
// with a canceled error and releases the context on its own short
// deadline, although ctx is done.
func TestCancelReleasesEnumeration(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx, cancel := context.WithCancel(testCtx(t))
		defer cancel()
		// The first Pull hangs on the server for a minute (until the
		// client hangs up). (It goes out as soon as the first page is
		// decoded, ahead of the reader.)
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultSpec{Subcode: "w:InternalError", Delay: time.Minute})
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if !en.Next(ctx) {
				t.Fatalf("Next: %v", en.Err())
			}
		}
		// Cancel while Next waits for the Pull, once the Pull is on the
		// server (not on a timer, which a loaded machine can fire before
		// the Pull went out).
		var cancelled atomic.Int64
		go func() {
			if waitFor(30*time.Second, func() bool { return count(srv, "Pull") == 1 }) {
				cancelled.Store(time.Now().UnixNano())
			}
			cancel()
		}()
		if en.Next(ctx) {
			t.Fatal("Next succeeded after cancellation")
		}
		if cancelled.Load() == 0 {
			t.Fatalf("no Pull on the server (%v)", srv.Operations())
		}
		// The Pull hangs for a minute: returning well within that shows
		// Next did not wait it out.
		if took := time.Since(time.Unix(0, cancelled.Load())); took > 30*time.Second {
			t.Errorf("Next returned %v after the cancel", took)
		}
		f := mustFault(t, "a cancelled enumeration", en.Err())
		if f.Category != model.CategoryCanceled || !errors.Is(en.Err(), context.Canceled) {
			t.Errorf("cancelled enumeration: category %s: %v", f.Category, en.Err())
		}
		if !waitFor(30*time.Second, func() bool { return count(srv, "Release") == 1 }) {
			t.Fatalf("no Release after the cancel (%v)", srv.Operations())
		}
		var pull, rel string
		for _, l := range srv.Requests() {
			switch l.Operation {
			case "Pull":
				pull = l.EnumerationContext
			case "Release":
				rel = l.EnumerationContext
			}
		}
		if rel == "" || rel != pull {
			t.Errorf("released context %q, pulled %q", rel, pull)
		}
		if c := srv.Counters(); c.Enumerations != 0 {
			t.Errorf("%d contexts open after the cancel", c.Enumerations)
		}
		if s.OpenEnumerations() != 0 {
			t.Errorf("the session still tracks %d enumerations", s.OpenEnumerations())
		}
		// The session stays usable.
		if _, err := s.Test(testCtx(t)); err != nil {
			t.Errorf("Test after the cancel: %v", err)
		}
	})
}

// The server's own idle timeout (Windows closes keep-alive connections
// after about 120 s) is survived the same way: the next Invoke goes out
// once, on a new connection.
func TestServerIdleTimeout(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, NTLMUsers: ntlmUsers, IdleTimeout: 150 * time.Millisecond})
		s := open(t, config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}))
		ctx := testCtx(t)
		svc := ref("Win32_Service", "root/cimv2", "Name", "BITS")
		if _, err := s.GetClass(ctx, "root/cimv2", "Win32_Service"); err != nil {
			t.Fatal(err)
		}
		// The server closes the idle connection on its own timer.
		if !waitFor(30*time.Second, func() bool { return srv.OpenConnections() == 0 }) {
			t.Fatalf("the server did not close the idle connection (%d open)", srv.OpenConnections())
		}
		srv.ResetLog()
		out, err := s.InvokeMethod(ctx, cim.MethodCall{Input: svc, Method: "StartService"})
		if err != nil {
			t.Fatalf("Invoke after the server's idle timeout: %v", err)
		}
		if text(out, "ReturnValue") != "0" || count(srv, "Invoke") != 1 {
			t.Fatalf("ReturnValue %s, %d Invokes", text(out, "ReturnValue"), count(srv, "Invoke"))
		}
		if c := srv.Counters(); c.Connections != 2 || c.Handshakes != 2 {
			t.Errorf("%d connections, %d handshakes", c.Connections, c.Handshakes)
		}
	})
}

// A Release the server never answers does not hang Close: it has its
// own short deadline.
func TestCloseBoundedWhenReleaseHangs(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		// One instance a page: the pages pulled ahead do not reach the
		// end, so Close has a context to release.
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		en.Next(ctx)
		srv.InjectFault(wsmantest.MatchOperation("Release"), wsmantest.FaultSpec{Subcode: "w:InternalError", Delay: 30 * time.Second})
		start := time.Now()
		done := make(chan struct{})
		go func() { s.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(12 * time.Second):
			t.Fatal("Close hung on a Release the server never answers")
		}
		t.Logf("Close returned after %v", time.Since(start))
		if count(srv, "Release") != 1 {
			t.Errorf("Releases: %v", srv.Operations())
		}
	})
}
