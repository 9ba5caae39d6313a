package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// addr is the server's host:port.
func addr(srv *wsmantest.Server) string {
	return net.JoinHostPort(srv.Host(), strconv.Itoa(srv.Port()))
}

// Basic over plain HTTP needs no_encryption; without it NewSession
// refuses at once, naming the way out, and nothing touches the network.
func TestBasicOverHTTP(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		cred := cim.NewCredential(basicUser, basicPassword)
		_, err := cim.NewSession(config(srv, cim.AuthBasic, cred, cim.SessionOption{}))
		if err == nil {
			t.Fatal("NewSession accepted Basic over plain HTTP without no_encryption")
		}
		if msg := err.Error(); !strings.Contains(msg, "no_encryption") || !strings.Contains(msg, "HTTPS") {
			t.Errorf("the refusal does not say how to proceed: %v", err)
		}
		noSecret(t, err, basicPassword)
		if c := srv.Counters(); c.Connections != 0 {
			t.Errorf("the refused session connected: %+v", c)
		}

		p := newWireProxy(t, addr(srv))
		cfg := config(srv, cim.AuthBasic, cred, cim.SessionOption{NoEncryption: true})
		cfg.Port = p.Port()
		s := open(t, cfg)
		got, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_LogicalDisk"})
		if err != nil || len(got) != 2 {
			t.Fatalf("Basic with no_encryption: %d disks, %v", len(got), err)
		}
		if l := srv.Requests(); l[0].User != basicUser {
			t.Errorf("server saw user %q", l[0].User)
		}
		// Sent on the first request: no unauthenticated round trip
		// (OMI would never answer it).
		if wire := p.Sent(); !bytes.HasPrefix(wire, []byte("POST ")) || !bytes.Contains(wire[:bytes.Index(wire, []byte("\r\n\r\n"))], []byte("Authorization: Basic ")) {
			t.Errorf("the first request carried no Basic credentials:\n%.400s", wire)
		}
		if n := srv.Counters().Requests; n != int64(len(srv.Requests())) {
			t.Errorf("%d HTTP requests for %d WS-Man requests: an extra challenge round trip", n, len(srv.Requests()))
		}
	})
}

// Basic over HTTPS: the server's CA trusted from a file, or the check
// skipped when asked; an untrusted certificate is refused by default.
func TestBasicOverHTTPS(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, TLS: true, BasicUsers: basicUsers})
		cred := cim.NewCredential(basicUser, basicPassword)
		ctx := testCtx(t)

		s := open(t, config(srv, cim.AuthBasic, cred, cim.SessionOption{UseSSL: true, CAFile: writeCA(t, srv.Certificate())}))
		if _, err := s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{}); err != nil {
			t.Fatalf("HTTPS with ca_file: %v", err)
		}

		s = open(t, config(srv, cim.AuthBasic, cred, cim.SessionOption{UseSSL: true, SkipCACheck: true, SkipCNCheck: true}))
		if _, err := s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{}); err != nil {
			t.Fatalf("HTTPS with skip_ca_check: %v", err)
		}

		before := len(srv.Requests())
		s = open(t, config(srv, cim.AuthBasic, cred, cim.SessionOption{UseSSL: true}))
		_, err := s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{})
		f := mustFault(t, "an untrusted certificate", err)
		t.Logf("untrusted certificate: %v", err)
		if f.Category != model.CategoryUnreachable || !strings.Contains(strings.ToLower(err.Error()), "certificate") {
			t.Errorf("untrusted certificate: category %s, %v", f.Category, err)
		}
		if len(srv.Requests()) != before {
			t.Error("a request reached the server over an unverified connection")
		}
		noSecret(t, err, basicPassword)
	})
}

// NTLM with HTTP message sealing over plain HTTP (Windows' default
// setup: AllowUnencrypted off), for each name that selects it.
func TestNTLMSealed(t *testing.T) {
	for _, auth := range []cim.Authentication{cim.AuthNegotiate, cim.AuthNTLM, cim.AuthDefault} {
		t.Run(string(auth), func(t *testing.T) {
			t.Parallel()
			srv := wsmantest.NewServer(t, wsmantest.Options{NTLMUsers: []ntlmserver.User{{Name: ntlmUser, Password: ntlmPassword}}})
			p := newWireProxy(t, addr(srv))
			cfg := config(srv, auth, cim.NewCredential(`WORKGROUP\`+ntlmUser, ntlmPassword), cim.SessionOption{})
			cfg.Port = p.Port()
			s := open(t, cfg)
			got, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_Service", Filter: "State = 'Running'"})
			if err != nil {
				t.Fatalf("GetInstances: %v", err)
			}
			if names(got) != "Dnscache,nsi,RpcSs,Spooler,WinRM" {
				t.Fatalf("running services %s", names(got))
			}
			if l := srv.Requests(); l[0].User != ntlmUser {
				t.Errorf("server saw user %q", l[0].User)
			}
			// What crossed the wire was sealed: the SOAP never
			// appears in clear, nor does the password.
			wire := p.Sent()
			if !bytes.Contains(wire, []byte("multipart/encrypted")) || !bytes.Contains(wire, []byte("application/HTTP-SPNEGO-session-encrypted")) {
				t.Errorf("no sealed body on the wire:\n%.600s", wire)
			}
			for _, clear := range []string{"Win32_Service", "Envelope", ntlmPassword} {
				if bytes.Contains(wire, []byte(clear)) {
					t.Errorf("%q crossed the wire in clear", clear)
				}
			}
			if c := srv.Counters(); c.Handshakes != 1 {
				t.Errorf("handshakes %d", c.Handshakes)
			}
		})
	}
	// The same server refuses the unsealed form, so sealing is what made
	// the sessions above work.
	t.Run("no_encryption refused", func(t *testing.T) {
		t.Parallel()
		srv := wsmantest.NewServer(t, wsmantest.Options{NTLMUsers: []ntlmserver.User{{Name: ntlmUser, Password: ntlmPassword}}})
		s := open(t, config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{NoEncryption: true}))
		_, err := s.Test(testCtx(t))
		if err == nil {
			t.Fatal("an unsealed NTLM request was served without AllowUnencrypted")
		}
		t.Logf("unsealed NTLM: %v", err)
		noSecret(t, err, ntlmPassword)
	})
}

// A wrong password is access_denied, reads "credentials rejected", and
// the password shows in no error text, for each scheme.
func TestWrongPassword(t *testing.T) {
	const wrong = "Wr0ng-Secret-e2e"
	ntlm := []ntlmserver.User{{Name: ntlmUser, Password: ntlmPassword}}
	cases := []struct {
		name string
		opts wsmantest.Options
		auth cim.Authentication
		user string
		opt  cim.SessionOption
	}{
		{"basic-http-windows", wsmantest.Options{BasicUsers: basicUsers, AllowUnencrypted: true}, cim.AuthBasic, basicUser, cim.SessionOption{NoEncryption: true}},
		{"basic-http-omi", wsmantest.Options{Dialect: wsmantest.OMI, BasicUsers: basicUsers, AllowUnencrypted: true}, cim.AuthBasic, basicUser, cim.SessionOption{NoEncryption: true}},
		{"basic-https", wsmantest.Options{BasicUsers: basicUsers, TLS: true}, cim.AuthBasic, basicUser, cim.SessionOption{UseSSL: true, SkipCACheck: true}},
		{"ntlm", wsmantest.Options{NTLMUsers: ntlm}, cim.AuthNTLM, ntlmUser, cim.SessionOption{}},
		{"negotiate-omi", wsmantest.Options{Dialect: wsmantest.OMI, NTLMUsers: ntlm}, cim.AuthNegotiate, ntlmUser, cim.SessionOption{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := wsmantest.NewServer(t, tc.opts)
			s := open(t, config(srv, tc.auth, cim.NewCredential(tc.user, wrong), tc.opt))
			_, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_Service"})
			checkDenied(t, err, wrong)
		})
	}
}

// checkDenied asserts the shape of a rejected-credentials error.
func checkDenied(t *testing.T, err error, password string) {
	t.Helper()
	f := mustFault(t, "a wrong password", err)
	t.Logf("wrong password: %v", err)
	if f.Category != model.CategoryAccessDenied {
		t.Errorf("category %s, want access_denied: %v", f.Category, err)
	}
	if !strings.Contains(err.Error(), "credentials rejected") {
		t.Errorf("the error does not read \"credentials rejected\": %v", err)
	}
	if f.ComputerName != "127.0.0.1" {
		t.Errorf("the fault names computer %q", f.ComputerName)
	}
	noSecret(t, err, password)
}

// Certificate authentication over HTTPS with a generated client
// certificate; one from an unknown CA is refused.
func TestCertificateAuth(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		dir := t.TempDir()
		pool, certFile, keyFile := clientCert(t, dir, "trusted", "operator")
		_, otherCert, otherKey := clientCert(t, dir, "stranger", "intruder")
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, TLS: true, ClientCAs: pool})
		ca := writeCA(t, srv.Certificate())
		ctx := testCtx(t)

		s := open(t, config(srv, cim.AuthCertificate, nil, cim.SessionOption{UseSSL: true, CAFile: ca, CertificateFile: certFile, KeyFile: keyFile}))
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_OperatingSystem"})
		if err != nil || len(got) != 1 || text(got[0], "Caption") != "Microsoft Windows Server 2012 Standard" {
			t.Fatalf("certificate auth: %v %v", got, err)
		}
		if l := srv.Requests(); l[0].User != "operator" {
			t.Errorf("server saw user %q", l[0].User)
		}

		s = open(t, config(srv, cim.AuthCertificate, nil, cim.SessionOption{UseSSL: true, CAFile: ca, CertificateFile: otherCert, KeyFile: otherKey}))
		_, err = s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_OperatingSystem"})
		if err == nil {
			t.Fatal("a certificate from an unknown CA was accepted")
		}
		t.Logf("unknown client CA: %v", err)
		if f, ok := model.AsFault(err); !ok || (f.Category != model.CategoryAccessDenied && f.Category != model.CategoryUnreachable) {
			t.Errorf("unknown client CA: %v", err)
		}

		// Over plain HTTP, certificate auth is a configuration error.
		if _, err := cim.NewSession(config(srv, cim.AuthCertificate, nil, cim.SessionOption{CertificateFile: certFile, KeyFile: keyFile})); err == nil {
			t.Error("certificate authentication over plain HTTP was accepted")
		}
	})
}

// clientCert makes a CA and a client certificate for cn signed by it,
// written as PEM files in dir.
func clientCert(t *testing.T, dir, name, cn string) (pool *x509.CertPool, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cimsh e2e CA " + name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(ca)
	return pool, certFile, keyFile
}

// NTLM over HTTPS: TLS protects the traffic, so nothing is sealed; the
// NTLM context still belongs to the connection, so later requests on it
// carry no Authorization header (OMI and Windows both keep the
// connection authenticated).
func TestNTLMOverHTTPS(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		// (OMI's hold of an unauthenticated request is shortened so
		// that a failure costs 2 s, not 60.)
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, TLS: true, UnauthenticatedHold: 2 * time.Second,
			NTLMUsers: []ntlmserver.User{{Name: ntlmUser, Password: ntlmPassword}}})
		s := open(t, config(srv, cim.AuthNegotiate, cim.NewCredential(ntlmUser, ntlmPassword),
			cim.SessionOption{UseSSL: true, CAFile: writeCA(t, srv.Certificate())}))
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		for i := 0; i < 3; i++ {
			if _, err := s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", "WinRM"), cim.Options{}); err != nil {
				t.Fatalf("Get #%d: %v (server saw %v)", i, err, srv.Operations())
			}
		}
		if c := srv.Counters(); c.Connections != 1 || c.Handshakes != 2 { // one TLS, one NTLM
			t.Errorf("counters %+v", c)
		}
	})
}

// Nothing a session prints shows the password: the session, its config,
// its credential, under every verb.
func TestPrintedStateHasNoPassword(t *testing.T) {
	srv := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	s := basicSession(t, srv)
	if _, err := s.Test(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	cfg := s.Config()
	for _, v := range []any{s, cfg, cfg.Credential, &cfg} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, basicPassword) {
				t.Errorf("%s of %T shows the password: %s", verb, v, out)
			}
		}
	}
}
