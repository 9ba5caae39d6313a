package authserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimsh/cimsh/cim/wsman/sealed"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// Handler is the authentication middleware. Its counters are for tests.
type Handler struct {
	// Requests counts every request that reached the middleware,
	// Connections the connections seen, Handshakes the security contexts
	// established (NTLM or Kerberos), AuthFailures the refused
	// credentials.
	Requests     atomic.Int64
	Connections  atomic.Int64
	Handshakes   atomic.Int64
	AuthFailures atomic.Int64

	cfg      Config
	next     http.Handler
	ntlm     *ntlmserver.Server
	fallback sync.Map // remote address -> *connState, without ConnContext
}

// New returns the middleware in front of next.
func New(cfg Config, next http.Handler) *Handler {
	if cfg.Realm == "" {
		cfg.Realm = "WSMAN"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 16 << 20
	}
	h := &Handler{cfg: cfg, next: next}
	users := append(append([]ntlmserver.User(nil), cfg.NTLMOptions.Users...), cfg.NTLM...)
	if len(users) > 0 {
		opts := cfg.NTLMOptions
		opts.Users = nil
		for _, u := range users {
			if u.Name != "" { // NewServer refuses nameless users; they could never log on
				opts.Users = append(opts.Users, u)
			}
		}
		h.ntlm, _ = ntlmserver.NewServer(opts) // fails only for nameless users, filtered above
	}
	h.cfg.NTLM, h.cfg.NTLMOptions.Users = nil, nil // keep no password copies beyond the NT hashes
	return h
}

func (h *Handler) ntlmEnabled() bool     { return h.ntlm != nil }
func (h *Handler) kerberosEnabled() bool { return h.cfg.Keytab != nil }
func (h *Handler) basicEnabled() bool    { return len(h.cfg.Basic) > 0 }

// encryptedTransport reports whether plain bodies are acceptable on this
// request: over TLS, or when AllowUnencrypted.
func (h *Handler) encryptedTransport(r *http.Request) bool {
	return r.TLS != nil || h.cfg.AllowUnencrypted
}

// ServeHTTP authenticates r and serves it through the next handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.Requests.Add(1)
	cs := h.state(r)
	cs.mu.Lock()
	defer cs.mu.Unlock()

	authz := strings.TrimSpace(r.Header.Get("Authorization"))
	scheme, param, _ := strings.Cut(authz, " ")
	param = strings.TrimSpace(param)
	switch {
	case authz == "":
		if cs.identity == nil && h.cfg.SilentUnauthenticated > 0 {
			h.silent(w, r)
			return
		}
		if cs.identity == nil {
			h.challenge(w, r, "")
			return
		}
		h.serveAuthenticated(w, r, cs, *cs.identity)
	case strings.EqualFold(scheme, "Basic"):
		h.serveBasic(w, r, param)
	case strings.EqualFold(scheme, "Negotiate"):
		h.serveNegotiate(w, r, cs, param, true)
	case strings.EqualFold(scheme, "Kerberos"):
		h.serveNegotiate(w, r, cs, param, false)
	case authz == MutualAuthorization:
		h.serveCertificate(w, r)
	default:
		h.refuse(w, r)
	}
}

// silent takes the connection over and closes it later without a
// response, as OMI does to a request without credentials.
func (h *Handler) silent(w http.ResponseWriter, r *http.Request) {
	drain(r)
	hj, ok := w.(http.Hijacker)
	if !ok {
		h.challenge(w, r, "")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	time.AfterFunc(h.cfg.SilentUnauthenticated, func() { conn.Close() })
}

// challenge answers 401 with the enabled methods, or with a handshake
// token (the value after "Negotiate ").
func (h *Handler) challenge(w http.ResponseWriter, r *http.Request, negotiateToken string) {
	drain(r)
	hdr := w.Header()
	if negotiateToken != "" {
		hdr.Add("WWW-Authenticate", "Negotiate "+negotiateToken)
	} else {
		if h.ntlmEnabled() || h.kerberosEnabled() {
			hdr.Add("WWW-Authenticate", "Negotiate")
		}
		if h.kerberosEnabled() {
			hdr.Add("WWW-Authenticate", "Kerberos")
		}
		if h.basicEnabled() && h.encryptedTransport(r) {
			hdr.Add("WWW-Authenticate", `Basic realm="`+h.cfg.Realm+`"`)
		}
	}
	hdr.Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}

// refuse counts a failed authentication and answers 401.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request) {
	h.AuthFailures.Add(1)
	h.challenge(w, r, "")
}

// drain reads what is left of a request body (bounded) so the
// connection stays usable for the next handshake leg.
func drain(r *http.Request) {
	if r.Body != nil {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	}
}

// readBody reads the whole request body within the configured limit.
func (h *Handler) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, h.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("authserver: read request body: %w", err)
	}
	if int64(len(b)) > h.cfg.MaxBodyBytes {
		return nil, errTooLarge
	}
	return b, nil
}

var errTooLarge = errors.New("authserver: request body too large")

// serveBasic checks Basic credentials; they never bind to the connection.
func (h *Handler) serveBasic(w http.ResponseWriter, r *http.Request, param string) {
	if !h.basicEnabled() || !h.encryptedTransport(r) {
		h.refuse(w, r)
		return
	}
	raw, err := base64.StdEncoding.DecodeString(param)
	if err != nil {
		h.refuse(w, r)
		return
	}
	user, password, ok := strings.Cut(string(raw), ":")
	want, known := h.cfg.Basic[user]
	if !ok || !known || !constantTimeEqual(password, want) {
		h.refuse(w, r)
		return
	}
	h.servePlain(w, r, Identity{User: user, Scheme: SchemeBasic})
}

// serveAuthenticated serves a request on an authenticated connection:
// sealed bodies are unsealed, plain ones accepted where allowed.
func (h *Handler) serveAuthenticated(w http.ResponseWriter, r *http.Request, cs *connState, id Identity) {
	if sealed.IsEncrypted(r.Header.Get("Content-Type")) {
		h.serveSealed(w, r, cs, id)
		return
	}
	h.servePlain(w, r, id)
}

// servePlain passes an unsealed request on, or refuses it with the empty
// 500 Windows sends when plain HTTP carries an unencrypted body.
func (h *Handler) servePlain(w http.ResponseWriter, r *http.Request, id Identity) {
	if !h.encryptedTransport(r) {
		drain(r)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
}

// messageSealer is a connection's message protection: NTLM session
// security or Kerberos wrap tokens.
type messageSealer interface {
	Seal(msg []byte) (sig, data []byte, err error)
	Unseal(sig, data []byte) ([]byte, error)
}

// ntlmSealer adapts ntlmserver.Session (which returns the sealed bytes
// first) to messageSealer.
type ntlmSealer struct{ s *ntlmserver.Session }

func (n ntlmSealer) Seal(msg []byte) ([]byte, []byte, error) {
	data, sig, err := n.s.Seal(msg)
	return sig, data, err
}

func (n ntlmSealer) Unseal(sig, data []byte) ([]byte, error) { return n.s.Unseal(data, sig) }

// sealer returns the connection's message protection, or nil.
func (cs *connState) sealer() messageSealer {
	switch {
	case cs.ntlm != nil && cs.ntlm.Session != nil && cs.ntlm.Flags&ntlmserver.FlagSeal != 0:
		return ntlmSealer{cs.ntlm.Session}
	case cs.krb != nil:
		return cs.krb
	}
	return nil
}

// serveSealed unseals the request, runs the next handler into a buffer
// and seals its reply with the connection's security context, in the
// protocol the request used.
func (h *Handler) serveSealed(w http.ResponseWriter, r *http.Request, cs *connState, id Identity) {
	ms := cs.sealer()
	if ms == nil {
		drain(r)
		http.Error(w, "authserver: no sealing security context on this connection", http.StatusBadRequest)
		return
	}
	body, err := h.readBody(r)
	if errors.Is(err, errTooLarge) {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ct := r.Header.Get("Content-Type")
	sig, sealedBytes, origType, err := decodeSealed(ct, body)
	if err != nil {
		http.Error(w, "authserver: "+err.Error(), http.StatusBadRequest)
		return
	}
	protocol := sealed.ProtocolSPNEGO
	if _, params, err := mime.ParseMediaType(ct); err == nil && strings.EqualFold(params["protocol"], sealed.ProtocolKerberos) {
		protocol = sealed.ProtocolKerberos
	}
	plain, err := ms.Unseal(sig, sealedBytes)
	if err != nil {
		// The RC4 streams or sequence numbers are out of step: the
		// connection is useless.
		cs.reset()
		h.AuthFailures.Add(1)
		w.Header().Set("Connection", "close")
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}

	r2 := r.Clone(context.WithValue(r.Context(), identityKey{}, withSealed(id)))
	r2.Body = io.NopCloser(bytes.NewReader(plain))
	r2.ContentLength = int64(len(plain))
	r2.Header.Set("Content-Type", origType)
	r2.Header.Set("Content-Length", strconv.Itoa(len(plain)))

	rec := newRecorder()
	h.next.ServeHTTP(rec, r2)

	out := rec.body.Bytes()
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if len(out) == 0 {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(rec.status())
		return
	}
	sigOut, sealedOut, err := ms.Seal(out)
	if err != nil {
		http.Error(w, "authserver: "+err.Error(), http.StatusInternalServerError)
		return
	}
	enc, encType := sealed.Encode(protocol, sigOut, sealedOut, len(out))
	w.Header().Set("Content-Type", encType)
	w.Header().Set("Content-Length", strconv.Itoa(len(enc)))
	w.WriteHeader(rec.status())
	w.Write(enc)
}

func withSealed(id Identity) Identity {
	id.Sealed = true
	return id
}
