// Package ntlmserver is an NTLM acceptor (the server side of MS-NLMP) for
// the project's WS-Man test server.
//
// github.com/bodgit/ntlmssp only implements the initiator, so the acceptor
// is written here from the specification: it parses NEGOTIATE messages,
// builds CHALLENGE messages (with target information and a timestamp),
// verifies AUTHENTICATE messages against a small user database (NTLMv2, and
// NTLMv1 with or without extended session security when enabled), checks
// the MIC, recovers the exported session key (KEY_EXCH) and provides the
// session security of MS-NLMP 3.4: RC4 sealing per direction and HMAC-MD5
// (or CRC32) message signatures with sequence numbers.
//
// Every parser checks its lengths; malformed input from the network yields
// an error wrapping ErrMalformed, never a panic. Passwords never appear in
// errors.
package ntlmserver
