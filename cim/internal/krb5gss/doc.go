// Package krb5gss is the Kerberos V5 GSS-API mechanism (RFC 4121) as
// both of cimsh's remote protocols use it: the per-message tokens (wrap
// and MIC, with their sequence numbers, direction flags and the acceptor
// subkey), the AP-REQ and AP-REP of context establishment, and the
// client's setup from krb5.conf and a ticket cache, a keytab or a
// password.
//
// WS-Man's HTTP message encryption (cim/wsman) and DCE/RPC's packet
// protection (cim/dcom/rpc) differ only in where they put the tokens in
// their messages; the cryptography, the checks and the credential
// handling live here once, below both, so that neither protocol package
// imports the other. Errors carry no package prefix: each caller words
// them for its own layer.
package krb5gss
