package e2e

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Credentials the test servers accept. The passwords are distinctive so
// that a test can assert they appear in no error text.
const (
	basicUser     = "administrator"
	basicPassword = "Basic-Pa55-e2e"
	ntlmUser      = "Administrator"
	ntlmPassword  = "Ntlm-Pa55-e2e"
)

var basicUsers = map[string]string{basicUser: basicPassword}

// dialects runs fn once per server dialect.
func dialects(t *testing.T, fn func(t *testing.T, d wsmantest.Dialect)) {
	t.Helper()
	for _, d := range []wsmantest.Dialect{wsmantest.Windows, wsmantest.OMI} {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// testCtx is a context bounded well below the suite's budget.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// basicServer serves the fixture provider in dialect d with Basic over
// plain HTTP allowed (AllowUnencrypted).
func basicServer(t *testing.T, d wsmantest.Dialect, o wsmantest.Options) *wsmantest.Server {
	t.Helper()
	o.Dialect = d
	if o.BasicUsers == nil {
		o.BasicUsers = basicUsers
	}
	o.AllowUnencrypted = true
	return wsmantest.NewServer(t, o)
}

// config is the session config for srv on 127.0.0.1.
func config(srv *wsmantest.Server, auth cim.Authentication, cred *cim.Credential, opt cim.SessionOption) cim.Config {
	return cim.Config{ComputerName: "127.0.0.1", Port: srv.Port(), Credential: cred, Authentication: auth, Option: opt}
}

// open creates a session from cfg and closes it when the test ends.
func open(t *testing.T, cfg cim.Config) *cim.Session {
	t.Helper()
	s, err := cim.NewSession(cfg)
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// basicSession is a Basic session over plain HTTP with no_encryption.
func basicSession(t *testing.T, srv *wsmantest.Server) *cim.Session {
	t.Helper()
	return open(t, config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true}))
}

// writeCA writes the server's certificate as a PEM file to trust.
func writeCA(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	if cert == nil {
		t.Fatal("the server has no certificate")
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ref builds the key-only instance that addresses one object.
func ref(class, ns string, keys ...string) *model.Instance {
	inst := model.NewInstance(class, ns)
	for i := 0; i+1 < len(keys); i += 2 {
		inst.SetKey(keys[i], model.String(keys[i+1]))
	}
	return inst
}

// text returns a property's text, "<missing>" when absent.
func text(inst *model.Instance, name string) string {
	if inst == nil {
		return "<nil instance>"
	}
	v, ok := inst.Get(name)
	if !ok {
		return "<missing>"
	}
	return v.Text()
}

// names returns the Name property of each instance, joined by commas.
func names(list []*model.Instance) string {
	out := make([]string, len(list))
	for i, inst := range list {
		out[i] = text(inst, "Name")
	}
	return strings.Join(out, ",")
}

// mustFault returns err as a fault or fails the test.
func mustFault(t *testing.T, what string, err error) *model.Fault {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	f, ok := model.AsFault(err)
	if !ok {
		t.Fatalf("%s: %T %v is not a *model.Fault", what, err, err)
	}
	return f
}

// count returns how many logged requests were the operation op.
func count(srv *wsmantest.Server, op string) int {
	n := 0
	for _, o := range srv.Operations() {
		if o == op {
			n++
		}
	}
	return n
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// noSecret fails when any error text of err's chain shows secret.
func noSecret(t *testing.T, err error, secret string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), secret) {
			t.Fatalf("the password appears in an error: %q", e.Error())
		}
	}
	if f, ok := model.AsFault(err); ok {
		for _, s := range []string{f.Reason, f.Detail, f.WSManMessage, f.CIMMessage, f.Summary()} {
			if strings.Contains(s, secret) {
				t.Fatalf("the password appears in a fault field: %q", s)
			}
		}
	}
}
