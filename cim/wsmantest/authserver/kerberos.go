package authserver

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

var errKerberos = errors.New("authserver: kerberos token refused")

// verifyKerberos checks an AP-REQ, wrapped in SPNEGO (Negotiate) or as a
// raw RFC 1964 token (the Kerberos scheme), against the keytab.
//
// It returns the identity and the mutual-authentication reply for the
// WWW-Authenticate header: the AP-REP as a raw GSS token (Kerberos
// scheme) or inside a NegTokenResp (Negotiate), as Windows sends it.
func (h *Handler) verifyKerberos(token []byte, spnegoWrapped bool) (id Identity, reply string, sess *krbSession, err error) {
	// gokrb5's ASN.1 decoding is not written for hostile input; a panic
	// there must not take the test server down.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: malformed token", errKerberos)
		}
	}()
	mech := token
	// Under Negotiate the token is usually SPNEGO, but MIT GSSAPI clients
	// (requests-kerberos) send the raw Kerberos token there too, which
	// Windows accepts; the reply then takes the same form.
	if spnegoWrapped && !isSPNEGO(token) {
		spnegoWrapped = false
	}
	if spnegoWrapped {
		var st spnego.SPNEGOToken
		if err := st.Unmarshal(token); err != nil {
			return id, "", nil, fmt.Errorf("%w: %v", errKerberos, err)
		}
		if !st.Init {
			return id, "", nil, fmt.Errorf("%w: not a NegTokenInit", errKerberos)
		}
		krb := false
		for _, m := range st.NegTokenInit.MechTypes {
			if m.Equal(gssapi.OIDKRB5.OID()) || m.Equal(gssapi.OIDMSLegacyKRB5.OID()) {
				krb = true
			}
		}
		if !krb {
			return id, "", nil, fmt.Errorf("%w: no Kerberos mechanism offered", errKerberos)
		}
		mech = st.NegTokenInit.MechTokenBytes
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil {
		return id, "", nil, fmt.Errorf("%w: %v", errKerberos, err)
	}
	if !kt.IsAPReq() {
		return id, "", nil, fmt.Errorf("%w: not an AP-REQ", errKerberos)
	}
	opts := []func(*service.Settings){service.DecodePAC(false)}
	if h.cfg.SPN != "" {
		opts = append(opts, service.KeytabPrincipal(h.cfg.SPN))
	}
	ok, creds, err := service.VerifyAPREQ(&kt.APReq, service.NewSettings(h.cfg.Keytab, opts...))
	if err != nil || !ok || creds == nil {
		return id, "", nil, fmt.Errorf("%w: %v", errKerberos, err)
	}
	apRep, sess, err := apRepToken(&kt.APReq)
	if err != nil {
		return id, "", nil, fmt.Errorf("%w: %v", errKerberos, err)
	}
	reply = base64.StdEncoding.EncodeToString(apRep)
	if spnegoWrapped {
		resp := spnego.NegTokenResp{
			NegState:      asn1.Enumerated(0), // accept-completed
			SupportedMech: gssapi.OIDKRB5.OID(),
			ResponseToken: apRep,
		}
		b, err := resp.Marshal()
		if err != nil {
			return id, "", nil, fmt.Errorf("%w: %v", errKerberos, err)
		}
		reply = base64.StdEncoding.EncodeToString(b)
	}
	return Identity{User: creds.UserName(), Domain: creds.Domain(), Scheme: SchemeKerberos}, reply, sess, nil
}

// encAPRepPart is EncAPRepPart (RFC 4120 5.5.2).
type encAPRepPart struct {
	CTime          time.Time           `asn1:"generalized,explicit,tag:0"`
	Cusec          int                 `asn1:"explicit,tag:1"`
	Subkey         types.EncryptionKey `asn1:"explicit,tag:2"`
	SequenceNumber int64               `asn1:"explicit,tag:3"`
}

// apRepToken builds the GSS-API KRB5 token (RFC 1964 framing, token ID
// 0x0200) carrying the AP-REP for a verified AP-REQ: the authenticator's
// ctime and cusec, encrypted with the ticket's session key, prove to the
// client that the service holds the key (mutual authentication). Like
// Windows it sends an acceptor subkey and an initial sequence number,
// which key the returned message-sealing session.
func apRepToken(req *messages.APReq) ([]byte, *krbSession, error) {
	seq, err := rand.Int(rand.Reader, big.NewInt(1<<30))
	if err != nil {
		return nil, nil, err
	}
	subkey, err := newAcceptorSubkey(req.Ticket.DecryptedEncPart.Key)
	if err != nil {
		return nil, nil, err
	}
	sess, err := newKrbSession(subkey, seq.Uint64(), uint64(req.Authenticator.SeqNumber))
	if err != nil {
		return nil, nil, err
	}
	part, err := asn1.Marshal(encAPRepPart{
		CTime:          req.Authenticator.CTime.UTC(),
		Cusec:          req.Authenticator.Cusec,
		Subkey:         subkey,
		SequenceNumber: seq.Int64(),
	})
	if err != nil {
		return nil, nil, err
	}
	part = asn1tools.AddASNAppTag(part, asnAppTag.EncAPRepPart)
	ed, err := crypto.GetEncryptedData(part, req.Ticket.DecryptedEncPart.Key, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, nil, err
	}
	rep, err := asn1.Marshal(messages.APRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: ed})
	if err != nil {
		return nil, nil, err
	}
	rep = asn1tools.AddASNAppTag(rep, asnAppTag.APREP)
	oid, err := asn1.Marshal(gssapi.OIDKRB5.OID())
	if err != nil {
		return nil, nil, err
	}
	tok := append(append(oid, 0x02, 0x00), rep...)
	return asn1tools.AddASNAppTag(tok, 0), sess, nil
}

// isSPNEGO reports whether token is a GSS initial context token for the
// SPNEGO mechanism (OID 1.3.6.1.5.5.2), or a SPNEGO NegTokenResp.
func isSPNEGO(token []byte) bool {
	if len(token) > 0 && token[0] == 0xa1 {
		return true
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.UnmarshalWithParams(token, &oid, "application,explicit,tag:0"); err != nil {
		return false
	}
	return oid.Equal(gssapi.OIDSPNEGO.OID())
}
