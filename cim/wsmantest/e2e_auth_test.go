package wsmantest_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// NTLM with message sealing through the server's NTLMUsers option: 50
// requests on one connection make exactly one handshake, two after the
// server drops the idle connection, and the logged user is the NTLM one.
func TestE2ENTLMSealedHandshakes(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		s := wsmantest.NewServer(t, wsmantest.Options{Dialect: d,
			NTLMUsers: []ntlmserver.User{{Name: "Administrator", Password: "Ntlm-Pa55word"}}})
		tr, err := transport.New(transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthNTLM,
			User: `WORKGROUP\Administrator`, Password: "Ntlm-Pa55word"})
		if err != nil {
			t.Fatal(err)
		}
		c := wsman.NewClient(tr, wsman.Options{Endpoint: s.URL(), NoSchema: true})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		path := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_LogicalDisk", Namespace: "root/cimv2",
			Selectors: []model.Selector{{Name: "DeviceID", Value: "D:"}}}}
		for i := 0; i < 50; i++ {
			inst, err := c.Get(ctx, path)
			if err != nil {
				t.Fatalf("Get #%d: %v", i, err)
			}
			if v, _ := inst.Get("VolumeName"); v.Text() != "New Volume" {
				t.Fatalf("VolumeName %v", v)
			}
		}
		if got := s.Counters(); got.Handshakes != 1 || got.Connections != 1 {
			t.Fatalf("after 50 requests: %+v", got)
		}
		if l := s.Requests(); len(l) != 50 || l[0].User != "Administrator" {
			t.Fatalf("%d logged, user %q", len(l), l[0].User)
		}
		for deadline := time.Now().Add(2 * time.Second); s.DropIdleConnections() == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := c.Get(ctx, path); err != nil {
			t.Fatalf("Get after the drop: %v", err)
		}
		if got := s.Counters(); got.Handshakes != 2 || got.Connections != 2 || len(s.Requests()) != 51 {
			t.Fatalf("after a dropped connection: %+v, %d logged", got, len(s.Requests()))
		}
	})
}

// Kerberos through the server's Keytab option, with tickets from a real
// MIT KDC on loopback (skipped when krb5-kdc is not installed, failed
// under CIMSH_STRICT=1): a WQL query over HTTPS, one handshake.
func TestE2EKerberos(t *testing.T) {
	k := kdc.Start(t, "CIMSH.TEST")
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}
	s := wsmantest.NewServer(t, wsmantest.Options{TLS: true, Keytab: kt, SPN: k.SPN})
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	tr, err := transport.New(transport.Config{Host: s.Host(), Port: s.Port(), HTTPS: true, CAFile: caFile, Auth: transport.AuthKerberos,
		SPN: "HTTP/localhost", User: k.UserPrincipal(), Password: k.Password, Krb5Conf: k.Krb5Conf})
	if err != nil {
		t.Fatal(err)
	}
	c := wsman.NewClient(tr, wsman.Options{Endpoint: s.URL(), NoSchema: true})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < 3; i++ {
		got := collect(t, ctx, c, &model.EnumerateRequest{Query: "SELECT Name FROM Win32_Service WHERE StartMode = 'Manual'"})
		if len(got) != 2 {
			t.Fatalf("%d manual services", len(got))
		}
	}
	if l := s.Requests(); len(l) != 3 || l[0].User != k.User {
		t.Fatalf("%d logged, user %q", len(l), l[0].User)
	}
	if got := s.Counters(); got.Handshakes != 2 { // one TLS, one Kerberos
		t.Fatalf("counters %+v", got)
	}
}

// Client-certificate authentication over HTTPS through the ClientCAs
// option: the user is the certificate's common name.
func TestE2EClientCertificate(t *testing.T) {
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cimsh test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "operator"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile, caFile := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key"), filepath.Join(dir, "server.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)

	pool := x509.NewCertPool()
	pool.AddCert(ca)
	s := wsmantest.NewServer(t, wsmantest.Options{TLS: true, ClientCAs: pool})
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}), 0o600)
	tr, err := transport.New(transport.Config{Host: s.Host(), Port: s.Port(), HTTPS: true, CAFile: caFile,
		Auth: transport.AuthCertificate, CertFile: certFile, KeyFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	c := wsman.NewClient(tr, wsman.Options{Endpoint: s.URL(), NoSchema: true})
	defer c.Close()
	if _, err := c.Identify(context.Background()); err != nil {
		t.Fatalf("Identify: %v", err)
	}
	if l := s.Requests(); len(l) != 1 || l[0].User != "operator" {
		t.Fatalf("logged %+v", l)
	}
}
