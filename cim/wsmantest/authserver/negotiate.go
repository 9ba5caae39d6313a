package authserver

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"net/http"

	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// serveNegotiate handles "Negotiate <token>" (NTLM raw, or SPNEGO with
// Kerberos) and "Kerberos <token>" (a raw Kerberos GSS token).
func (h *Handler) serveNegotiate(w http.ResponseWriter, r *http.Request, cs *connState, param string, negotiate bool) {
	token, err := base64.StdEncoding.DecodeString(param)
	if err != nil || len(token) == 0 {
		cs.reset()
		h.refuse(w, r)
		return
	}
	if negotiate && ntlmserver.IsNTLM(token) {
		h.serveNTLM(w, r, cs, token)
		return
	}
	if !h.kerberosEnabled() {
		cs.reset()
		h.refuse(w, r)
		return
	}
	id, reply, sess, err := h.verifyKerberos(token, negotiate)
	if err != nil {
		cs.reset()
		h.refuse(w, r)
		return
	}
	cs.reset()
	cs.identity = &id
	cs.krb = sess
	h.Handshakes.Add(1)
	scheme := "Kerberos "
	if negotiate {
		scheme = "Negotiate "
	}
	w.Header().Set("WWW-Authenticate", scheme+reply)
	h.serveHandshakeBody(w, r, cs, id)
}

// serveNTLM runs one NTLM handshake leg.
func (h *Handler) serveNTLM(w http.ResponseWriter, r *http.Request, cs *connState, token []byte) {
	if !h.ntlmEnabled() {
		cs.reset()
		h.refuse(w, r)
		return
	}
	typ, _ := ntlmserver.MessageType(token)
	switch typ {
	case ntlmserver.TypeNegotiate:
		cs.reset()
		a := h.ntlm.NewAcceptor()
		chal, err := a.Negotiate(token)
		if err != nil {
			h.refuse(w, r)
			return
		}
		cs.acceptor = a
		h.challenge(w, r, base64.StdEncoding.EncodeToString(chal))
	case ntlmserver.TypeAuthenticate:
		a := cs.acceptor
		cs.reset()
		if a == nil {
			h.refuse(w, r)
			return
		}
		ctx, err := a.Authenticate(token)
		if err != nil {
			h.refuse(w, r)
			return
		}
		cs.ntlm = ctx
		cs.identity = &Identity{User: ctx.User, Domain: ctx.Domain, Scheme: SchemeNTLM}
		h.Handshakes.Add(1)
		h.serveHandshakeBody(w, r, cs, *cs.identity)
	default:
		cs.reset()
		h.refuse(w, r)
	}
}

// serveHandshakeBody finishes the request that completed a handshake:
// clients that only set up the context (pywinrm, masterzen/winrm's
// encryption) post an empty body and get an empty 200; a body is served
// like any later request.
func (h *Handler) serveHandshakeBody(w http.ResponseWriter, r *http.Request, cs *connState, id Identity) {
	// The length may be unknown (chunked), so read the body to find out.
	body, err := h.readBody(r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		http.Error(w, err.Error(), status)
		return
	}
	if len(body) == 0 {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	h.serveAuthenticated(w, r, cs, id)
}
