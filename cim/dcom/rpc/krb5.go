package rpc

import (
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

// Kerberos in DCE/RPC is "DCE style" (RFC 4121 with GSS_C_DCE_STYLE, as
// Windows, MIT and impacket run it): three legs, an AP-REQ asking for
// mutual authentication, the acceptor's AP-REP carrying a subkey and its
// sequence number, and the initiator's own AP-REP echoing that sequence
// number. The AP-REPs travel raw, without the GSS-API framing of the
// first token; cim/internal/krb5gss builds and reads them for both
// sides.

// GSSDCEStyle is GSS_C_DCE_STYLE in the authenticator checksum's flags.
const GSSDCEStyle = 0x1000

// ErrKerberos wraps every Kerberos token the peer sent that is refused.
var ErrKerberos = errors.New("rpc: Kerberos token refused")

// ReadAPRep decrypts an AP-REP (raw, or in GSS-API framing) with the
// ticket's session key.
func ReadAPRep(tok []byte, sessionKey types.EncryptionKey) (*messages.EncAPRepPart, error) {
	part, err := krb5gss.ReadAPRep(tok, sessionKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKerberos, err)
	}
	return part, nil
}
