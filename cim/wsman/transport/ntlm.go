package transport

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	_ "crypto/sha256" // registers the hashes channelBindings uses
	_ "crypto/sha512"

	"github.com/bodgit/ntlmssp"

	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

// NTLM negotiate flags read from the CHALLENGE_MESSAGE (MS-NLMP 2.2.2.5).
const (
	ntlmFlagSign = 0x00000010
	ntlmFlagSeal = 0x00000020
)

// ntlmSigLen is the length of an NTLM message signature (MS-NLMP 2.2.2.9).
const ntlmSigLen = 16

// ntlmRoundTrip sends body on cn, running the NTLM handshake first when
// cn has none, and sealing the request and unsealing the reply when the
// connection is sealed.
func (c *Client) ntlmRoundTrip(ctx context.Context, cn *conn, body []byte) (*reply, error) {
	reused := cn.authed
	if !cn.authed {
		if err := c.ntlmHandshake(ctx, cn); err != nil {
			return nil, err
		}
	}
	return c.contextRoundTrip(ctx, cn, body, reused, "NTLM")
}

// ntlmSealer seals with an NTLM security session (MS-NLMP 3.4.6).
type ntlmSealer struct{ s *ntlmssp.SecuritySession }

func (n ntlmSealer) protocol() string { return sealed.ProtocolSPNEGO }

func (n ntlmSealer) wrap(msg []byte) (sig, sealedMsg []byte, err error) {
	sealedMsg, sig, err = n.s.Wrap(msg)
	return sig, sealedMsg, err
}

// unwrap verifies and unseals, turning a panic of the library on a
// hostile input into an error.
func (n ntlmSealer) unwrap(sig, b []byte) (plain []byte, err error) {
	if len(sig) != ntlmSigLen {
		return nil, fmt.Errorf("NTLM signature of %d bytes, want %d", len(sig), ntlmSigLen)
	}
	defer func() {
		if r := recover(); r != nil {
			plain, err = nil, fmt.Errorf("NTLM unseal failed: %v", r)
		}
	}()
	return n.s.Unwrap(b, sig)
}

// ntlmAuthenticate answers a challenge, turning a panic of the library
// on a malformed challenge into an error.
func ntlmAuthenticate(nc *ntlmssp.Client, challenge []byte, cbt *ntlmssp.ChannelBindings) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("malformed NTLM challenge: %v", r)
		}
	}()
	return nc.Authenticate(challenge, cbt)
}

// ntlmHandshake runs NEGOTIATE / CHALLENGE / AUTHENTICATE on cn with
// empty POSTs, as WinRM clients do before sealing: once per connection.
func (c *Client) ntlmHandshake(ctx context.Context, cn *conn) error {
	c.stats.handshakes.Add(1)
	user, domain := splitUser(c.cfg.User, c.cfg.Domain)
	nc, err := ntlmssp.NewClient(ntlmssp.SetUserInfo(user, c.cfg.Password), ntlmssp.SetDomain(domain), ntlmssp.SetVersion(ntlmssp.DefaultVersion()))
	if err != nil {
		return fmt.Errorf("transport: NTLM client: %w", err)
	}
	neg, err := nc.Authenticate(nil, nil)
	if err != nil {
		return fmt.Errorf("transport: NTLM negotiate message: %w", err)
	}
	hdrs := []header{{"Content-Type", soapContentType}, {"Authorization", "Negotiate " + base64.StdEncoding.EncodeToString(neg)}}
	rep, err := c.roundTrip(ctx, cn, hdrs, nil)
	if err != nil {
		return ioFailure(cn, err)
	}
	if rep.status != 401 {
		if rep.status == 200 {
			return c.protocolFault(200, "server accepted an NTLM negotiate message without a challenge")
		}
		return &HTTPError{StatusCode: rep.status, ContentType: rep.contentType, Body: rep.body, SOAPFault: rep.fault, Err: errors.New("NTLM negotiate refused")}
	}
	challenge, ok, err := authToken(rep.header.Values("WWW-Authenticate"), "Negotiate")
	if err != nil || !ok || len(challenge) == 0 {
		if !ok {
			return c.deniedFault("server does not offer Negotiate (offers " + offered(rep.header.Values("WWW-Authenticate")) + ")")
		}
		return c.protocolFault(401, "no NTLM challenge in the Negotiate reply")
	}
	if rep.close {
		return c.protocolFault(401, "server closes the connection in the middle of the NTLM handshake")
	}
	flags, err := challengeFlags(challenge)
	if err != nil {
		return c.protocolFault(401, "%v", err)
	}
	if c.cfg.sealing() && flags&ntlmFlagSeal == 0 {
		return c.protocolFault(401, "server did not agree to NTLM message sealing (flags 0x%08x); HTTP needs it unless no_encryption is set", flags)
	}
	var cbt *ntlmssp.ChannelBindings
	if cn.tls != nil && len(cn.tls.PeerCertificates) > 0 {
		cbt = channelBindings(cn.tls.PeerCertificates[0])
	}
	auth, err := ntlmAuthenticate(nc, challenge, cbt)
	if err != nil {
		return c.protocolFault(401, "%v", err)
	}
	hdrs[1].value = "Negotiate " + base64.StdEncoding.EncodeToString(auth)
	rep, err = c.roundTrip(ctx, cn, hdrs, nil)
	if err != nil {
		return ioFailure(cn, err)
	}
	if err := c.handshakeDone(rep, "NTLM", "NTLM authenticate refused"); err != nil {
		return err
	}
	cn.authed = true
	if c.cfg.sealing() {
		s := nc.SecuritySession()
		if s == nil {
			return c.protocolFault(200, "NTLM handshake gave no security session for sealing")
		}
		cn.seal = ntlmSealer{s}
	}
	return nil
}

// challengeFlags reads NegotiateFlags from a CHALLENGE_MESSAGE: the
// signature "NTLMSSP\0", MessageType 2, and the flags at offset 20.
func challengeFlags(b []byte) (uint32, error) {
	if len(b) < 32 || string(b[:8]) != "NTLMSSP\x00" || binary.LittleEndian.Uint32(b[8:]) != 2 {
		return 0, errors.New("the Negotiate reply is not an NTLM challenge message")
	}
	return binary.LittleEndian.Uint32(b[20:]), nil
}

// channelBindings are the RFC 5929 tls-server-end-point bindings of the
// server certificate: its hash with the certificate's signature hash
// (SHA-256 for MD5 and SHA-1), so that Windows with channel binding
// hardening accepts NTLM over HTTPS.
func channelBindings(cert *x509.Certificate) *ntlmssp.ChannelBindings {
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	case x509.SHA384WithRSA, x509.ECDSAWithSHA384, x509.SHA384WithRSAPSS:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.ECDSAWithSHA512, x509.SHA512WithRSAPSS:
		h = crypto.SHA512
	case x509.PureEd25519:
		return nil
	default:
		h = crypto.SHA256
	}
	d := h.New()
	d.Write(cert.Raw)
	return &ntlmssp.ChannelBindings{ApplicationData: append([]byte(ntlmssp.TLSServerEndPoint+":"), d.Sum(nil)...)}
}
