package cim

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// What New-CimSession -ComputerName users paste: the host, port, scheme
// and path end up where the session uses them.
func TestComputerNameForms(t *testing.T) {
	for _, tc := range []struct {
		name             string
		port             int
		ssl              bool
		prefix           string
		wantHost         string
		wantPort         int
		wantSSL          bool
		wantPrefix, want string // want: the error's text
	}{
		{name: "srv01", wantHost: "srv01", wantPort: 5985},
		{name: "srv01", ssl: true, wantHost: "srv01", wantPort: 5986, wantSSL: true},
		{name: "127.0.0.1:15985", wantHost: "127.0.0.1", wantPort: 15985},
		{name: "127.0.0.1:15985", port: 15985, wantHost: "127.0.0.1", wantPort: 15985},
		{name: "[::1]:5986", wantHost: "::1", wantPort: 5986},
		{name: "[::1]", wantHost: "::1", wantPort: 5985},
		{name: "fe80::1", wantHost: "fe80::1", wantPort: 5985},
		{name: "http://srv01:8080/wsman", wantHost: "srv01", wantPort: 8080, wantPrefix: "/wsman"},
		{name: "https://srv01/wsman", wantHost: "srv01", wantPort: 5986, wantSSL: true, wantPrefix: "/wsman"},
		{name: "HTTPS://srv01:5986", wantHost: "srv01", wantPort: 5986, wantSSL: true},
		{name: "http://[::1]:15985/wsman", wantHost: "::1", wantPort: 15985, wantPrefix: "/wsman"},
		{name: "http://srv01/custom/path", prefix: "/custom/path", wantHost: "srv01", wantPort: 5985, wantPrefix: "/custom/path"},

		{name: "127.0.0.1:15985", port: 5985, want: `computer_name "127.0.0.1:15985" gives port 15985, but port is 5985`},
		{name: "http://srv01:5985/wsman", ssl: true, want: `computer_name "http://srv01:5985/wsman" is an http:// URL, but use_ssl is set`},
		{name: "http://srv01/a", prefix: "/b", want: `computer_name "http://srv01/a" gives the path /a, but http_prefix is "/b"`},
		{name: "srv01:http", want: `computer_name "srv01:http": the port "http" is not a number from 1 to 65535`},
		{name: "srv01:99999", want: `the port "99999" is not a number from 1 to 65535`},
		{name: "srv01:", want: `no port after the colon`},
		{name: ":5985", want: `computer_name ":5985" names no host`},
		{name: "fe80::1:5985x", want: `an IPv6 address with a port is written [ADDRESS]:PORT`},
		{name: "[::1", want: `no ] after the IPv6 address`},
		{name: "[nope]:1", want: `"nope" is not an IPv6 address`},
		{name: "ftp://srv01", want: `the scheme is "ftp"; want http:// or https://`},
		{name: "http://admin:pw@srv01", want: `carries a user name; give it as credential=`},
		{name: "http://srv01/wsman?x=1", want: `a WS-Man URL has no query or fragment`},
		{name: strings.Repeat("x", 1000) + ":1:2", want: `xxx"...: an IPv6 address`},
		// a name no DNS holds, which every error of the session would echo
		{name: strings.Repeat("h", 10<<20), want: `hhh"...: a host name is at most 253 characters, this one is 10485760`},
		{name: "http://" + strings.Repeat("h", 254) + ":1/wsman", want: `a host name is at most 253 characters, this one is 254`},
		{name: strings.Repeat("h", 253), wantHost: strings.Repeat("h", 253), wantPort: 5985},
	} {
		cfg := Config{ComputerName: tc.name, Port: tc.port, Option: SessionOption{UseSSL: tc.ssl, HTTPPrefix: tc.prefix}}
		s, err := NewSession(cfg)
		if tc.want != "" {
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%.60q: error %.300v, want %q", tc.name, err, tc.want)
			}
			if err != nil && len(err.Error()) > 400 {
				t.Errorf("%.60q: error of %d bytes quotes too much", tc.name, len(err.Error()))
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.name, err)
			continue
		}
		c := s.Config()
		if s.ComputerName() != tc.wantHost || s.Port() != tc.wantPort || c.Option.UseSSL != tc.wantSSL || c.Option.HTTPPrefix != tc.wantPrefix {
			t.Errorf("%q: host %q port %d ssl %v prefix %q, want %q %d %v %q", tc.name,
				s.ComputerName(), s.Port(), c.Option.UseSSL, c.Option.HTTPPrefix, tc.wantHost, tc.wantPort, tc.wantSSL, tc.wantPrefix)
		}
		s.Close()
	}
}

// HOST:PORT and a pasted URL reach the server (before, the name with its
// port was looked up in DNS: "lookup 127.0.0.1:15985: no such host").
func TestComputerNameWithPortConnects(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{BasicUsers: map[string]string{"admin": "pw"}, AllowUnencrypted: true})
	for _, name := range []string{srv.Host() + ":" + strconv.Itoa(srv.Port()), srv.URL(), "[::ffff:127.0.0.1]:" + strconv.Itoa(srv.Port())} {
		s, err := NewSession(Config{ComputerName: name, Authentication: AuthBasic, Credential: NewCredential("admin", "pw"),
			Option: SessionOption{NoEncryption: true}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10e9)
		list, err := s.GetInstances(ctx, InstanceQuery{ClassName: "Win32_OperatingSystem"})
		cancel()
		s.Close()
		if err != nil || len(list) != 1 {
			t.Errorf("%s: %d instances, %v", name, len(list), err)
		}
	}
}

func FuzzComputerName(f *testing.F) {
	for _, s := range []string{"srv", "h:1", "[::1]:5985", "http://h:1/wsman", "https://[::1]/", "::1", "[x]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c := Config{ComputerName: name}
		if err := c.parseComputerName(); err != nil {
			if len(err.Error()) > 600 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if c.Port < 0 || c.Port > 65535 {
			t.Fatalf("%q: port %d", name, c.Port)
		}
		if strings.TrimSpace(name) != "" && c.ComputerName == "" {
			t.Fatalf("%q: no host", name)
		}
	})
}
