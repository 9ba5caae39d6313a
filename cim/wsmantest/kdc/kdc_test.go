package kdc

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/internal/testenv"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// TestKDC starts a realm, logs in with gokrb5 (password and MIT kinit's
// ccache), gets a service ticket for HTTP/localhost and accepts it with
// the exported keytab.
func TestKDC(t *testing.T) {
	k := Start(t, "CIMSH.TEST")
	cfg, err := k.Config()
	if err != nil {
		t.Fatal(err)
	}
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}

	cl := client.NewWithPassword(k.User, k.Realm, k.Password, cfg, client.DisablePAFXFAST(true))
	defer cl.Destroy()
	if err := cl.Login(); err != nil {
		t.Fatalf("gokrb5 login: %v", err)
	}
	accept := func(t *testing.T, cl *client.Client) {
		t.Helper()
		sp := spnego.SPNEGOClient(cl, k.SPN)
		tok, err := sp.InitSecContext()
		if err != nil {
			t.Fatalf("InitSecContext: %v", err)
		}
		b, err := tok.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		var st spnego.SPNEGOToken
		if err := st.Unmarshal(b); err != nil {
			t.Fatal(err)
		}
		svc := spnego.SPNEGOService(kt, service.DecodePAC(false), service.KeytabPrincipal(k.SPN))
		ok, ctx, status := svc.AcceptSecContext(&st)
		if !ok {
			t.Fatalf("service refused the ticket: %v", status)
		}
		// gokrb5 stores the identity under this (unexported) string key.
		id, _ := ctx.Value("github.com/jcmturner/gokrb5/v8/ctxCredentials").(interface{ UserName() string })
		if id == nil || id.UserName() != k.User {
			t.Fatalf("service saw identity %v, want user %q", id, k.User)
		}
	}
	t.Run("password", func(t *testing.T) { accept(t, cl) })

	t.Run("printing hides the password", func(t *testing.T) {
		for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k)} {
			if strings.Contains(s, k.Password) {
				t.Fatalf("%q shows the password", s)
			}
		}
		if !strings.Contains(fmt.Sprint(k), k.Realm) {
			t.Fatalf("%v", k)
		}
	})

	t.Run("kinit ccache", func(t *testing.T) {
		path := k.Kinit(t)
		cc, err := credentials.LoadCCache(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := cc.GetClientPrincipalName().PrincipalNameString(); got != k.User {
			t.Fatalf("ccache principal %q", got)
		}
		ccl, err := client.NewFromCCache(cc, cfg, client.DisablePAFXFAST(true))
		if err != nil {
			t.Fatal(err)
		}
		accept(t, ccl)
	})

	t.Run("wrong password", func(t *testing.T) {
		bad := client.NewWithPassword(k.User, k.Realm, "not-"+k.Password, cfg, client.DisablePAFXFAST(true))
		err := bad.Login()
		if err == nil {
			t.Fatal("login with a wrong password succeeded")
		}
		if strings.Contains(err.Error(), k.Password) {
			t.Fatal("error shows the password")
		}
	})
}

// TestStrictSkip checks that a missing binary skips, or fails under
// CIMSH_STRICT=1, by hiding the programs.
func TestStrictSkip(t *testing.T) {
	saved := sbinDirs
	sbinDirs = nil
	t.Setenv("PATH", t.TempDir())
	defer func() { sbinDirs = saved }()
	if _, err := lookBinaries(); err == nil {
		t.Fatal("binaries found on an empty PATH")
	}
	for _, strict := range []string{"1", ""} {
		t.Setenv("CIMSH_STRICT", strict) // restored when the test ends
		rec := &recorder{TB: t}
		func() {
			// Skip and Fatal end a real test with runtime.Goexit; the
			// recorder panics instead, recovered here.
			defer func() { recover() }()
			skipOrFail(rec, "missing")
		}()
		if wantFatal := strict == "1"; rec.fatal != wantFatal || rec.skipped == wantFatal {
			t.Fatalf("CIMSH_STRICT=%q: fatal=%v skipped=%v", strict, rec.fatal, rec.skipped)
		}
	}
}

// recorder captures Skip and Fatal without ending the real test.
type recorder struct {
	testing.TB
	fatal, skipped bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.fatal = true; panic("fatal") }
func (r *recorder) Skip(...any)           { r.skipped = true; panic("skip") }

// TestStopAndAddUser: a second user logs in, and the KDC no longer
// listens once its test has finished.
func TestStopAndAddUser(t *testing.T) {
	var addr string
	t.Run("run", func(t *testing.T) {
		k := Start(t, "SECOND.TEST")
		addr = k.Addr
		k.AddUser(t, "bob", "Pw-bob-second")
		cfg, err := k.Config()
		if err != nil {
			t.Fatal(err)
		}
		cl := client.NewWithPassword("bob", k.Realm, "Pw-bob-second", cfg, client.DisablePAFXFAST(true))
		defer cl.Destroy()
		if err := cl.Login(); err != nil {
			t.Fatalf("bob: %v", err)
		}
		if !strings.HasPrefix(k.Addr, "127.0.0.1:") {
			t.Fatalf("KDC address %s is not loopback", k.Addr)
		}
	})
	if addr == "" {
		testenv.Skip(t, "the KDC did not start (see the subtest)")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("KDC still listening on %s after its test ended", addr)
	}
}
