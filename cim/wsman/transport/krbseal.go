package transport

import (
	"github.com/cimsh/cimsh/cim/wsman/krbwrap"
	"github.com/jcmturner/gokrb5/v8/types"
)

// krbSealer seals a connection's messages with Kerberos wrap tokens, as
// the initiator.
type krbSealer struct {
	w         *krbwrap.Wrapper
	protoName string
}

func newKrbSealer(key types.EncryptionKey, acceptorSubkey bool, sendSeq, recvSeq uint64, protocol string) (*krbSealer, error) {
	w, err := krbwrap.New(key, false, acceptorSubkey, sendSeq, recvSeq)
	if err != nil {
		return nil, err
	}
	return &krbSealer{w: w, protoName: protocol}, nil
}

func (k *krbSealer) protocol() string                        { return k.protoName }
func (k *krbSealer) wrap(msg []byte) ([]byte, []byte, error) { return k.w.Wrap(msg) }
func (k *krbSealer) unwrap(sig, msg []byte) ([]byte, error)  { return k.w.Unwrap(sig, msg) }
