package krb5gss

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// krb5Conf writes a krb5.conf whose realm's KDC is a closed loopback
// port, so that a login fails fast as "unreachable".
func krb5Conf(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "krb5.conf")
	conf := `[libdefaults]
 default_realm = DEFAULT.TEST
 dns_lookup_kdc = false
[realms]
 DEFAULT.TEST = {
  kdc = 127.0.0.1:1
 }
 USER.TEST = {
  kdc = 127.0.0.1:1
 }
 EXPLICIT.TEST = {
  kdc = 127.0.0.1:1
 }
 DOMAIN.TEST = {
  kdc = 127.0.0.1:1
 }
`
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNewClientSetup: each failure before a token is made has its kind
// and names the file or the principal, with the realm resolved from, in
// order, Realm, User's "@REALM", Domain, krb5.conf's default.
func TestNewClientSetup(t *testing.T) {
	conf := krb5Conf(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "none")
	// MIT reads a realm's block on one line; gokrb5's parser panics on it.
	oneLine := filepath.Join(dir, "oneline.conf")
	if err := os.WriteFile(oneLine, []byte("[realms]\n A.TEST = { kdc = 127.0.0.1:1 }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		cr        Credentials
		kind      SetupKind
		path      string
		principal string
	}{
		{"no ticket cache", Credentials{CCache: "FILE:" + missing, Krb5Conf: conf}, NoTicketCache, missing, ""},
		{"no ticket cache before no krb5.conf", Credentials{CCache: missing, Krb5Conf: missing + ".conf"}, NoTicketCache, missing, ""},
		{"no krb5.conf", Credentials{User: "u", Password: "p", Krb5Conf: missing + ".conf:" + conf}, BadConfig, missing + ".conf", ""},
		{"krb5.conf gokrb5 cannot parse", Credentials{User: "u", Password: "p", Krb5Conf: oneLine}, BadConfig, oneLine, ""},
		{"keyring cache", Credentials{CCache: "KEYRING:persistent:1000", Krb5Conf: conf}, CacheNotFile, "KEYRING:persistent:1000", ""},
		{"unreadable cache", Credentials{CCache: conf, Krb5Conf: conf}, BadTicketCache, conf, ""},
		{"no keytab", Credentials{User: "u", Keytab: "FILE:" + missing, Krb5Conf: conf}, BadKeytab, missing, ""},
		{"default realm", Credentials{User: "u", Password: "p", Krb5Conf: conf}, KDCUnreachable, "", "u@DEFAULT.TEST"},
		{"domain", Credentials{User: "u", Domain: "domain.test", Password: "p", Krb5Conf: conf}, KDCUnreachable, "", "u@DOMAIN.TEST"},
		{"user's realm", Credentials{User: "u@user.test", Domain: "domain.test", Password: "p", Krb5Conf: conf}, KDCUnreachable, "", "u@USER.TEST"},
		{"explicit realm", Credentials{User: "u@user.test", Realm: "explicit.test", Password: "p", Krb5Conf: conf}, KDCUnreachable, "", "u@EXPLICIT.TEST"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.cr)
			var se *SetupError
			if !errors.As(err, &se) {
				t.Fatalf("err %v, want a SetupError", err)
			}
			if se.Kind != tt.kind || se.Path != tt.path || se.Principal != tt.principal {
				t.Fatalf("kind %d path %q principal %q (%v), want %d %q %q", se.Kind, se.Path, se.Principal, err, tt.kind, tt.path, tt.principal)
			}
		})
	}
}

func TestCCacheName(t *testing.T) {
	t.Setenv("KRB5CCNAME", "FILE:/env/cache")
	for _, tt := range []struct{ configured, name, path string }{
		{"", "FILE:/env/cache", "/env/cache"},
		{"/tmp/x", "/tmp/x", "/tmp/x"},
		{"FILE:/tmp/y", "FILE:/tmp/y", "/tmp/y"},
		{"KCM:", "KCM:", ""},
		{"KEYRING:persistent:0", "KEYRING:persistent:0", ""},
	} {
		if n, p := CCacheName(tt.configured), CCachePath(tt.configured); n != tt.name || p != tt.path {
			t.Errorf("%q: name %q path %q, want %q %q", tt.configured, n, p, tt.name, tt.path)
		}
	}
	t.Setenv("KRB5CCNAME", "")
	if n := CCacheName(""); n != "/tmp/krb5cc_"+strconv.Itoa(os.Getuid()) {
		t.Errorf("default %q", n)
	}
}
