package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	krbcrypto "github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman/sealed"
)

// krbState is the Kerberos client of a transport client: built once, it
// holds the TGT and caches the service ticket, so requests after the
// first cost no KDC exchange.
type krbState struct {
	mu sync.Mutex
	cl *client.Client
	// every is set once the server answered 401 to a request without
	// Authorization on an authenticated connection: it wants a token on
	// every request (connection-less acceptors such as gokrb5's).
	every atomic.Bool
}

// SPN returns the service principal name Kerberos asks a ticket for.
func (c *Client) SPN() string {
	if c.cfg.SPN != "" {
		return c.cfg.SPN
	}
	if c.cfg.EncodePortInSPN {
		return "HTTP/" + c.cfg.Host + ":" + strconv.Itoa(c.cfg.Port)
	}
	return "HTTP/" + c.cfg.Host
}

// krbInit is one Kerberos initial context token and what the client
// must remember to check the reply and seal: the ticket session key and
// the authenticator's time and sequence number.
type krbInit struct {
	header string // "Negotiate <SPNEGO NegTokenInit with the AP-REQ>"
	key    types.EncryptionKey
	seq    int64
	ctime  time.Time
	cusec  int
}

// krbToken returns a fresh initial token for the service: an AP-REQ
// built from the cached service ticket. The first call logs in (AS
// exchange, or the ticket cache) and asks for the service ticket (TGS
// exchange); later calls reuse both. gokrb5 talks to the KDC without a
// context, so the work runs aside and ctx only stops the wait.
func (c *Client) krbToken(ctx context.Context) (*krbInit, error) {
	type result struct {
		init *krbInit
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		in, err := c.krbTokenLocked()
		ch <- result{in, err}
	}()
	select {
	case r := <-ch:
		return r.init, r.err
	case <-ctx.Done():
		return nil, c.netFault(ctx, "kerberos ticket for", ctx.Err())
	}
}

func (c *Client) krbTokenLocked() (*krbInit, error) {
	c.krb.mu.Lock()
	defer c.krb.mu.Unlock()
	if c.krb.cl == nil {
		cl, err := c.newKrbClient()
		if err != nil {
			return nil, err
		}
		c.krb.cl = cl
	}
	spn := c.SPN()
	tkt, key, err := c.krb.cl.GetServiceTicket(spn)
	if err != nil {
		return nil, c.krbFault(fmt.Errorf("service ticket for %s: %w", spn, err))
	}
	// Mutual authentication, integrity and confidentiality: the server
	// answers with an AP-REP that proves it holds the service key and
	// carries the subkey for message sealing.
	tok, err := spnego.NewKRB5TokenAPREQ(c.krb.cl, tkt, key,
		[]int{gssapi.ContextFlagMutual, gssapi.ContextFlagInteg, gssapi.ContextFlagConf}, []int{flags.APOptionMutualRequired})
	if err != nil {
		return nil, c.krbFault(fmt.Errorf("AP-REQ for %s: %w", spn, err))
	}
	if err := tok.APReq.DecryptAuthenticator(key); err != nil {
		return nil, c.krbFault(fmt.Errorf("AP-REQ for %s: %w", spn, err))
	}
	mech, err := tok.Marshal()
	if err != nil {
		return nil, c.krbFault(fmt.Errorf("AP-REQ token: %w", err))
	}
	st := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes:      []asn1.ObjectIdentifier{gssapi.OIDKRB5.OID()},
		MechTokenBytes: mech,
	}}
	b, err := st.Marshal()
	if err != nil {
		return nil, c.krbFault(fmt.Errorf("SPNEGO token: %w", err))
	}
	a := tok.APReq.Authenticator
	return &krbInit{
		header: "Negotiate " + base64.StdEncoding.EncodeToString(b),
		key:    key,
		seq:    a.SeqNumber,
		ctime:  a.CTime,
		cusec:  a.Cusec,
	}, nil
}

func (c *Client) newKrbClient() (*client.Client, error) {
	useCache := c.cfg.Keytab == "" && c.cfg.Password == ""
	if useCache {
		// No password: the user's own ticket. Without one, say what to
		// do rather than which file is missing.
		if path := ccachePath(c.cfg.CCache); path != "" {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				f := c.krbFault(fmt.Errorf("credential cache %s: %w", path, err))
				f.Reason = "no credential given and no Kerberos ticket (no credential cache " + path + "): give credential= or run kinit"
				return nil, f
			}
		}
	}
	confPath := c.cfg.Krb5Conf
	if confPath == "" {
		confPath = os.Getenv("KRB5_CONFIG")
	}
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	kc, err := config.Load(strings.SplitN(confPath, ":", 2)[0])
	if err != nil {
		return nil, c.krbFault(fmt.Errorf("krb5.conf %s: %w", confPath, err))
	}
	user, realm := c.cfg.User, c.cfg.Realm
	if u, r, ok := strings.Cut(user, "@"); ok {
		user = u
		if realm == "" {
			realm = r
		}
	}
	if realm == "" {
		realm = kc.LibDefaults.DefaultRealm
	}
	realm = strings.ToUpper(realm)
	var cl *client.Client
	switch {
	case c.cfg.Keytab != "":
		kt, err := keytab.Load(strings.TrimPrefix(c.cfg.Keytab, "FILE:"))
		if err != nil {
			return nil, c.krbFault(fmt.Errorf("keytab: %w", err))
		}
		cl = client.NewWithKeytab(user, realm, kt, kc, client.DisablePAFXFAST(true))
	case c.cfg.Password != "":
		cl = client.NewWithPassword(user, realm, c.cfg.Password, kc, client.DisablePAFXFAST(true))
	default:
		path := ccachePath(c.cfg.CCache)
		if path == "" {
			return nil, c.krbFault(fmt.Errorf("credential cache %q: only FILE: caches are supported", ccacheName(c.cfg.CCache)))
		}
		cc, err := credentials.LoadCCache(path)
		if err != nil {
			return nil, c.krbFault(fmt.Errorf("credential cache %s: %w", path, err))
		}
		if cl, err = client.NewFromCCache(cc, kc, client.DisablePAFXFAST(true)); err != nil {
			return nil, c.krbFault(fmt.Errorf("credential cache %s: %w", path, err))
		}
		return cl, nil
	}
	if err := cl.Login(); err != nil {
		return nil, c.loginFault(user+"@"+realm, err)
	}
	return cl, nil
}

// loginFault explains a failed AS exchange in a user's terms; gokrb5's
// own message (kept in Err) is a chain of internal error names.
func (c *Client) loginFault(principal string, err error) *model.Fault {
	f := c.krbFault(fmt.Errorf("login as %s: %w", principal, err))
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Decrypting_Error"), strings.Contains(msg, "PREAUTH_FAILED"):
		f.Reason = "credentials rejected (Kerberos: wrong password for " + principal + ")"
	case strings.Contains(msg, "C_PRINCIPAL_UNKNOWN"):
		f.Reason = "credentials rejected (Kerberos: the KDC does not know " + principal + ")"
	case strings.Contains(msg, "Networking_Error"), strings.Contains(msg, "could not get"):
		f.Category = model.CategoryUnreachable
		f.Reason = "cannot reach a Kerberos KDC for " + principal
	}
	return f
}

// krbFault is a Kerberos failure before any request: no ticket, KDC
// refused. Category access_denied, since the credentials did not work.
func (c *Client) krbFault(err error) *model.Fault {
	return &model.Fault{Category: model.CategoryAccessDenied, ComputerName: c.cfg.Host, Err: fmt.Errorf("transport: kerberos: %w", err)}
}

// krbRoundTrip sends body with Kerberos. Over plain HTTP (unless
// NoEncryption) it authenticates the connection with an empty POST and
// seals every request; otherwise it sends the token with the first
// request of a connection (and with every request when the server wants
// that).
func (c *Client) krbRoundTrip(ctx context.Context, cn *conn, body []byte) (*reply, error) {
	if c.cfg.sealing() {
		reused := cn.authed
		if !cn.authed {
			if err := c.krbSealHandshake(ctx, cn); err != nil {
				return nil, err
			}
		}
		return c.contextRoundTrip(ctx, cn, body, reused, "Kerberos")
	}
	hdrs := []header{{"Content-Type", soapContentType}}
	withToken := !cn.authed || c.krb.every.Load()
	if withToken {
		in, err := c.krbToken(ctx)
		if err != nil {
			return nil, err
		}
		c.stats.handshakes.Add(1)
		hdrs = append(hdrs, header{"Authorization", in.header})
	}
	rep, err := c.roundTrip(ctx, cn, hdrs, body)
	if err != nil {
		return nil, ioFailure(cn, err)
	}
	if rep.status == 401 {
		if !withToken {
			c.krb.every.Store(true)
			return nil, &retryable{err: errors.New("server wants a Kerberos token on every request"), reauth: true}
		}
		return rep, nil
	}
	cn.authed = true
	return rep, nil
}

// krbSealHandshake authenticates cn with an empty POST carrying the
// AP-REQ, checks the server's AP-REP (mutual authentication) and keeps
// the acceptor subkey and sequence numbers for sealing.
func (c *Client) krbSealHandshake(ctx context.Context, cn *conn) error {
	c.stats.handshakes.Add(1)
	in, err := c.krbToken(ctx)
	if err != nil {
		return err
	}
	hdrs := []header{{"Content-Type", soapContentType}, {"Authorization", in.header}}
	rep, err := c.roundTrip(ctx, cn, hdrs, nil)
	if err != nil {
		return ioFailure(cn, err)
	}
	switch rep.status {
	case 200:
	case 401:
		return c.deniedFault("")
	default:
		return &HTTPError{StatusCode: rep.status, ContentType: rep.contentType, Body: rep.body, SOAPFault: rep.fault, Err: errors.New("Kerberos authentication refused")}
	}
	if rep.close {
		return c.protocolFault(200, "server closes the connection right after the Kerberos handshake")
	}
	tok, ok, err := authToken(rep.header.Values("WWW-Authenticate"), "Negotiate")
	if err != nil || !ok || len(tok) == 0 {
		return c.protocolFault(200, "no Kerberos AP-REP in the reply: message sealing needs mutual authentication")
	}
	subkey, hasSubkey, seq, err := c.apRep(tok, in)
	if err != nil {
		return c.protocolFault(200, "%v", err)
	}
	key := in.key
	if hasSubkey {
		key = subkey
	}
	s, err := newKrbSealer(key, hasSubkey, uint64(in.seq), uint64(seq), sealed.ProtocolSPNEGO)
	if err != nil {
		return c.protocolFault(200, "%v", err)
	}
	cn.authed, cn.seal = true, s
	return nil
}

// apRep reads the server's AP-REP (in a SPNEGO NegTokenResp, or a raw
// KRB5 token), decrypts it with the ticket session key and checks that
// it echoes the authenticator's time: only the service could have built
// it. It returns the acceptor subkey and initial sequence number.
func (c *Client) apRep(tok []byte, in *krbInit) (subkey types.EncryptionKey, hasSubkey bool, seq int64, err error) {
	defer func() {
		if r := recover(); r != nil { // gokrb5's ASN.1 on hostile input
			err = errors.New("malformed Kerberos AP-REP")
		}
	}()
	mech := tok
	if len(tok) > 0 && tok[0] == 0xa1 { // NegTokenResp
		var resp spnego.NegTokenResp
		if err := resp.Unmarshal(tok); err != nil {
			return subkey, false, 0, fmt.Errorf("SPNEGO reply: %v", err)
		}
		if resp.NegState != 0 {
			return subkey, false, 0, fmt.Errorf("SPNEGO reply state %d, want accept-completed", resp.NegState)
		}
		mech = resp.ResponseToken
		if len(mech) == 0 {
			return subkey, false, 0, errors.New("no Kerberos AP-REP in the reply: message sealing needs mutual authentication")
		}
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil {
		return subkey, false, 0, fmt.Errorf("Kerberos reply: %v", err)
	}
	if !kt.IsAPRep() {
		return subkey, false, 0, errors.New("Kerberos reply is not an AP-REP")
	}
	b, err := krbcrypto.DecryptEncPart(kt.APRep.EncPart, in.key, keyusage.AP_REP_ENCPART)
	if err != nil {
		return subkey, false, 0, fmt.Errorf("AP-REP: %v", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(b); err != nil {
		return subkey, false, 0, fmt.Errorf("AP-REP: %v", err)
	}
	if !part.CTime.Equal(in.ctime) || part.Cusec != in.cusec {
		return subkey, false, 0, errors.New("AP-REP does not match the authenticator: mutual authentication failed")
	}
	return part.Subkey, part.Subkey.KeyType != 0 && len(part.Subkey.KeyValue) > 0, part.SequenceNumber, nil
}

// ccacheName is the credential cache's name: the configured one,
// KRB5CCNAME, or MIT's default /tmp/krb5cc_UID.
func ccacheName(configured string) string {
	if configured != "" {
		return configured
	}
	if v := os.Getenv("KRB5CCNAME"); v != "" {
		return v
	}
	return "/tmp/krb5cc_" + strconv.Itoa(os.Getuid())
}

// ccachePath is the file of the credential cache, or "" for a cache
// that is not a file (KEYRING:, KCM:, which gokrb5 cannot read).
func ccachePath(configured string) string {
	name := ccacheName(configured)
	if p, ok := strings.CutPrefix(name, "FILE:"); ok {
		return p
	}
	if i := strings.Index(name, ":"); i > 0 && !strings.HasPrefix(name, "/") {
		return ""
	}
	return name
}
