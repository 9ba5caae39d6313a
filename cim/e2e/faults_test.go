package e2e

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Faults arrive typed, with the codes a user needs, and the recoverable
// ones are recovered.

func TestFaultInvalidClass(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{ComputerName: "SRV1"})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		_, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_NoSuchClass"})
		f := mustFault(t, "an unknown class", err)
		t.Logf("invalid class: %v", err)
		if f.Category != model.CategoryInvalidClass || !errors.Is(err, model.ErrInvalidClass) {
			t.Errorf("category %s: %v", f.Category, err)
		}
		if f.ComputerName != "127.0.0.1" || f.HTTPStatus != 500 {
			t.Errorf("computer %q, HTTP %d", f.ComputerName, f.HTTPStatus)
		}
		if !strings.HasSuffix(f.Subcode, "DestinationUnreachable") {
			t.Errorf("subcode %q", f.Subcode)
		}
		if d == wsmantest.Windows {
			// WS-Man code 0x80338000 shown in decimal and hex.
			if f.WSManCode != 2150858752 {
				t.Errorf("WS-Man code %d", f.WSManCode)
			}
			if msg := err.Error(); !strings.Contains(msg, "2150858752") || !strings.Contains(msg, "0x80338000") {
				t.Errorf("the error shows the WS-Man code in decimal and hex: %s", msg)
			}
		}
		if f.CIMStatus != model.CIMInvalidClass {
			t.Errorf("CIM status %v", f.CIMStatus)
		}

		_, err = s.GetInstance(ctx, ref("Win32_NoSuchClass", "root/cimv2", "Name", "x"), cim.Options{})
		if !errors.Is(err, model.ErrInvalidClass) {
			t.Errorf("Get of an unknown class: %v", err)
		}
	})
}

func TestFaultInvalidQuery(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		_, err := s.GetInstances(testCtx(t), cim.InstanceQuery{Query: "SELECT FROM WHERE"})
		f := mustFault(t, "bad WQL", err)
		t.Logf("bad WQL: %v", err)
		if f.Category != model.CategoryInvalidQuery {
			t.Errorf("category %s: %v", f.Category, err)
		}
		if !strings.HasSuffix(f.Subcode, "CannotProcessFilter") {
			t.Errorf("subcode %q", f.Subcode)
		}
		if c := srv.Counters(); c.Enumerations != 0 {
			t.Errorf("%d contexts open", c.Enumerations)
		}
	})
}

func TestFaultNotFound(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		_, err := s.GetInstance(testCtx(t), ref("Win32_Service", "root/cimv2", "Name", "NoSuchService"), cim.Options{})
		f := mustFault(t, "a missing instance", err)
		t.Logf("not found: %v", err)
		if f.Category != model.CategoryNotFound || !errors.Is(err, model.ErrNotFound) {
			t.Errorf("category %s: %v", f.Category, err)
		}
	})
}

func TestFaultAccessDenied(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		srv.InjectFault(wsmantest.MatchOperation("Get"), wsmantest.FaultAccessDenied)
		_, err := s.GetInstance(testCtx(t), ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{})
		f := mustFault(t, "w:AccessDenied", err)
		t.Logf("access denied: %v", err)
		if f.Category != model.CategoryAccessDenied || !strings.HasSuffix(f.Subcode, "AccessDenied") {
			t.Errorf("category %s subcode %s: %v", f.Category, f.Subcode, err)
		}
		noSecret(t, err, basicPassword)
	})
}

var maxElements = regexp.MustCompile(`MaxElements>(\d+)<`)

// maxElementsOf returns the MaxElements of each logged request of op.
func maxElementsOf(srv *wsmantest.Server, op string) []int {
	var out []int
	for _, l := range srv.Requests() {
		if l.Operation != op {
			continue
		}
		m := maxElements.FindSubmatch(l.Body)
		if m == nil {
			out = append(out, -1)
			continue
		}
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	return out
}

// w:TimedOut on a Pull means the server had nothing yet: the Pull is
// retried with the same context, a bounded number of times.
func TestFaultPullTimedOutRetried(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultTimedOut)
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 3})
		if err != nil {
			t.Fatalf("after one TimedOut Pull: %v", err)
		}
		if len(got) != 8 {
			t.Fatalf("%d services", len(got))
		}
		var pulls []wsmantest.LoggedRequest
		for _, l := range srv.Requests() {
			if l.Operation == "Pull" {
				pulls = append(pulls, l)
			}
		}
		if len(pulls) != 3 || pulls[0].Fault == "" || pulls[0].EnumerationContext != pulls[1].EnumerationContext {
			t.Fatalf("pulls: %d, first fault %q", len(pulls), pulls[0].Fault)
		}

		// A server that always times out: bounded retries, a timeout.
		srv.ResetLog()
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultSpec{Subcode: "w:TimedOut", Times: -1})
		_, err = s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 3})
		f := mustFault(t, "Pulls that always time out", err)
		t.Logf("always TimedOut: %v", err)
		if f.Category != model.CategoryTimeout {
			t.Errorf("category %s: %v", f.Category, err)
		}
		if n := count(srv, "Pull"); n < 2 || n > 5 {
			t.Errorf("%d Pulls: retries are not bounded as expected", n)
		}
		srv.ClearFaults()
		if c := srv.Counters(); c.Enumerations != 0 {
			t.Errorf("%d contexts open after giving up (%v)", c.Enumerations, srv.Operations())
		}
	})
}

// w:EncodingLimit means the batch did not fit in MaxEnvelopeSize: the
// request is retried asking for fewer elements.
func TestFaultEncodingLimitFewerElements(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		srv.InjectFault(wsmantest.MatchOperation("Enumerate"), wsmantest.FaultEncodingLimit)
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 8})
		if err != nil || len(got) != 8 {
			t.Fatalf("after EncodingLimit on Enumerate: %d, %v", len(got), err)
		}
		m := maxElementsOf(srv, "Enumerate")
		if len(m) != 2 || m[0] != 8 || m[1] >= 8 || m[1] < 1 {
			t.Fatalf("Enumerate MaxElements %v: want 8, then fewer", m)
		}

		srv.ResetLog()
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultEncodingLimit)
		got, err = s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 4})
		if err != nil || len(got) != 8 {
			t.Fatalf("after EncodingLimit on Pull: %d, %v", len(got), err)
		}
		if m := maxElementsOf(srv, "Pull"); len(m) < 2 || m[0] != 4 || m[1] >= 4 {
			t.Fatalf("Pull MaxElements %v: want 4, then fewer", m)
		}
		if names(got) != "BITS,Dnscache,MapsBroker,nsi,RpcSs,Spooler,W32Time,WinRM" {
			t.Fatalf("services %s: items lost or repeated", names(got))
		}
	})
}

// An expired context is reported as such, and not released (it is dead).
func TestFaultInvalidEnumerationContext(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		srv.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultInvalidEnumerationContext)
		_, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 3})
		f := mustFault(t, "an invalid enumeration context", err)
		t.Logf("invalid context: %v", err)
		if !strings.HasSuffix(f.Subcode, "InvalidEnumerationContext") {
			t.Errorf("subcode %q: %v", f.Subcode, err)
		}
		if msg := strings.ToLower(err.Error()); !strings.Contains(msg, "enumeration context") {
			t.Errorf("the error does not say the enumeration context is invalid: %v", err)
		}
		if n := count(srv, "Release"); n != 0 {
			t.Errorf("a dead context was released %d times", n)
		}
	})
}

// Real expiry, not an injected fault: a context idle longer than the
// server's EnumerationTimeout is gone.
func TestFaultEnumerationContextExpired(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{EnumerationTimeout: 100 * time.Millisecond})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer en.Close()
		en.Next(ctx)
		en.Next(ctx)
		waitFor(30*time.Second, func() bool { return srv.Counters().Enumerations == 0 })
		// The pages pulled ahead of the consumer may have come before
		// the context expired: at most those come (one instance each),
		// then the error.
		n := 0
		for en.Next(ctx) {
			n++
		}
		if n > wsman.PagesAhead() {
			t.Fatalf("%d instances read on an expired context (%d pages ahead at most)", n, wsman.PagesAhead())
		}
		f := mustFault(t, "an expired context", en.Err())
		if !strings.HasSuffix(f.Subcode, "InvalidEnumerationContext") {
			t.Errorf("expired context: %v", en.Err())
		}
	})
}
