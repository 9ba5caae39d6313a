package transport

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // "" means valid
	}{
		{"negotiate over http", Config{Host: "h", User: "u", Password: "p"}, ""},
		{"ntlm over https", Config{Host: "h", HTTPS: true, Auth: AuthNTLM, User: "u"}, ""},
		{"basic over https", Config{Host: "h", HTTPS: true, Auth: AuthBasic, User: "u"}, ""},
		{"basic over http with no_encryption", Config{Host: "h", Auth: AuthBasic, User: "u", NoEncryption: true}, ""},
		{"kerberos over https", Config{Host: "h", HTTPS: true, Auth: AuthKerberos}, ""},
		{"kerberos no_encryption", Config{Host: "h", Auth: AuthKerberos, NoEncryption: true}, ""},
		{"certificate", Config{Host: "h", HTTPS: true, Auth: AuthCertificate, CertFile: "c", KeyFile: "k"}, ""},
		{"upper-case auth", Config{Host: "h", HTTPS: true, Auth: "Basic", User: "u"}, ""},
		{"no host", Config{User: "u"}, "no host"},
		{"bad host", Config{Host: "a b", User: "u"}, "invalid host"},
		{"bad port", Config{Host: "h", Port: 70000, User: "u"}, "port 70000"},
		{"credssp", Config{Host: "h", Auth: AuthCredSSP, User: "u"}, "credssp authentication is not supported"},
		{"basic over http", Config{Host: "h", Auth: AuthBasic, User: "u"}, "basic authentication over plain HTTP"},
		{"kerberos over http (sealed)", Config{Host: "h", Auth: AuthKerberos}, ""},
		{"certificate over http", Config{Host: "h", Auth: AuthCertificate, CertFile: "c", KeyFile: "k"}, "certificate authentication needs HTTPS"},
		{"certificate without files", Config{Host: "h", HTTPS: true, Auth: AuthCertificate}, "needs a certificate file and a key file"},
		{"negotiate without user", Config{Host: "h"}, "needs a user name"},
		{"unknown auth", Config{Host: "h", Auth: "digest", User: "u"}, `unknown authentication "digest"`},
		{"bad prefix", Config{Host: "h", User: "u", Prefix: "/ws man"}, "invalid HTTP prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if s := c.Stats(); s.Dials != 0 || s.Requests != 0 {
					t.Fatalf("New opened something: %+v", s)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "transport: ") {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := New(Config{Host: "[::1]", User: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.Port != 5985 || c.cfg.Prefix != "/wsman" || c.cfg.ConnectTimeout != 10*time.Second || c.cfg.Auth != AuthDefault || c.cfg.addr() != "[::1]:5985" {
		t.Fatalf("defaults: %v", c.cfg)
	}
	if !c.cfg.sealing() {
		t.Fatal("negotiate over HTTP must seal")
	}
	c, _ = New(Config{Host: "h", HTTPS: true, User: "u", Prefix: "custom"})
	if c.cfg.Port != 5986 || c.cfg.Prefix != "/custom" || c.cfg.sealing() {
		t.Fatalf("https defaults: %v", c.cfg)
	}
	c, _ = New(Config{Host: "h", User: "u", NoEncryption: true})
	if c.cfg.sealing() {
		t.Fatal("no_encryption must not seal")
	}
	c, _ = New(Config{Host: "h", Auth: AuthKerberos})
	if !c.cfg.sealing() {
		t.Fatal("kerberos over HTTP must seal")
	}
}

func TestSPN(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Host: "srv.example.com", HTTPS: true, Auth: AuthKerberos}, "HTTP/srv.example.com"},
		{Config{Host: "srv.example.com", HTTPS: true, Auth: AuthKerberos, EncodePortInSPN: true}, "HTTP/srv.example.com:5986"},
		{Config{Host: "srv", Port: 8443, HTTPS: true, Auth: AuthKerberos, SPN: "WSMAN/srv"}, "WSMAN/srv"},
	} {
		c, err := New(tt.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.SPN(); got != tt.want {
			t.Errorf("SPN %q, want %q", got, tt.want)
		}
	}
}

// The password must not leak through any formatting of the config or
// the client.
func TestPasswordNeverPrinted(t *testing.T) {
	const secret = "S3cr3t-Pa55"
	cfg := Config{Host: "h", User: "admin", Password: secret}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		for _, v := range []any{cfg, &cfg, c, []Config{cfg}, struct{ C Config }{cfg}} {
			if s := fmt.Sprintf(f, v); strings.Contains(s, secret) {
				t.Errorf("%s of %T prints the password: %s", f, v, s)
			}
		}
	}
	if s := fmt.Sprint(cfg); !strings.Contains(s, "Password:<redacted>") || !strings.Contains(s, "User:admin") {
		t.Errorf("String: %s", s)
	}
	if s := fmt.Sprintf("%+v", c.Stats()); strings.Contains(s, secret) {
		t.Errorf("stats: %s", s)
	}
}

func TestSplitUser(t *testing.T) {
	for _, tt := range []struct{ in, dom, user, wantDom string }{
		{"admin", "", "admin", ""},
		{`CORP\admin`, "", "admin", "CORP"},
		{"admin@corp.example", "", "admin", "corp.example"},
		{`CORP\admin`, "OTHER", `CORP\admin`, "OTHER"},
	} {
		u, d := splitUser(tt.in, tt.dom)
		if u != tt.user || d != tt.wantDom {
			t.Errorf("splitUser(%q, %q) = %q, %q", tt.in, tt.dom, u, d)
		}
	}
}
