package authserver

import (
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// spnegoAcceptCompleted is a NegTokenResp with negState accept-completed
// and supportedMech KRB5.
const spnegoAcceptCompleted = "oRQwEqADCgEAoQsGCSqGSIb3EgECAg=="

var errKerberos = errors.New("authserver: kerberos token refused")

// verifyKerberos checks an AP-REQ, wrapped in SPNEGO (Negotiate) or as a
// raw RFC 1964 token (the Kerberos scheme), against the keytab.
func (h *Handler) verifyKerberos(token []byte, spnegoWrapped bool) (id Identity, err error) {
	// gokrb5's ASN.1 decoding is not written for hostile input; a panic
	// there must not take the test server down.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: malformed token", errKerberos)
		}
	}()
	mech := token
	if spnegoWrapped {
		var st spnego.SPNEGOToken
		if err := st.Unmarshal(token); err != nil {
			return id, fmt.Errorf("%w: %v", errKerberos, err)
		}
		if !st.Init {
			return id, fmt.Errorf("%w: not a NegTokenInit", errKerberos)
		}
		krb := false
		for _, m := range st.NegTokenInit.MechTypes {
			if m.Equal(gssapi.OIDKRB5.OID()) || m.Equal(gssapi.OIDMSLegacyKRB5.OID()) {
				krb = true
			}
		}
		if !krb {
			return id, fmt.Errorf("%w: no Kerberos mechanism offered", errKerberos)
		}
		mech = st.NegTokenInit.MechTokenBytes
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil {
		return id, fmt.Errorf("%w: %v", errKerberos, err)
	}
	if !kt.IsAPReq() {
		return id, fmt.Errorf("%w: not an AP-REQ", errKerberos)
	}
	opts := []func(*service.Settings){service.DecodePAC(false)}
	if h.cfg.SPN != "" {
		opts = append(opts, service.KeytabPrincipal(h.cfg.SPN))
	}
	ok, creds, err := service.VerifyAPREQ(&kt.APReq, service.NewSettings(h.cfg.Keytab, opts...))
	if err != nil || !ok || creds == nil {
		return id, fmt.Errorf("%w: %v", errKerberos, err)
	}
	return Identity{User: creds.UserName(), Domain: creds.Domain(), Scheme: SchemeKerberos}, nil
}
