package transport

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

// fakeChallenge builds a CHALLENGE_MESSAGE header (MS-NLMP 2.2.1.2) with
// flags and no target info: enough for the client's checks, not for a
// real handshake.
func fakeChallenge(flags uint32) []byte {
	b := make([]byte, 48)
	copy(b, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(b[8:], 2)
	binary.LittleEndian.PutUint32(b[16:], 48) // target name offset
	binary.LittleEndian.PutUint32(b[20:], flags)
	copy(b[24:32], "12345678")
	binary.LittleEndian.PutUint32(b[44:], 48) // target info offset
	return b
}

// negotiateServer answers every request 401 with the given
// WWW-Authenticate values.
func negotiateServer(t *testing.T, wwwAuth ...string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		for _, v := range wwwAuth {
			w.Header().Add("WWW-Authenticate", v)
		}
		w.WriteHeader(401)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNTLMHandshakeFailures(t *testing.T) {
	tests := []struct {
		name     string
		wwwAuth  []string
		category model.Category
		errHas   string
	}{
		{"no negotiate offered", []string{`Basic realm="WSMAN"`}, model.CategoryAccessDenied, "does not offer Negotiate (offers Basic)"},
		{"bare negotiate", []string{"Negotiate"}, model.CategoryProtocol, "no NTLM challenge"},
		{"not base64", []string{"Negotiate !!!"}, model.CategoryProtocol, "no NTLM challenge"},
		{"not NTLM", []string{"Negotiate " + base64.StdEncoding.EncodeToString([]byte("hello world, no ntlm here at all"))}, model.CategoryProtocol, "not an NTLM challenge"},
		{"no sealing offered", []string{"Negotiate " + base64.StdEncoding.EncodeToString(fakeChallenge(0x00000201))}, model.CategoryProtocol, "did not agree to NTLM message sealing"},
		{"truncated challenge", []string{"Negotiate " + base64.StdEncoding.EncodeToString(fakeChallenge(0xe2888235)[:40])}, model.CategoryProtocol, ""},
		{"challenge with bad offsets", []string{"Negotiate " + base64.StdEncoding.EncodeToString(func() []byte {
			b := fakeChallenge(0xe2888235)
			binary.LittleEndian.PutUint16(b[40:], 0xffff) // target info length far past the end
			return b
		}())}, model.CategoryProtocol, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := negotiateServer(t, tt.wwwAuth...)
			h, p := hostPort(t, srv.Listener.Addr().String())
			c, _ := New(Config{Host: h, Port: p, User: `CORP\u`, Password: "Ntlm-Secret-9"})
			defer c.Close()
			_, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
			f, ok := model.AsFault(err)
			if !ok || f.Category != tt.category || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err %v (%#v), want %s with %q", err, f, tt.category, tt.errHas)
			}
			if strings.Contains(err.Error(), "Ntlm-Secret-9") {
				t.Fatal("password in error")
			}
			if s := c.Stats(); s.Handshakes != 1 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

// A server that takes the AUTHENTICATE message as good and then replies
// with a malformed sealed body: the client reports it, never panics.
func TestNTLMMalformedSealedReply(t *testing.T) {
	replies := map[string]func() (string, []byte){
		"truncated": func() (string, []byte) {
			b, ct := sealed.Encode(sealed.ProtocolSPNEGO, make([]byte, 16), []byte("abcdef"), 6)
			return ct, b[:len(b)-30]
		},
		"short signature": func() (string, []byte) {
			b, ct := sealed.Encode(sealed.ProtocolSPNEGO, make([]byte, 3), []byte("abcdef"), 6)
			return ct, b
		},
		"bad signature": func() (string, []byte) {
			b, ct := sealed.Encode(sealed.ProtocolSPNEGO, make([]byte, 16), []byte("abcdef"), 6)
			return ct, b
		},
		"plain 200": func() (string, []byte) { return "application/soap+xml;charset=UTF-8", []byte(soapReply) },
	}
	for name, reply := range replies {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				auth := r.Header.Get("Authorization")
				tok, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Negotiate "))
				switch {
				case len(tok) > 12 && tok[8] == 1: // NEGOTIATE
					w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(fakeChallenge(0xe2888235)))
					w.WriteHeader(401)
				case len(tok) > 12 && tok[8] == 3: // AUTHENTICATE
					w.WriteHeader(200)
				default:
					ct, body := reply()
					w.Header().Set("Content-Type", ct)
					_, _ = w.Write(body)
				}
			}))
			defer srv.Close()
			h, p := hostPort(t, srv.Listener.Addr().String())
			c, _ := New(Config{Host: h, Port: p, User: "u", Password: "p"})
			defer c.Close()
			_, err := c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
			f, ok := model.AsFault(err)
			if !ok || f.Category != model.CategoryProtocol {
				t.Fatalf("err %v", err)
			}
			var he *HTTPError
			if errors.As(err, &he) {
				t.Fatalf("malformed sealed reply as HTTPError: %v", err)
			}
		})
	}
}
