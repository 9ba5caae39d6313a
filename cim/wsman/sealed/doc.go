// Package sealed encodes and decodes the HTTP message-encryption framing
// WinRM uses over plain HTTP (MS-WSMV 2.2.9.1): a multipart/encrypted body
// whose first part names the original content and its length, and whose
// second part holds a 4-byte little-endian signature length, the signature
// (an NTLM message signature or a Kerberos RFC 4121 wrap token header) and
// the sealed bytes.
//
// The package only frames; sealing and signing belong to the NTLM or
// Kerberos security context of the caller. Decode checks every length, so
// a malformed or truncated body from the network is an error, never a
// panic.
package sealed
