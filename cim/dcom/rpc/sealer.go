package rpc

// Sealer protects the PDUs of one established security context: NTLM's
// session security or Kerberos' RFC 4121 tokens. Protect and Verify take
// a whole fragment whose auth value follows the sec_trailer at end;
// [start, end) is the stub and its auth padding, sealed in place at the
// privacy level.
type Sealer interface {
	// AuthLen is the size of the auth value at level.
	AuthLen(level uint8) int
	Protect(pdu []byte, level uint8, start, end int) error
	Verify(pdu []byte, level uint8, start, end int) error
	// MIC and CheckMIC make and check SPNEGO's mechListMIC
	// (GSS_GetMIC/GSS_VerifyMIC over the mechanism list).
	MIC(data []byte) ([]byte, error)
	CheckMIC(data, mic []byte) error
}

var _ Sealer = (*Security)(nil)
