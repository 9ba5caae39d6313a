package kdc

import (
	"os"
	"strings"
	"testing"

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
	rec := &recorder{TB: t}
	func() {
		defer func() { recover() }() // Skip/Fatal end with runtime.Goexit in real tests; the recorder panics instead
		os.Setenv("CIMSH_STRICT", "1")
		defer os.Unsetenv("CIMSH_STRICT")
		skipOrFail(rec, "missing")
	}()
	if !rec.fatal || rec.skipped {
		t.Fatalf("CIMSH_STRICT=1: fatal=%v skipped=%v", rec.fatal, rec.skipped)
	}
	rec = &recorder{TB: t}
	func() {
		defer func() { recover() }()
		skipOrFail(rec, "missing")
	}()
	if rec.fatal || !rec.skipped {
		t.Fatalf("without CIMSH_STRICT: fatal=%v skipped=%v", rec.fatal, rec.skipped)
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
