package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// serverCertFor makes a CA and a server certificate for names only (no
// IP address), so that connecting to 127.0.0.1 is a name mismatch.
func serverCertFor(t *testing.T, names ...string) (*tls.Config, *x509.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: "cimsh e2e server CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(11), Subject: pkix.Name{CommonName: names[0]},
		DNSNames: names, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der, caDER}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}, ca
}

// skip_cn_check accepts a certificate issued to another name but still
// verifies its chain; without it the name mismatch is refused.
func TestSkipCNCheck(t *testing.T) {
	conf, ca := serverCertFor(t, "wsman.e2e.example")
	srv := wsmantest.NewServer(t, wsmantest.Options{TLS: true, TLSConfig: conf, BasicUsers: basicUsers})
	caFile := writeCA(t, ca)
	cred := cim.NewCredential(basicUser, basicPassword)
	ctx := testCtx(t)

	s := open(t, config(srv, cim.AuthBasic, cred, cim.SessionOption{UseSSL: true, CAFile: caFile}))
	_, err := s.Test(ctx)
	mustFault(t, "a certificate for another name", err)
	if msg := err.Error(); !strings.Contains(msg, "certificate") {
		t.Errorf("name mismatch: %v", err)
	}
	t.Logf("name mismatch: %v", err)

	s = open(t, config(srv, cim.AuthBasic, cred, cim.SessionOption{UseSSL: true, CAFile: caFile, SkipCNCheck: true}))
	if _, err := s.Test(ctx); err != nil {
		t.Fatalf("skip_cn_check with a trusted CA: %v", err)
	}

	// skip_cn_check alone does not trust an unknown CA.
	s = open(t, config(srv, cim.AuthBasic, cred, cim.SessionOption{UseSSL: true, SkipCNCheck: true}))
	if _, err := s.Test(ctx); err == nil {
		t.Fatal("skip_cn_check accepted a certificate from an untrusted CA")
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests reached the server; only the verified session's should", n)
	}
}
