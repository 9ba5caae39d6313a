package authserver

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// TestKerberos gets tickets from a real MIT KDC on loopback with gokrb5's
// client and presents them as SPNEGO (Negotiate) and as a raw GSS token
// (the Kerberos scheme). The context then belongs to the connection.
func TestKerberos(t *testing.T) {
	k := kdc.Start(t, "CIMSH.TEST")
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}
	krbCfg, err := k.Config()
	if err != nil {
		t.Fatal(err)
	}
	cl := client.NewWithPassword(k.User, k.Realm, k.Password, krbCfg, client.DisablePAFXFAST(true))
	defer cl.Destroy()
	if err := cl.Login(); err != nil {
		t.Fatal(err)
	}

	spnegoHeader := func(t *testing.T) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, "http://localhost/wsman", nil)
		if err := spnego.SetSPNEGOHeader(cl, req, k.SPN); err != nil {
			t.Fatal(err)
		}
		return req.Header.Get("Authorization")
	}
	rawHeader := func(t *testing.T) string {
		t.Helper()
		tkt, key, err := cl.GetServiceTicket(k.SPN)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := spnego.NewKRB5TokenAPREQ(cl, tkt, key, []int{gssapi.ContextFlagInteg, gssapi.ContextFlagConf}, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tok.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return "Kerberos " + base64.StdEncoding.EncodeToString(b)
	}

	cfg := Config{Keytab: kt, SPN: k.SPN, AllowUnencrypted: true}
	for _, tc := range []struct {
		name   string
		header func(*testing.T) string
	}{
		{"negotiate", spnegoHeader},
		{"kerberos scheme", rawHeader},
		// MIT GSSAPI clients put the raw token under Negotiate.
		{"negotiate raw krb5", func(t *testing.T) string { return "Negotiate " + strings.TrimPrefix(rawHeader(t), "Kerberos ") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			echo := &echoHandler{}
			h, ts := startServer(t, cfg, echo, nil)
			hc := oneConnClient(t)

			resp, _ := post(t, hc, ts.URL+"/wsman", nil, nil)
			offered := strings.Join(resp.Header.Values("WWW-Authenticate"), ",")
			if resp.StatusCode != http.StatusUnauthorized || offered != "Negotiate,Kerberos" {
				t.Fatalf("unauthenticated: %d %q", resp.StatusCode, offered)
			}
			authz := tc.header(t)
			resp, body := post(t, hc, ts.URL+"/wsman", []byte("<krb/>"), map[string]string{"Authorization": authz})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d %q", resp.StatusCode, body)
			}
			_, key, err := cl.GetServiceTicket(k.SPN) // cached: the key the request used
			if err != nil {
				t.Fatal(err)
			}
			checkAPRep(t, authz, resp.Header.Get("WWW-Authenticate"), key)
			if !strings.Contains(string(body), `user="alice" scheme="kerberos"`) {
				t.Fatalf("body %q", body)
			}
			// Later requests on the connection need no header.
			for i := 0; i < 3; i++ {
				if resp, _ := post(t, hc, ts.URL+"/wsman", []byte("<again/>"), nil); resp.StatusCode != http.StatusOK {
					t.Fatalf("request %d on the connection: %d", i, resp.StatusCode)
				}
			}
			if h.Handshakes.Load() != 1 || h.Connections.Load() != 1 || len(echo.seen) != 4 {
				t.Fatalf("handshakes %d connections %d served %d", h.Handshakes.Load(), h.Connections.Load(), len(echo.seen))
			}
			if echo.seen[0].Domain != k.Realm {
				t.Fatalf("realm %q", echo.seen[0].Domain)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		// A ticket is not replayable, and garbage is refused without a crash.
		h, ts := startServer(t, cfg, &echoHandler{}, nil)
		hdr := spnegoHeader(t)
		if resp, _ := post(t, http.DefaultClient, ts.URL, nil, map[string]string{"Authorization": hdr, "Connection": "close"}); resp.StatusCode != http.StatusOK {
			t.Fatalf("first use: %d", resp.StatusCode)
		}
		for _, bad := range []string{hdr, "Negotiate " + base64.StdEncoding.EncodeToString([]byte{0x60, 0x03, 0x06, 0x01, 0x00}), "Kerberos !!!", "Kerberos " + base64.StdEncoding.EncodeToString([]byte("garbage"))} {
			if resp, _ := post(t, http.DefaultClient, ts.URL, nil, map[string]string{"Authorization": bad, "Connection": "close"}); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%.30q: status %d", bad, resp.StatusCode)
			}
		}
		if h.Handshakes.Load() != 1 {
			t.Fatalf("handshakes %d", h.Handshakes.Load())
		}
		// Plain HTTP without AllowUnencrypted: the ticket is good but the
		// unsealed body is refused with an empty 500.
		strict := cfg
		strict.AllowUnencrypted = false
		_, ts2 := startServer(t, strict, &echoHandler{}, nil)
		resp, body := post(t, http.DefaultClient, ts2.URL, []byte("<plain/>"), map[string]string{"Authorization": spnegoHeader(t), "Connection": "close"})
		if resp.StatusCode != http.StatusInternalServerError || len(body) != 0 {
			t.Fatalf("unencrypted Kerberos body: %d %q", resp.StatusCode, body)
		}
	})
}

// checkAPRep decodes the server's mutual-authentication token and checks
// that its AP-REP, decrypted with the session key, echoes the
// authenticator's time (RFC 4120 3.2.5).
func checkAPRep(t *testing.T, authz, wwwAuth string, key types.EncryptionKey) {
	t.Helper()
	reqScheme, reqB64, _ := strings.Cut(authz, " ")
	repScheme, repB64, _ := strings.Cut(wwwAuth, " ")
	if reqScheme != repScheme {
		t.Fatalf("reply scheme %q for request scheme %q", repScheme, reqScheme)
	}
	reqTok, _ := base64.StdEncoding.DecodeString(reqB64)
	repTok, err := base64.StdEncoding.DecodeString(repB64)
	if err != nil || len(repTok) == 0 {
		t.Fatalf("WWW-Authenticate %q: %v", wwwAuth, err)
	}
	if isSPNEGO(reqTok) {
		var init spnego.SPNEGOToken
		if err := init.Unmarshal(reqTok); err != nil {
			t.Fatal(err)
		}
		reqTok = init.NegTokenInit.MechTokenBytes
		var resp spnego.NegTokenResp
		if err := resp.Unmarshal(repTok); err != nil {
			t.Fatalf("NegTokenResp: %v", err)
		}
		if resp.State() != spnego.NegStateAcceptCompleted || !resp.SupportedMech.Equal(gssapi.OIDKRB5.OID()) {
			t.Fatalf("NegTokenResp state %v mech %v", resp.State(), resp.SupportedMech)
		}
		repTok = resp.ResponseToken
	}
	var reqK, repK spnego.KRB5Token
	if err := reqK.Unmarshal(reqTok); err != nil {
		t.Fatal(err)
	}
	if err := reqK.APReq.DecryptAuthenticator(key); err != nil {
		t.Fatal(err)
	}
	if err := repK.Unmarshal(repTok); err != nil || !repK.IsAPRep() {
		t.Fatalf("AP-REP token: %v", err)
	}
	plain, err := crypto.DecryptEncPart(repK.APRep.EncPart, key, keyusage.AP_REP_ENCPART)
	if err != nil {
		t.Fatalf("decrypt AP-REP: %v", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		t.Fatal(err)
	}
	if !part.CTime.Equal(reqK.APReq.Authenticator.CTime) || part.Cusec != reqK.APReq.Authenticator.Cusec {
		t.Fatalf("AP-REP time %v/%d, authenticator %v/%d", part.CTime, part.Cusec, reqK.APReq.Authenticator.CTime, reqK.APReq.Authenticator.Cusec)
	}
}
