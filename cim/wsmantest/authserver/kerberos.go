package authserver

import (
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
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

// apRepToken builds the GSS-API KRB5 token (RFC 1964 framing, token ID
// 0x0200) carrying the AP-REP for a verified AP-REQ: the authenticator's
// ctime and cusec, encrypted with the ticket's session key, prove to the
// client that the service holds the key (mutual authentication). Like
// Windows it sends an acceptor subkey and an initial sequence number,
// which key the returned message-sealing session.
func apRepToken(req *messages.APReq) ([]byte, *krbSession, error) {
	seq, err := krb5gss.NewSequenceNumber()
	if err != nil {
		return nil, nil, err
	}
	sessionKey := req.Ticket.DecryptedEncPart.Key
	subkey, err := krb5gss.NewSubkey(sessionKey)
	if err != nil {
		return nil, nil, fmt.Errorf("authserver: %w", err)
	}
	sess, err := newKrbSession(subkey, uint64(seq), uint64(req.Authenticator.SeqNumber))
	if err != nil {
		return nil, nil, err
	}
	rep, err := krb5gss.APRep(sessionKey, req.Authenticator.CTime, req.Authenticator.Cusec, &subkey, seq)
	if err != nil {
		return nil, nil, err
	}
	return krb5gss.Frame(krb5gss.TokAPRep, rep), sess, nil
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
