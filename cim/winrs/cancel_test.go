package winrs_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// blocker is a command that writes a line and then waits to be
// terminated.
func blocker(started chan<- struct{}) wsmantest.Program {
	return func(ctx context.Context, p *wsmantest.Process) int {
		io.WriteString(p.Stdout, "working\r\n")
		p.Flush()
		close(started)
		<-ctx.Done()
		return 1
	}
}

// Cancelling (Ctrl-C) while the server holds a Receive: the Receive is
// abandoned at once, and the server sees Signal terminate and Delete
// while the Receive would still be held (its OperationTimeout is a
// minute; times from the server's log), never after the server answered
// it.
func TestCancelWhileReceiveHeld(t *testing.T) {
	ev := newEvents()
	receives := ev.on("Receive")
	started := make(chan struct{})
	s := server(t, wsmantest.Options{Logf: ev.logf, RunCommand: blocker(started)})
	r, _ := runner(t, s, nil, winrs.Options{})
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	var first []byte
	go func() {
		_, err := r.RunCommand(ctx, &model.CommandRequest{Command: "ping -t 127.0.0.1", OnOutput: func(_ string, b []byte) { first = b }})
		done <- err
	}()
	<-started
	// The first Receive takes the line; the second finds nothing and is
	// held (OperationTimeout is 60 s).
	<-receives
	<-receives
	t0 := time.Now()
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("RunCommand had not returned 30 s after the cancel; server saw %s", ops(s))
	}
	returned := time.Since(t0)
	mustFault(t, err, model.CategoryCanceled)
	if string(first) != "working\r\n" {
		t.Fatalf("output before the cancel: %q", first)
	}
	signal, del := logged(s, "Signal"), logged(s, "Delete")
	if len(signal) != 1 || len(del) != 1 {
		t.Fatalf("server saw %s", ops(s))
	}
	if !strings.Contains(string(signal[0].Body), "signal/terminate") || signal[0].CommandID == "" {
		t.Fatalf("signal %s", signal[0].Body)
	}
	// Generous (a loaded machine), and far from the held Receive's 60 s.
	for _, l := range []wsmantest.LoggedRequest{signal[0], del[0]} {
		if d := l.Time.Sub(t0); d > 30*time.Second {
			t.Fatalf("%s reached the server %v after the cancel", l.Operation, d)
		}
	}
	// The held Receive was abandoned, not waited for: a client that
	// waited would see the server's w:TimedOut before it sent the Signal
	// (the Signal's terminate may end the Receive, unheard, afterwards).
	if rs := logged(s, "Receive"); len(rs) != 2 || rs[1].Fault == "w:TimedOut" || !rs[1].Time.Before(signal[0].Time) {
		for _, r := range rs {
			t.Logf("Receive %d: HTTP %d %s", r.Seq, r.Status, r.Fault)
		}
		t.Fatalf("the held Receive was not abandoned; server saw %s", ops(s))
	}
	if !signal[0].Time.Before(del[0].Time) || s.OpenShells() != 0 {
		t.Fatalf("order %s, open shells %d", ops(s), s.OpenShells())
	}
	t.Logf("cancel to Signal %v, to Delete %v, RunCommand returned after %v",
		signal[0].Time.Sub(t0), del[0].Time.Sub(t0), returned)
}

// time_limit terminates the command the same way, as a timeout.
func TestTimeLimit(t *testing.T) {
	started := make(chan struct{})
	s := server(t, wsmantest.Options{RunCommand: blocker(started)})
	r, _ := runner(t, s, nil, winrs.Options{})
	_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "ping -t 127.0.0.1", TimeLimit: 300 * time.Millisecond})
	f := mustFault(t, err, model.CategoryTimeout)
	if !strings.Contains(f.Reason, "time limit") {
		t.Fatalf("reason %q", f.Reason)
	}
	if count(s, "Signal") != 1 || count(s, "Delete") != 1 || s.OpenShells() != 0 {
		t.Fatalf("server saw %s", ops(s))
	}
}

// A server fault at any step is the run's error, and the shell is still
// deleted (and the command terminated when it had started).
func TestFaultsLeaveNoShell(t *testing.T) {
	for _, op := range []string{"Command", "Receive", "Send"} {
		t.Run(op, func(t *testing.T) {
			s := server(t, wsmantest.Options{})
			s.InjectFault(wsmantest.MatchOperation(op), wsmantest.FaultSpec{Subcode: "w:InternalError", Message: "injected " + op + " failure"})
			r, _ := runner(t, s, nil, winrs.Options{})
			_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "more", Stdin: []byte("x")})
			f := mustFault(t, err, model.CategoryFailed)
			if !strings.Contains(f.Error(), "injected "+op) {
				t.Fatalf("error %v", f)
			}
			if s.OpenShells() != 0 || count(s, "Delete") != 1 {
				t.Fatalf("open shells %d; server saw %s", s.OpenShells(), ops(s))
			}
			if wantSignal := op != "Command"; (count(s, "Signal") == 1) != wantSignal {
				t.Fatalf("server saw %s", ops(s))
			}
		})
	}
}

// A wrong password is a clear access-denied fault, and no shell exists.
func TestWrongPassword(t *testing.T) {
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, &transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthBasic, NoEncryption: true, User: testUser, Password: "wrong"}, winrs.Options{})
	_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "echo hi"})
	f := mustFault(t, err, model.CategoryAccessDenied)
	if strings.Contains(f.Error(), "wrong") || s.ShellsCreated() != 0 {
		t.Fatalf("%v; shells created %d", f, s.ShellsCreated())
	}
}

// A Receive the server answers w:TimedOut (nothing to say within
// OperationTimeout) is asked again, through the library's loop.
func TestReceiveTimeoutRetried(t *testing.T) {
	s := server(t, wsmantest.Options{RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
		select {
		case <-time.After(2200 * time.Millisecond):
		case <-ctx.Done():
			return 1
		}
		io.WriteString(p.Stdout, "late")
		return 0
	}})
	// the session's operation timeout, and one request's own
	r, _ := runner(t, s, nil, winrs.Options{OperationTimeout: time.Second})
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "slow"})
	if err != nil || string(res.Stdout) != "late" {
		t.Fatalf("%v %+v", err, res)
	}
	r, _ = runner(t, s, nil, winrs.Options{})
	res, err = r.RunCommand(testCtx(t), &model.CommandRequest{Command: "slow", Common: model.Common{OperationTimeout: 700 * time.Millisecond}})
	if err != nil || string(res.Stdout) != "late" {
		t.Fatalf("%v %+v", err, res)
	}
	for _, l := range logged(s, "Receive") {
		if !strings.Contains(string(l.Body), "<w:OperationTimeout>PT1.000S</w:OperationTimeout>") && !strings.Contains(string(l.Body), "<w:OperationTimeout>PT0.700S</w:OperationTimeout>") {
			t.Fatalf("Receive without the operation timeout: %s", l.Body)
		}
	}
	timedOut := 0
	for _, l := range logged(s, "Receive") {
		if l.Fault == "w:TimedOut" {
			timedOut++
		}
	}
	if timedOut < 4 {
		t.Fatalf("%d Receives timed out: %s", timedOut, ops(s))
	}
}

// Replies masterzen/winrm's parser would mishandle are errors, not a
// crash, a silent loop or lost output; the shell is deleted.
func TestMalformedReceive(t *testing.T) {
	const head = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Header>`
	envelope := func(id, body string) string {
		return head + "<a:RelatesTo>" + id + "</a:RelatesTo><a:Action>x</a:Action></s:Header><s:Body>" + body + "</s:Body></s:Envelope>"
	}
	const done = `<rsp:CommandState CommandId="C" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done">`
	for _, tc := range []struct {
		name  string
		reply func(id string) string
		want  string
	}{
		{"empty", func(string) string { return "" }, "reply is empty"},
		{"truncated", func(id string) string {
			return head + "<a:RelatesTo>" + id + "</a:RelatesTo><a:Action>http://x</a:Action>"
		}, "not well-formed"},
		{"not SOAP", func(string) string { return "<html>proxy page</html>" }, "not a SOAP envelope"},
		{"not a ReceiveResponse", func(id string) string { return envelope(id, "") }, "no rsp:ReceiveResponse"},
		{"bad base64", func(id string) string {
			return envelope(id, `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C">@@@@</rsp:Stream></rsp:ReceiveResponse>`)
		}, "not base64"},
		{"bad exit code", func(id string) string {
			return envelope(id, `<rsp:ReceiveResponse>`+done+`<rsp:ExitCode>zero</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`)
		}, "not a number"},
		{"another request's reply", func(string) string {
			return envelope("uuid:00000000-0000-0000-0000-000000000000", `<rsp:ReceiveResponse>`+done+`<rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>`)
		}, "answers another request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var deleted, signalled atomic.Bool
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				body, _ := io.ReadAll(req.Body)
				b := string(body)
				id := b[strings.Index(b, "MessageID>")+len("MessageID>"):]
				id = id[:strings.Index(id, "<")]
				w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
				switch {
				case strings.Contains(b, "transfer/Create<"):
					io.WriteString(w, envelope(id, `<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">S</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`))
				case strings.Contains(b, "shell/Command<"):
					io.WriteString(w, strings.Replace(envelope(id, `<rsp:CommandResponse><rsp:CommandId>C</rsp:CommandId></rsp:CommandResponse>`),
						"<a:Action>x<", "<a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse<", 1))
				case strings.Contains(b, "shell/Receive<"):
					io.WriteString(w, tc.reply(id))
				case strings.Contains(b, "shell/Signal<"):
					signalled.Store(true)
					io.WriteString(w, envelope(id, `<rsp:SignalResponse/>`))
				case strings.Contains(b, "transfer/Delete<"):
					deleted.Store(true)
					io.WriteString(w, envelope(id, ""))
				}
			}))
			defer srv.Close()
			host, port := hostPort(t, srv.URL)
			tr, _ := transport.New(transport.Config{Host: host, Port: port, Auth: transport.AuthBasic, NoEncryption: true, User: "u", Password: "p"})
			defer tr.Close()
			r, _ := winrs.New(tr, winrs.Options{Endpoint: srv.URL + "/wsman", ComputerName: "odd"})
			defer r.Close()
			_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Command: "x"})
			f := mustFault(t, err, model.CategoryProtocol)
			if !strings.Contains(f.Error(), tc.want) {
				t.Fatalf("error %v", f)
			}
			if !deleted.Load() || !signalled.Load() {
				t.Fatalf("deleted %v signalled %v", deleted.Load(), signalled.Load())
			}
		})
	}
}
