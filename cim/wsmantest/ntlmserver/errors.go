package ntlmserver

import "errors"

// Sentinel errors; every error from this package wraps one of them.
var (
	// ErrMalformed: a message is truncated, has a bad signature or type,
	// or a field points outside the message.
	ErrMalformed = errors.New("ntlmserver: malformed message")
	// ErrLogonFailure: unknown user, wrong password, anonymous logon or a
	// bad MIC. Deliberately one error so a client cannot tell which.
	ErrLogonFailure = errors.New("ntlmserver: logon failure")
	// ErrState: a message arrived out of order (AUTHENTICATE before
	// NEGOTIATE, or anything after the context was established).
	ErrState = errors.New("ntlmserver: message out of sequence")
	// ErrUnsupported: the client asked for something the acceptor does
	// not implement (such as NTLMv1 when it is disabled).
	ErrUnsupported = errors.New("ntlmserver: unsupported")
	// ErrSignature: a sealed or signed message failed verification.
	ErrSignature = errors.New("ntlmserver: message signature mismatch")
	// ErrNoConfidentiality: sealing was not negotiated.
	ErrNoConfidentiality = errors.New("ntlmserver: sealing not negotiated")
)
