package transport

import (
	"context"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest/authserver"
	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
)

// benchPost measures Posts of a 4 KB envelope on one keep-alive
// connection to the project's authentication layer on loopback.
func benchPost(b *testing.B, cfg authserver.Config, client Config) {
	h := authserver.New(cfg, &echoSOAP{})
	srv := newBenchServer(b, h)
	host, port := hostPortB(b, srv)
	client.Host, client.Port = host, port
	c, err := New(client)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	body := []byte("<s:Envelope>" + strings.Repeat("x", 4096) + "</s:Envelope>")
	ctx := context.Background()
	if _, err := c.Post(ctx, body, wsman.EffectRead); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Post(ctx, body, wsman.EffectRead); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if h.Handshakes.Load() > 1 {
		b.Fatalf("%d handshakes", h.Handshakes.Load())
	}
	b.ReportMetric(float64(h.Handshakes.Load())/float64(b.N+1), "handshakes/op")
}

func BenchmarkPostNTLMSealed(b *testing.B) {
	benchPost(b, ntlmUsers, Config{User: `CIMSH\Administrator`, Password: "Ntlm-Pa55word"})
}

func BenchmarkPostBasic(b *testing.B) {
	benchPost(b, authserver.Config{Basic: map[string]string{"root": "Basic-Pa55"}, AllowUnencrypted: true},
		Config{Auth: AuthBasic, NoEncryption: true, User: "root", Password: "Basic-Pa55"})
}

func newBenchServer(b *testing.B, h *authserver.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	h.Install(srv.Config)
	srv.Start()
	b.Cleanup(srv.Close)
	return srv
}

func hostPortB(b *testing.B, srv *httptest.Server) (string, int) {
	host, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

func BenchmarkPostKerberosSealed(b *testing.B) {
	k := kdc.Start(b, "CIMSH.TEST")
	kt, err := k.ServiceKeytab()
	if err != nil {
		b.Fatal(err)
	}
	benchPost(b, authserver.Config{Keytab: kt, SPN: k.SPN},
		Config{Auth: AuthKerberos, SPN: "HTTP/localhost", User: k.UserPrincipal(), Password: k.Password, Krb5Conf: k.Krb5Conf})
}
