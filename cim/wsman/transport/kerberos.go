package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
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
// must remember to check the reply and seal: the AP-REQ's session key,
// time and sequence number.
type krbInit struct {
	header string // "Negotiate <SPNEGO NegTokenInit with the AP-REQ>"
	req    *krb5gss.APReq
}

// krbToken returns a fresh initial token for the service: an AP-REQ
// built from the cached service ticket. The first call logs in (AS
// exchange, or the ticket cache) and asks for the service ticket (TGS
// exchange); later calls reuse both. gokrb5 talks to the KDC without a
// context, so the work runs aside and ctx only stops the wait.
func (c *Client) krbToken(ctx context.Context) (*krbInit, error) {
	in, err := krb5gss.Aside(ctx, c.krbTokenLocked)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil, c.netFault(ctx, "kerberos ticket for", err)
	}
	return in, err
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
	// Mutual authentication, integrity and confidentiality: the server
	// answers with an AP-REP that proves it holds the service key and
	// carries the subkey for message sealing.
	req, err := krb5gss.NewAPReq(c.krb.cl, spn, []int{gssapi.ContextFlagMutual, gssapi.ContextFlagInteg, gssapi.ContextFlagConf})
	if err != nil {
		return nil, c.krbFault(err)
	}
	st := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes:      []asn1.ObjectIdentifier{gssapi.OIDKRB5.OID()},
		MechTokenBytes: req.Token,
	}}
	b, err := st.Marshal()
	if err != nil {
		return nil, c.krbFault(fmt.Errorf("SPNEGO token: %w", err))
	}
	return &krbInit{header: "Negotiate " + base64.StdEncoding.EncodeToString(b), req: req}, nil
}

// newKrbClient logs in, explaining what fails in a user's terms;
// gokrb5's own message (kept in Err) is a chain of internal error names.
func (c *Client) newKrbClient() (*client.Client, error) {
	cl, err := krb5gss.NewClient(krb5gss.Credentials{
		User: c.cfg.User, Realm: c.cfg.Realm, Password: c.cfg.Password,
		Keytab: c.cfg.Keytab, CCache: c.cfg.CCache, Krb5Conf: c.cfg.Krb5Conf,
	})
	var se *krb5gss.SetupError
	if !errors.As(err, &se) {
		return cl, err
	}
	f := c.krbFault(se)
	switch se.Kind {
	case krb5gss.NoTicketCache:
		f.Reason = "no credential given and no Kerberos ticket (no credential cache " + se.Path + "): give credential= or run kinit"
	case krb5gss.WrongPassword:
		f.Reason = "credentials rejected (Kerberos: wrong password for " + se.Principal + ")"
	case krb5gss.UnknownPrincipal:
		f.Reason = "credentials rejected (Kerberos: the KDC does not know " + se.Principal + ")"
	case krb5gss.KDCUnreachable:
		f.Category = model.CategoryUnreachable
		f.Reason = "cannot reach a Kerberos KDC for " + se.Principal
	}
	return nil, f
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
	if err := c.handshakeDone(rep, "Kerberos", "Kerberos authentication refused"); err != nil {
		return err
	}
	tok, ok, err := authToken(rep.header.Values("WWW-Authenticate"), "Negotiate")
	if err != nil || !ok || len(tok) == 0 {
		return c.protocolFault(200, "no Kerberos AP-REP in the reply: message sealing needs mutual authentication")
	}
	subkey, hasSubkey, seq, err := c.apRep(tok, in)
	if err != nil {
		return c.protocolFault(200, "%v", err)
	}
	key := in.req.Key
	if hasSubkey {
		key = subkey
	}
	s, err := newKrbSealer(key, hasSubkey, uint64(in.req.Seq), uint64(seq), sealed.ProtocolSPNEGO)
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
	part, err := in.req.ReadAPRep(mech)
	if errors.Is(err, krb5gss.ErrNotAnswered) {
		return subkey, false, 0, errors.New("AP-REP does not match the authenticator: mutual authentication failed")
	}
	if err != nil {
		return subkey, false, 0, fmt.Errorf("Kerberos reply: %v", err)
	}
	return part.Subkey, krb5gss.HasSubkey(part), part.SequenceNumber, nil
}
