package transport

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Auth names an authentication scheme.
type Auth string

// The authentication schemes (PowerShell's -Authentication names, lower
// case).
const (
	AuthDefault     Auth = "default" // Negotiate
	AuthNegotiate   Auth = "negotiate"
	AuthNTLM        Auth = "ntlm"
	AuthKerberos    Auth = "kerberos"
	AuthBasic       Auth = "basic"
	AuthCertificate Auth = "certificate"
	AuthCredSSP     Auth = "credssp"
)

// Default ports and limits.
const (
	DefaultHTTPPort       = 5985
	DefaultHTTPSPort      = 5986
	DefaultPrefix         = "/wsman"
	DefaultConnectTimeout = 10 * time.Second
	DefaultUserAgent      = "Microsoft WinRM Client"
)

// Config says where and how to connect. The zero values mean the Windows
// defaults: port 5985 (5986 with HTTPS), prefix /wsman, Negotiate.
type Config struct {
	Host   string
	Port   int // 0: 5985, or 5986 with HTTPS
	HTTPS  bool
	Prefix string // "/wsman"

	Auth                   Auth
	User, Domain, Password string // Password is never printed

	// NoEncryption allows Basic over plain HTTP and turns off NTLM and
	// Kerberos message sealing (the server needs AllowUnencrypted).
	NoEncryption bool

	CAFile                   string // PEM certificates trusted besides the system's
	SkipCACheck, SkipCNCheck bool   // SkipCNCheck still verifies the chain
	CertFile, KeyFile        string // client certificate for AuthCertificate

	// Kerberos: SPN defaults to HTTP/<host> (HTTP/<host>:<port> with
	// EncodePortInSPN). Krb5Conf defaults to $KRB5_CONFIG, then
	// /etc/krb5.conf; CCache to $KRB5CCNAME. Realm defaults to the one in
	// User ("user@REALM"), then krb5.conf's default_realm.
	SPN                      string
	EncodePortInSPN          bool
	Krb5Conf, CCache, Keytab string
	Realm                    string
	ConnectTimeout           time.Duration // default 10 s: dial and TLS handshake
	UserAgent                string        // default "Microsoft WinRM Client"
	// Trace, when set, receives every request and reply envelope, in
	// clear and indented, with secrets redacted (trace.go).
	Trace io.Writer
}

// String describes the config with the password redacted.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "<redacted>"
	}
	return fmt.Sprintf("{Host:%s Port:%d HTTPS:%t Prefix:%s Auth:%s User:%s Domain:%s Password:%s NoEncryption:%t CAFile:%s SkipCACheck:%t SkipCNCheck:%t CertFile:%s KeyFile:%s SPN:%s EncodePortInSPN:%t Krb5Conf:%s CCache:%s Keytab:%s Realm:%s ConnectTimeout:%s UserAgent:%s}",
		c.Host, c.Port, c.HTTPS, c.Prefix, c.Auth, c.User, c.Domain, pw, c.NoEncryption, c.CAFile, c.SkipCACheck, c.SkipCNCheck,
		c.CertFile, c.KeyFile, c.SPN, c.EncodePortInSPN, c.Krb5Conf, c.CCache, c.Keytab, c.Realm, c.ConnectTimeout, c.UserAgent)
}

// GoString is String with the type name, for %#v.
func (c Config) GoString() string { return "transport.Config" + c.String() }

// Format makes every verb (%v, %+v, %#v, %s, %q) print the redacted form.
func (c Config) Format(f fmt.State, verb rune) {
	s := c.String()
	switch {
	case verb == 'v' && f.Flag('#'):
		s = c.GoString()
	case verb == 'q':
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// normalize fills the defaults and checks the combination. It reads no
// file and resolves no name.
func (c Config) normalize() (Config, error) {
	c.Host = strings.TrimSpace(c.Host)
	if strings.HasPrefix(c.Host, "[") && strings.HasSuffix(c.Host, "]") {
		c.Host = c.Host[1 : len(c.Host)-1]
	}
	if c.Host == "" {
		return c, fmt.Errorf("transport: no host")
	}
	if strings.ContainsAny(c.Host, " /\\@\r\n\t") {
		return c, fmt.Errorf("transport: invalid host %q", c.Host)
	}
	if c.Port == 0 {
		c.Port = DefaultHTTPPort
		if c.HTTPS {
			c.Port = DefaultHTTPSPort
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return c, fmt.Errorf("transport: port %d out of range", c.Port)
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if !strings.HasPrefix(c.Prefix, "/") {
		c.Prefix = "/" + c.Prefix
	}
	if strings.ContainsAny(c.Prefix, " \r\n\t") {
		return c, fmt.Errorf("transport: invalid HTTP prefix %q", c.Prefix)
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if strings.ContainsAny(c.UserAgent, "\r\n") {
		return c, fmt.Errorf("transport: invalid user agent")
	}
	c.Auth = Auth(strings.ToLower(strings.TrimSpace(string(c.Auth))))
	if c.Auth == "" {
		c.Auth = AuthDefault
	}
	switch c.Auth {
	case AuthDefault, AuthNegotiate, AuthNTLM:
		if c.User == "" {
			return c, fmt.Errorf("transport: %s authentication needs a user name", c.Auth)
		}
	case AuthBasic:
		if c.User == "" {
			return c, fmt.Errorf("transport: basic authentication needs a user name")
		}
		if !c.HTTPS && !c.NoEncryption {
			return c, fmt.Errorf("transport: basic authentication over plain HTTP sends the password in clear; use HTTPS, or no_encryption if the server allows unencrypted traffic")
		}
		if strings.Contains(c.User, ":") {
			return c, fmt.Errorf("transport: basic authentication cannot carry a user name with ':'")
		}
	case AuthKerberos:
	case AuthCertificate:
		if !c.HTTPS {
			return c, fmt.Errorf("transport: certificate authentication needs HTTPS")
		}
		if c.CertFile == "" || c.KeyFile == "" {
			return c, fmt.Errorf("transport: certificate authentication needs a certificate file and a key file")
		}
	case AuthCredSSP:
		return c, fmt.Errorf("transport: credssp authentication is not supported")
	default:
		return c, fmt.Errorf("transport: unknown authentication %q (want default, negotiate, ntlm, kerberos, basic, certificate)", c.Auth)
	}
	return c, nil
}

// addr is host:port for dialing and the Host header.
func (c *Config) addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// sealing reports whether messages are sealed (HTTP message encryption):
// over plain HTTP, unless the user turned encryption off.
func (c *Config) sealing() bool {
	return !c.HTTPS && !c.NoEncryption && (c.isNTLM() || c.Auth == AuthKerberos)
}

func (c *Config) isNTLM() bool {
	return c.Auth == AuthDefault || c.Auth == AuthNegotiate || c.Auth == AuthNTLM
}
