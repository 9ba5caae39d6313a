package authserver

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// MutualAuthorization is the Authorization header value of WS-Man's
// HTTPS client-certificate profile.
const MutualAuthorization = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// Config selects the authentication methods; a method is enabled when
// its fields are set.
type Config struct {
	// Basic maps user names to passwords.
	Basic map[string]string
	// NTLM lists the NTLM accounts; NTLMOptions tunes the acceptor
	// (names, NTLMv1); its Users are added to NTLM.
	NTLM        []ntlmserver.User
	NTLMOptions ntlmserver.Config
	// Keytab enables Kerberos; SPN names the service principal whose key
	// is used (such as "HTTP/localhost"; empty means the ticket's).
	Keytab *keytab.Keytab
	SPN    string
	// RequireClientCert enables client-certificate authentication: a
	// request with the MutualAuthorization header must come over TLS with
	// a client certificate that verifies against ClientCAs (the server's
	// tls.Config should use tls.RequestClientCert or
	// tls.VerifyClientCertIfGiven). CertUser maps a verified certificate
	// to a user name; nil uses the subject's common name.
	RequireClientCert bool
	ClientCAs         *x509.CertPool
	CertUser          func(*x509.Certificate) (string, bool)
	// Realm is the Basic realm; default "WSMAN".
	Realm string
	// AllowUnencrypted accepts plain bodies (and Basic) over plain HTTP,
	// like WinRM's AllowUnencrypted; off by default, as on Windows.
	AllowUnencrypted bool
	// MaxBodyBytes bounds a request body; default 16 MiB.
	MaxBodyBytes int64
	// SilentUnauthenticated mimics OMI: a request without an
	// Authorization header (on a connection without a security context)
	// gets no response at all, and the connection is closed after this
	// long (OMI: about 60 s). Zero answers 401 like Windows.
	SilentUnauthenticated time.Duration
}

// Schemes reported in Identity.
const (
	SchemeBasic       = "basic"
	SchemeNTLM        = "ntlm"
	SchemeKerberos    = "kerberos"
	SchemeCertificate = "certificate"
)

// Identity is the authenticated caller of a request.
type Identity struct {
	User   string
	Domain string // NTLM domain or Kerberos realm, when known
	Scheme string // one of the Scheme constants
	// Sealed reports whether the request body arrived sealed (and the
	// reply will be sealed).
	Sealed bool
}

type identityKey struct{}

// FromContext returns the identity the middleware put into a request's
// context.
func FromContext(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// UserFromContext returns the authenticated user name, or "".
func UserFromContext(ctx context.Context) string {
	id, _ := FromContext(ctx)
	return id.User
}
