package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/cimsh/cimsh/internal/testenv"
)

// runEcho runs a command with stdin on s and checks the result.
func runEcho(t *testing.T, s *cim.Session) {
	t.Helper()
	res, err := s.RunCommand(testCtx(t), &model.CommandRequest{Command: "more", Stdin: []byte("through stdin\r\n")})
	if err != nil {
		t.Fatalf("RunCommand: %v", err)
	}
	if string(res.Stdout) != "through stdin\r\n" || res.ExitCode == nil || *res.ExitCode != 0 {
		t.Fatalf("result %q %q %v", res.Stdout, res.Stderr, res.ExitCode)
	}
	res, err = s.RunCommand(testCtx(t), &model.CommandRequest{Command: "echo oops 1>&2 & exit /b 5"})
	if err != nil || string(res.Stderr) != "oops\r\n" || *res.ExitCode != 5 {
		t.Fatalf("%v %+v", err, res)
	}
}

// Commands run over every authentication a session supports, through the
// session's own transport: NTLM and Kerberos sealed over plain HTTP
// (nothing in clear on the wire), Basic and certificates over HTTPS.
func TestRunCommandAuth(t *testing.T) {
	t.Run("ntlm-sealed", func(t *testing.T) {
		srv := wsmantest.NewServer(t, wsmantest.Options{NTLMUsers: []ntlmserver.User{{Name: ntlmUser, Password: ntlmPassword}}})
		p := newWireProxy(t, addr(srv))
		cfg := config(srv, cim.AuthNegotiate, cim.NewCredential(`WORKGROUP\`+ntlmUser, ntlmPassword), cim.SessionOption{})
		cfg.Port = p.Port()
		s := open(t, cfg)
		// a CIM query first: the commands reuse its connection
		if _, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_OperatingSystem"}); err != nil {
			t.Fatal(err)
		}
		runEcho(t, s)
		wire := p.Sent()
		for _, clear := range []string{"through stdin", "Envelope", "shell/cmd", ntlmPassword} {
			if bytes.Contains(wire, []byte(clear)) {
				t.Errorf("%q crossed the wire in clear", clear)
			}
		}
		if l := srv.Requests(); l[len(l)-1].User != ntlmUser || srv.OpenShells() != 0 {
			t.Fatalf("user %q, open shells %d", l[len(l)-1].User, srv.OpenShells())
		}
		// One handshake per connection, and few connections: the Send
		// beside a held Receive is the only reason for a second.
		if c := srv.Counters(); c.Connections > 3 || c.Handshakes != c.Connections {
			t.Errorf("counters %+v", c)
		}
	})
	t.Run("basic-https", func(t *testing.T) {
		srv := wsmantest.NewServer(t, wsmantest.Options{TLS: true, BasicUsers: basicUsers})
		runEcho(t, open(t, config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword),
			cim.SessionOption{UseSSL: true, CAFile: writeCA(t, srv.Certificate())})))
	})
	t.Run("certificate", func(t *testing.T) {
		dir := t.TempDir()
		pool, certFile, keyFile := clientCert(t, dir, "trusted", "operator")
		srv := wsmantest.NewServer(t, wsmantest.Options{TLS: true, ClientCAs: pool})
		runEcho(t, open(t, config(srv, cim.AuthCertificate, nil,
			cim.SessionOption{UseSSL: true, CAFile: writeCA(t, srv.Certificate()), CertificateFile: certFile, KeyFile: keyFile})))
		if l := srv.Requests(); l[0].User != "operator" {
			t.Fatalf("user %q", l[0].User)
		}
	})
	t.Run("kerberos-sealed", func(t *testing.T) {
		if err := kdc.Available(); err != nil {
			testenv.Missing(t, testenv.NoKDC, err)
		}
		k := kdc.Start(t, "CIMSH.TEST")
		kt, err := k.ServiceKeytab()
		if err != nil {
			t.Fatal(err)
		}
		srv := wsmantest.NewServer(t, wsmantest.Options{Keytab: kt, SPN: k.SPN})
		p := newWireProxy(t, addr(srv))
		cfg := config(srv, cim.AuthKerberos, cim.NewCredential(k.UserPrincipal(), k.Password), cim.SessionOption{SPN: k.SPN, Krb5Conf: k.Krb5Conf})
		cfg.Port = p.Port()
		runEcho(t, open(t, cfg))
		if wire := p.Sent(); bytes.Contains(wire, []byte("through stdin")) || !bytes.Contains(wire, []byte("multipart/encrypted")) {
			t.Error("the command crossed the wire in clear")
		}
		if l := srv.Requests(); l[0].User != k.User {
			t.Fatalf("user %q", l[0].User)
		}
	})
}

// Closing the session while a command runs terminates it and deletes its
// shell before the connections go.
func TestRunCommandSessionClose(t *testing.T) {
	receives := make(chan struct{}, 16)
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{
		Logf: func(_ string, args ...any) {
			if args[0] == "Receive" {
				receives <- struct{}{}
			}
		},
		RunCommand: func(ctx context.Context, p *wsmantest.Process) int {
			<-ctx.Done()
			return 1
		}})
	s := basicSession(t, srv)
	done := make(chan error, 1)
	go func() {
		_, err := s.RunCommand(context.Background(), &model.CommandRequest{Command: "wait"})
		done <- err
	}()
	<-receives // the command runs and the server holds a Receive
	s.Close()
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("RunCommand after Close: %v", err)
	}
	if srv.OpenShells() != 0 || count(srv, "Signal") != 1 || count(srv, "Delete") != 1 {
		t.Fatalf("open shells %d; server saw %v", srv.OpenShells(), srv.Operations())
	}
}

// A session whose provider cannot run commands says so.
func TestRunCommandNotSupported(t *testing.T) {
	s, err := cim.NewSessionWithProvider(cim.Config{ComputerName: "fixture"}, wsmantest.FixtureProvider("fixture"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.RunCommand(testCtx(t), &model.CommandRequest{Command: "x"})
	if f := mustFault(t, "RunCommand", err); f.Category != model.CategoryNotSupported {
		t.Fatalf("%v", err)
	}
}
