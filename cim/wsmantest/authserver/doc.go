// Package authserver is the authentication layer of the project's WS-Man
// test server: an http.Handler middleware that behaves like Windows
// WinRM's listener.
//
//   - Basic (realm "WSMAN"), refused over plain HTTP unless
//     AllowUnencrypted, like Windows.
//   - NTLM inside "Authorization: Negotiate" (verified by
//     cim/wsmantest/ntlmserver). The handshake and the established
//     security context belong to the TCP connection, so one handshake
//     serves every later request on a keep-alive connection; those
//     requests carry no Authorization header and arrive sealed as
//     multipart/encrypted (cim/wsman/sealed). The middleware unseals them,
//     passes the plain SOAP to the next handler and seals the reply.
//   - Kerberos through gokrb5's service side with a keytab: SPNEGO or a
//     raw Kerberos GSS token inside Negotiate (MIT GSSAPI clients send the
//     latter), or a raw token with the "Kerberos" scheme. The reply carries
//     an AP-REP in the same form for mutual authentication, like Windows.
//     The context belongs to the connection. The AP-REP carries an
//     acceptor subkey, and sealed bodies (HTTP-Kerberos-session-encrypted
//     or HTTP-SPNEGO-session-encrypted) are RFC 4121 wrap tokens under it,
//     as with Windows (checked against MIT GSSAPI).
//   - Client certificates over TLS, announced by the
//     "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"
//     Authorization header.
//
// Without AllowUnencrypted a plain-HTTP request body must be sealed:
// Basic is answered 401, and an unsealed body on an authenticated
// connection an empty 500, the two ways Windows refuses.
//
// SilentUnauthenticated switches to OMI's manner instead: a request
// without credentials gets no response, and the connection is closed
// after a delay.
//
// The per-connection state needs http.Server.ConnContext: call Install on
// the server (or set ConnContext to Handler.ConnContext) before it starts.
// Serve HTTP/1.1 only (leave HTTP/2 off on TLS listeners): a connection-bound
// NTLM context and its RC4 streams cannot be shared by multiplexed streams.
// The authenticated identity reaches the next handler through the request
// context (FromContext). Counters for tests are exported as atomics.
package authserver
