// Package transport carries WS-Management SOAP envelopes over HTTP and
// HTTPS with the authentication schemes WinRM servers use: Basic, NTLM
// (inside Negotiate) and Kerberos (SPNEGO), both with HTTP message
// encryption over plain HTTP (MS-WSMV 2.2.9.1: NTLM sealing, RFC 4121
// wrap tokens under the AP-REP's acceptor subkey), and TLS client
// certificates. Auth "default" and "negotiate" use NTLM; ask for
// "kerberos" to use Kerberos. CredSSP is not supported.
//
// It is a small hand-written HTTP/1.1 client rather than net/http because
// WinRM ties authentication to the TCP connection: an NTLM security
// context (its RC4 sealing state and sequence numbers) lives as long as
// the connection, so the client runs one handshake per connection, keeps
// connections alive for its life, and must know for each request whether
// any byte of it was written before a connection died: a request whose
// wsman.Effect is not resendable (a Pull, an Enumerate, an Invoke...) is
// never sent twice.
//
// New opens nothing; the first Post dials. A Client is safe for
// concurrent use: each request holds a connection of its own.
package transport
