package authserver

import (
	"crypto/subtle"
	"crypto/x509"
	"net/http"
)

// constantTimeEqual compares secrets without leaking where they differ.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// serveCertificate authenticates with the TLS client certificate.
func (h *Handler) serveCertificate(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.RequireClientCert || r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		h.refuse(w, r)
		return
	}
	leaf := r.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         h.cfg.ClientCAs,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	if h.cfg.ClientCAs == nil || err != nil {
		h.refuse(w, r)
		return
	}
	user, ok := leaf.Subject.CommonName, leaf.Subject.CommonName != ""
	if h.cfg.CertUser != nil {
		user, ok = h.cfg.CertUser(leaf)
	}
	if !ok {
		h.refuse(w, r)
		return
	}
	h.servePlain(w, r, Identity{User: user, Scheme: SchemeCertificate})
}
