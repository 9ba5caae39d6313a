package cim

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// Authentication names an authentication mechanism, as New-CimSession's
// -Authentication does.
type Authentication string

// The authentication mechanisms.
const (
	AuthDefault     Authentication = "default"   // Negotiate
	AuthNegotiate   Authentication = "negotiate" // NTLM or Kerberos via SPNEGO
	AuthNTLM        Authentication = "ntlm"
	AuthKerberos    Authentication = "kerberos"
	AuthBasic       Authentication = "basic"
	AuthCertificate Authentication = "certificate"
	AuthCredSSP     Authentication = "credssp"
)

// ParseAuthentication accepts the names above in any case, and
// PowerShell's spellings (Default, Negotiate, Kerberos, Basic, CredSsp,
// NtlmDomain, ClientCertificate...).
func ParseAuthentication(s string) (Authentication, error) {
	switch strings.ToLower(s) {
	case "", "default":
		return AuthDefault, nil
	case "negotiate", "negotiatewithimplicitcredential":
		return AuthNegotiate, nil
	case "ntlm", "ntlmdomain":
		return AuthNTLM, nil
	case "kerberos":
		return AuthKerberos, nil
	case "basic":
		return AuthBasic, nil
	case "certificate", "clientcertificate":
		return AuthCertificate, nil
	case "credssp":
		return AuthCredSSP, nil
	}
	return "", fmt.Errorf("cim: unknown authentication %s (want %s)", model.Quote(s), AuthenticationNames)
}

// AuthenticationNames lists the mechanisms a WS-Man session supports,
// for messages.
const AuthenticationNames = "default, negotiate, ntlm, kerberos, basic or certificate"

// SessionOption holds New-CimSessionOption's settings.
type SessionOption struct {
	Protocol          string // "wsman" (or ""), or "dcom"
	UseSSL            bool
	SkipCACheck       bool
	SkipCNCheck       bool
	CAFile            string
	CertificateFile   string
	KeyFile           string
	SPN               string
	NoEncryption      bool
	MaxEnvelopeSizeKB int // default 500 (512000 bytes)
	Culture           string
	UICulture         string
	HTTPPrefix        string // default "/wsman"
	EncodePortInSPN   bool
	// ResourceURIForm chooses how classes are addressed: "dmtf" (the
	// default, as PowerShell does) or "wmi".
	ResourceURIForm string
	// Krb5Conf, CCache and Keytab locate Kerberos material; empty means
	// KRB5_CONFIG, KRB5CCNAME and no keytab.
	Krb5Conf, CCache, Keytab string

	// DCOM options (dcom.go): Impersonation is default, none, identify,
	// impersonate (the default) or delegate; PacketPrivacy and
	// PacketIntegrity, when set, choose the authentication level (packet
	// privacy unless PacketPrivacy is false).
	Impersonation   string
	PacketPrivacy   *bool
	PacketIntegrity *bool
}

// Config describes a session, as New-CimSession's parameters do.
type Config struct {
	// ComputerName is the remote host; empty means the local machine.
	// NewSession also accepts HOST:PORT, [IPV6]:PORT and
	// http(s)://HOST:PORT/PATH, and moves the port, scheme and path into
	// Port, Option.UseSSL and Option.HTTPPrefix.
	ComputerName   string
	Credential     *Credential
	Authentication Authentication
	Port           int // 0: 5985, or 5986 with UseSSL
	Name           string
	// OperationTimeout bounds each operation: it becomes the WS-Man
	// OperationTimeout header (capped at 60 s, what Windows accepts) and,
	// with a grace period, the client deadline.
	// Zero means 3 minutes on the client and 60 s on the server.
	OperationTimeout time.Duration
	// ConnectTimeout bounds connecting; zero means 10 s.
	ConnectTimeout time.Duration
	Option         SessionOption
	// Trace, when set, receives every WS-Man request and reply envelope
	// in clear, with secrets redacted (`cimsh --trace`).
	Trace io.Writer
}

// DefaultOperationTimeout is the client deadline of an operation when
// the session sets none.
const DefaultOperationTimeout = 3 * time.Minute

// deadlineGrace is added to an operation timeout for the client's own
// deadline, so that the server's timeout fault, which says more, arrives
// before the client gives up.
const deadlineGrace = 15 * time.Second

// clientDeadline is how long the client waits for an operation whose
// timeout is d (0: the default).
func clientDeadline(d time.Duration) time.Duration {
	if d == 0 {
		return DefaultOperationTimeout
	}
	return d + deadlineGrace
}

// validate checks what can be checked without the network.
func (c *Config) validate() error {
	switch strings.ToLower(c.Option.Protocol) {
	case "", "wsman", "ws-man", "winrm":
		if err := c.Option.checkNoDCOM(); err != nil {
			return err
		}
	case "dcom":
	default:
		return fmt.Errorf("cim: unknown protocol %s (want wsman or dcom)", model.Quote(c.Option.Protocol))
	}
	if c.Authentication == "" {
		c.Authentication = AuthDefault
	}
	if _, err := ParseAuthentication(string(c.Authentication)); err != nil {
		return err
	}
	if c.isDCOM() {
		return c.validateDCOM()
	}
	if c.Authentication == AuthCredSSP {
		return fmt.Errorf("cim: CredSSP authentication is not supported; use %s", AuthenticationNames)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("cim: port %d is out of range", c.Port)
	}
	if err := c.parseComputerName(); err != nil {
		return err
	}
	switch strings.ToLower(c.Option.ResourceURIForm) {
	case "", "dmtf", "wmi":
	default:
		return fmt.Errorf("cim: unknown resource URI form %s (want dmtf or wmi)", model.Quote(c.Option.ResourceURIForm))
	}
	if c.Option.MaxEnvelopeSizeKB < 0 {
		return fmt.Errorf("cim: max_envelope_size_kb must be positive")
	}
	if kb := c.Option.MaxEnvelopeSizeKB; kb > 0 && kb*1024 < wsman.MinEnvelopeSize && !c.isDCOM() {
		// Windows and OMI refuse every request with a smaller envelope
		// (w:EncodingLimit).
		return fmt.Errorf("cim: max_envelope_size_kb %d is below 8 (WS-Management servers refuse envelopes under 8192 bytes)", kb)
	}
	if c.OperationTimeout < 0 {
		return fmt.Errorf("cim: operation timeout must not be negative")
	}
	return nil
}

// port returns the effective port.
func (c *Config) port() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.isDCOM():
		return dcomPort
	case c.Option.UseSSL:
		return 5986
	}
	return 5985
}
