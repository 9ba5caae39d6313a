package authserver

import (
	"github.com/cimsh/cimsh/cim/wsman/krbwrap"
	"github.com/jcmturner/gokrb5/v8/types"
)

// krbSession seals and unseals WinRM messages with RFC 4121 (CFX) wrap
// tokens under the acceptor subkey sent in the AP-REP, as Windows does.
type krbSession struct{ w *krbwrap.Wrapper }

func newKrbSession(subkey types.EncryptionKey, sendSeq, recvSeq uint64) (*krbSession, error) {
	w, err := krbwrap.New(subkey, true, true, sendSeq, recvSeq)
	if err != nil {
		return nil, err
	}
	return &krbSession{w: w}, nil
}

// Seal wraps msg (acceptor to initiator).
func (s *krbSession) Seal(msg []byte) (sig, sealedData []byte, err error) { return s.w.Wrap(msg) }

// Unseal checks and decrypts an initiator's wrap token.
func (s *krbSession) Unseal(sig, sealedData []byte) ([]byte, error) {
	return s.w.Unwrap(sig, sealedData)
}
