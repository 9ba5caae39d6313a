package transport

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/authserver"
)

const identifyRequest = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`

// Against the project's WS-Man test server with NTLM sealing: an idle
// connection the server dropped is redialed and the next request is seen
// exactly once.
func TestWSManTestServerNTLMIdleDrop(t *testing.T) {
	var auth *authserver.Handler
	srv := wsmantest.NewServer(t, wsmantest.Options{
		Auth: func(next http.Handler) http.Handler {
			auth = authserver.New(ntlmUsers, next)
			return auth
		},
		Handshakes: func() int64 { return auth.Handshakes.Load() },
	})
	c, err := New(Config{Host: srv.Host(), Port: srv.Port(), User: `CIMSH\Administrator`, Password: "Ntlm-Pa55word"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		out, err := c.Post(ctx, []byte(identifyRequest), wsman.EffectRead)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "IdentifyResponse") {
			t.Fatalf("reply %s", out)
		}
	}
	before, logged := srv.Counters(), len(srv.Requests())
	// The server marks the connection idle just after writing the reply.
	dropped := 0
	for deadline := time.Now().Add(2 * time.Second); dropped == 0 && time.Now().Before(deadline); {
		if dropped = srv.DropIdleConnections(); dropped == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	if dropped != 1 {
		t.Fatalf("dropped %d idle connections, want 1", dropped)
	}
	waitIdleSeenClosed(t, c)
	if _, err := c.Post(ctx, []byte(identifyRequest), wsman.EffectChange); err != nil {
		t.Fatalf("after an idle drop: %v", err)
	}
	after := srv.Counters()
	if n := len(srv.Requests()) - logged; n != 1 {
		t.Fatalf("server logged %d WS-Man requests after the drop, want exactly 1", n)
	}
	// On the wire: the two empty handshake legs and the request.
	if n := after.Requests - before.Requests; n != 3 {
		t.Fatalf("server saw %d HTTP requests after the drop, want 3", n)
	}
	if s := c.Stats(); s.Dials != 2 || s.Handshakes != 2 {
		t.Fatalf("stats %+v", s)
	}
	if after.Handshakes != 2 {
		t.Fatalf("server handshakes %d", after.Handshakes)
	}
}

// The OMI dialect never answers a request without credentials; Basic on
// the first request gets an answer at once.
func TestWSManTestServerOMIBasic(t *testing.T) {
	srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: wsmantest.OMI, BasicUsers: map[string]string{"root": "Omi-Pa55"}, AllowUnencrypted: true})
	c, _ := New(Config{Host: srv.Host(), Port: srv.Port(), Auth: AuthBasic, NoEncryption: true, User: "root", Password: "Omi-Pa55"})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := c.Post(ctx, []byte(identifyRequest), wsman.EffectRead)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "IdentifyResponse") {
		t.Fatalf("reply %s", out)
	}
	if s := c.Stats(); s.Requests != 1 {
		t.Fatalf("stats %+v", s)
	}
}
