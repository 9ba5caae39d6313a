package transport

import (
	"context"
	"errors"

	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

// sealer is a connection's message-protection context (NTLM or
// Kerberos), used for HTTP message encryption (MS-WSMV 2.2.9.1).
type sealer interface {
	// protocol is the multipart/encrypted protocol value.
	protocol() string
	// wrap seals msg and returns the security header and the sealed
	// bytes (as long as msg).
	wrap(msg []byte) (sig, sealedMsg []byte, err error)
	// unwrap verifies and unseals; it must not panic on hostile input.
	unwrap(sig, sealedMsg []byte) ([]byte, error)
}

// handshakeDone checks the reply to a handshake's last token: 200 on a
// connection the server keeps open. refused says what a status other
// than 200 or 401 refused.
func (c *Client) handshakeDone(rep *reply, scheme, refused string) error {
	switch rep.status {
	case 200:
	case 401:
		return c.deniedFault("")
	default:
		return &HTTPError{StatusCode: rep.status, ContentType: rep.contentType, Body: rep.body, SOAPFault: rep.fault, Err: errors.New(refused)}
	}
	if rep.close {
		return c.protocolFault(200, "server closes the connection right after the %s handshake", scheme)
	}
	return nil
}

// contextRoundTrip sends body on a connection whose authentication is
// established, sealed when the connection has a sealer. A 401 on a
// connection that was already authenticated before this request means the
// server forgot the context without processing the request, so the
// request may go again (on a new connection).
func (c *Client) contextRoundTrip(ctx context.Context, cn *conn, body []byte, reused bool, scheme string) (*reply, error) {
	hdrs := []header{{"Content-Type", soapContentType}}
	payload := body
	if cn.seal != nil {
		sig, sealedBody, err := cn.seal.wrap(body)
		if err != nil {
			return nil, c.protocolFault(0, "%s sealing: %v", scheme, err)
		}
		var ct string
		payload, ct = sealed.Encode(cn.seal.protocol(), sig, sealedBody, len(body))
		hdrs[0].value = ct
	}
	rep, err := c.roundTrip(ctx, cn, hdrs, payload)
	if err != nil {
		return nil, ioFailure(cn, err)
	}
	if rep.status == 401 && reused {
		return nil, &retryable{err: errors.New("server dropped the " + scheme + " authentication of the connection"), reauth: true}
	}
	if cn.seal != nil {
		if err := c.unseal(cn, rep, scheme); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// unseal replaces a sealed reply body with its plaintext.
func (c *Client) unseal(cn *conn, rep *reply, scheme string) error {
	if !sealed.IsEncrypted(rep.contentType) {
		if len(rep.body) == 0 {
			return nil // nothing to unseal, and the sequence numbers did not move
		}
		if rep.status == 200 {
			return c.protocolFault(rep.status, "unsealed %q reply on a %s-sealed connection", rep.contentType, scheme)
		}
		// A plain error page: the sequence numbers may now disagree,
		// so the connection is not reused.
		rep.close = true
		return nil
	}
	sig, sb, n, typ, err := sealed.Decode(rep.contentType, rep.body)
	if err != nil {
		return c.protocolFault(rep.status, "sealed reply: %w", err)
	}
	plain, err := cn.seal.unwrap(sig, sb)
	if err != nil {
		return c.protocolFault(rep.status, "sealed reply: %v", err)
	}
	if len(plain) != n {
		return c.protocolFault(rep.status, "sealed reply: %d bytes unsealed, %d declared", len(plain), n)
	}
	rep.body, rep.contentType = plain, typ
	return nil
}
