package ntlmserver

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// User is one account of the acceptor's user database.
type User struct {
	Name string
	// Domain restricts the account to clients that name this domain
	// (compared case-insensitively); empty accepts any domain, like a
	// Windows local account reached with a workgroup or machine name.
	Domain   string
	Password string
}

// Config configures a Server.
type Config struct {
	Users []User
	// NetBIOSDomain and NetBIOSComputer go into the target information
	// (defaults "WORKGROUP" and "CIMSH"); the computer name is also the
	// challenge's TargetName.
	NetBIOSDomain   string
	NetBIOSComputer string
	// DNSDomain and DNSComputer are added to the target information when
	// set.
	DNSDomain   string
	DNSComputer string
	// OmitTimestamp leaves MsvAvTimestamp out of the target information
	// (as in the MS-NLMP 4.2.4 example). With a timestamp, NTLMv2 clients
	// send a MIC, which the acceptor then requires.
	OmitTimestamp bool
	// Version is the VERSION field of challenges; zero means Windows 10
	// build 17763.
	Version [8]byte
	// AllowNTLMv1 accepts 24-byte NTLMv1 responses (with or without
	// extended session security). Windows refuses them by default.
	AllowNTLMv1 bool
	// Rand supplies server challenges; nil means crypto/rand.
	Rand io.Reader
	// Now supplies the challenge timestamp; nil means time.Now.
	Now func() time.Time
}

// Server holds the user database and settings; it creates one Acceptor
// per authentication exchange and is safe for concurrent use.
type Server struct {
	cfg   Config
	users []account
	randM sync.Mutex
}

// account is a user with the password already reduced to the NT hash.
type account struct {
	name, domain string
	ntHash       []byte
}

// NewServer returns a Server for cfg.
func NewServer(cfg Config) (*Server, error) {
	if cfg.NetBIOSDomain == "" {
		cfg.NetBIOSDomain = "WORKGROUP"
	}
	if cfg.NetBIOSComputer == "" {
		cfg.NetBIOSComputer = "CIMSH"
	}
	if cfg.Version == ([8]byte{}) {
		cfg.Version = defaultVersion
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	s := &Server{cfg: cfg}
	for i, u := range cfg.Users {
		if u.Name == "" {
			return nil, fmt.Errorf("ntlmserver: user %d has no name", i)
		}
		s.users = append(s.users, account{name: u.Name, domain: u.Domain, ntHash: ntlmsec.NTOWFv1(u.Password)})
	}
	s.cfg.Users = nil // keep no passwords around
	return s, nil
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// candidates returns the accounts that may match a client's user and
// domain names.
func (s *Server) candidates(user, domain string) []account {
	var out []account
	for _, a := range s.users {
		if strings.EqualFold(a.name, user) && (a.domain == "" || strings.EqualFold(a.domain, domain)) {
			out = append(out, a)
		}
	}
	return out
}

// Acceptor runs one NTLM exchange: Negotiate, then Authenticate. It is
// not safe for concurrent use; a failed or finished exchange cannot be
// reused.
type Acceptor struct {
	srv             *Server
	state           int
	flags           uint32
	serverChallenge [8]byte
	negotiate       []byte
	challenge       []byte
}

const (
	stateInitial = iota
	stateChallenged
	stateDone
)

// NewAcceptor starts an exchange.
func (s *Server) NewAcceptor() *Acceptor {
	return &Acceptor{srv: s}
}

// Negotiate consumes the client's NEGOTIATE_MESSAGE and returns the
// CHALLENGE_MESSAGE to send back.
func (a *Acceptor) Negotiate(msg []byte) ([]byte, error) {
	if a.state != stateInitial {
		return nil, fmt.Errorf("%w: NEGOTIATE after the exchange began", ErrState)
	}
	a.state = stateDone // any failure ends the exchange
	neg, err := ParseNegotiate(msg)
	if err != nil {
		return nil, err
	}
	a.srv.randM.Lock()
	_, err = io.ReadFull(a.srv.cfg.Rand, a.serverChallenge[:])
	a.srv.randM.Unlock()
	if err != nil {
		return nil, fmt.Errorf("ntlmserver: server challenge: %w", err)
	}
	a.flags = challengeFlags(neg.Flags)
	a.negotiate = append([]byte(nil), msg...)
	a.challenge = a.srv.buildChallenge(a.flags, a.serverChallenge)
	a.state = stateChallenged
	return append([]byte(nil), a.challenge...), nil
}

// Context is an established NTLM security context.
type Context struct {
	// User is the account name as configured; Domain and Workstation are
	// what the client sent.
	User        string
	Domain      string
	Workstation string
	// Flags are the negotiated flags (the client's AUTHENTICATE flags
	// limited to what the challenge offered).
	Flags uint32
	// NTLMVersion is 2 for NTLMv2, 1 for NTLMv1.
	NTLMVersion int
	// Session seals and signs messages; nil when neither SIGN nor SEAL
	// was negotiated.
	Session *Session
	// MIC reports that the AUTHENTICATE message carried a verified MIC:
	// SPNEGO then exchanges mechListMICs too (MS-SPNG 3.3.5.1).
	MIC bool

	exportedSessionKey []byte
}

// ExportedSessionKey returns a copy of the session key both sides derived.
func (c *Context) ExportedSessionKey() []byte {
	return append([]byte(nil), c.exportedSessionKey...)
}

// Authenticate verifies the client's AUTHENTICATE_MESSAGE and returns the
// established context. Wrong credentials give an error wrapping
// ErrLogonFailure.
func (a *Acceptor) Authenticate(msg []byte) (*Context, error) {
	if a.state != stateChallenged {
		return nil, fmt.Errorf("%w: AUTHENTICATE without a CHALLENGE", ErrState)
	}
	a.state = stateDone
	am, err := ParseAuthenticate(msg)
	if err != nil {
		return nil, err
	}
	flags := am.Flags & a.flags
	if flags&(FlagUnicode|FlagOEM) == 0 {
		flags |= a.flags & (FlagUnicode | FlagOEM)
	}
	if len(am.NTResponse) == 0 {
		return nil, fmt.Errorf("%w: anonymous logon refused", ErrLogonFailure)
	}

	var (
		acct      account
		kxKey     []byte
		version   int
		micNeeded bool
		matched   bool
	)
	cands := a.srv.candidates(am.User, am.Domain)
	switch {
	case len(am.NTResponse) > 24:
		version = 2
		if len(am.NTResponse) < 16+28 {
			return nil, fmt.Errorf("%w: NTLMv2 response of %d bytes", ErrMalformed, len(am.NTResponse))
		}
		temp := am.NTResponse[16:]
		pairs, err := avPairs(temp[28:])
		if err != nil {
			return nil, err
		}
		if f, ok := pairs[avFlags]; ok && len(f) == 4 && binary.LittleEndian.Uint32(f)&avFlagMICPresent != 0 {
			micNeeded = true
		}
		acct, kxKey, matched = a.verifyV2(cands, am, temp)
	case len(am.NTResponse) == 24:
		version = 1
		if !a.srv.cfg.AllowNTLMv1 {
			return nil, fmt.Errorf("%w: NTLMv1 response refused", ErrUnsupported)
		}
		acct, kxKey, matched = a.verifyV1(cands, am, flags)
	default:
		return nil, fmt.Errorf("%w: NT response of %d bytes", ErrMalformed, len(am.NTResponse))
	}
	if !matched {
		return nil, fmt.Errorf("%w: user %q domain %q", ErrLogonFailure, am.User, am.Domain)
	}

	exported := kxKey
	if flags&FlagKeyExch != 0 && flags&(FlagSign|FlagSeal) != 0 {
		if len(am.EncryptedRandomSessionKey) != 16 {
			return nil, fmt.Errorf("%w: KEY_EXCH negotiated but the encrypted session key has %d bytes", ErrMalformed, len(am.EncryptedRandomSessionKey))
		}
		exported = rc4K(kxKey, am.EncryptedRandomSessionKey)
	}

	if micNeeded {
		got, err := mic(msg, am)
		if err != nil {
			return nil, err
		}
		zeroed := append([]byte(nil), msg...)
		clear(zeroed[micOffset:authenticateMICEnd])
		want := ntlmsec.HMACMD5(exported, a.negotiate, a.challenge, zeroed)
		if !hmac.Equal(got, want) {
			return nil, fmt.Errorf("%w: MIC mismatch", ErrLogonFailure)
		}
	}

	ctx := &Context{
		User:               acct.name,
		Domain:             am.Domain,
		Workstation:        am.Workstation,
		Flags:              flags,
		NTLMVersion:        version,
		MIC:                micNeeded,
		exportedSessionKey: exported,
	}
	if flags&(FlagSign|FlagSeal) != 0 {
		if ctx.Session, err = NewSession(flags, exported, true); err != nil {
			return nil, err
		}
	}
	return ctx, nil
}

// verifyV2 checks an NTLMv2 response (MS-NLMP 3.3.2) for each candidate
// account, first with the client's domain and then with an empty one, as
// the specification allows.
func (a *Acceptor) verifyV2(cands []account, am *Authenticate, temp []byte) (account, []byte, bool) {
	domains := []string{am.Domain}
	if am.Domain != "" {
		domains = append(domains, "")
	}
	for _, c := range cands {
		for _, d := range domains {
			key := ntlmsec.NTOWFv2(c.ntHash, am.User, d)
			proof := ntlmsec.HMACMD5(key, a.serverChallenge[:], temp)
			if hmac.Equal(proof, am.NTResponse[:16]) {
				return c, ntlmsec.HMACMD5(key, proof), true
			}
		}
	}
	return account{}, nil, false
}

// verifyV1 checks an NTLMv1 response (MS-NLMP 3.3.1), with extended
// session security when negotiated, and returns the key exchange key.
func (a *Acceptor) verifyV1(cands []account, am *Authenticate, flags uint32) (account, []byte, bool) {
	ess := flags&FlagExtendedSessionSecurity != 0
	if ess && len(am.LMResponse) < 8 {
		return account{}, nil, false
	}
	for _, c := range cands {
		var want []byte
		if ess {
			want = desl(c.ntHash, ntlmsec.MD5(a.serverChallenge[:], am.LMResponse[:8])[:8])
		} else {
			want = desl(c.ntHash, a.serverChallenge[:])
		}
		if !hmac.Equal(want, am.NTResponse) {
			continue
		}
		base := md4Of(c.ntHash)
		if ess {
			return c, ntlmsec.HMACMD5(base, a.serverChallenge[:], am.LMResponse[:8]), true
		}
		return c, base, true
	}
	return account{}, nil, false
}
