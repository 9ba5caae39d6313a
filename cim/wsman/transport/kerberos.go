package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/spnego"

	"github.com/cimsh/cimsh/cim/model"
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

// krbToken returns a fresh SPNEGO token for the service: an AP-REQ
// built from the cached service ticket. The first call logs in (AS
// exchange, or the ticket cache) and asks for the service ticket (TGS
// exchange); later calls reuse both. gokrb5 talks to the KDC without a
// context, so the work runs aside and ctx only stops the wait.
func (c *Client) krbToken(ctx context.Context) (string, error) {
	type result struct {
		header string
		err    error
	}
	ch := make(chan result, 1)
	go func() {
		h, err := c.krbTokenLocked()
		ch <- result{h, err}
	}()
	select {
	case r := <-ch:
		return r.header, r.err
	case <-ctx.Done():
		return "", c.netFault(ctx, "kerberos ticket for", ctx.Err())
	}
}

func (c *Client) krbTokenLocked() (string, error) {
	c.krb.mu.Lock()
	defer c.krb.mu.Unlock()
	if c.krb.cl == nil {
		cl, err := c.newKrbClient()
		if err != nil {
			return "", err
		}
		c.krb.cl = cl
	}
	tok, err := spnego.SPNEGOClient(c.krb.cl, c.SPN()).InitSecContext()
	if err != nil {
		return "", c.krbFault(fmt.Errorf("service ticket for %s: %w", c.SPN(), err))
	}
	b, err := tok.Marshal()
	if err != nil {
		return "", c.krbFault(fmt.Errorf("SPNEGO token: %w", err))
	}
	return "Negotiate " + base64.StdEncoding.EncodeToString(b), nil
}

func (c *Client) newKrbClient() (*client.Client, error) {
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
		path := c.cfg.CCache
		if path == "" {
			path = os.Getenv("KRB5CCNAME")
		}
		if path == "" {
			path = "/tmp/krb5cc_" + strconv.Itoa(os.Getuid())
		}
		if strings.HasPrefix(path, "FILE:") {
			path = path[len("FILE:"):]
		} else if i := strings.Index(path, ":"); i > 0 && !strings.HasPrefix(path, "/") {
			return nil, c.krbFault(fmt.Errorf("credential cache %q: only FILE: caches are supported", path))
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
		return nil, c.krbFault(fmt.Errorf("login as %s@%s: %w", user, realm, err))
	}
	return cl, nil
}

// krbFault is a Kerberos failure before any request: no ticket, KDC
// refused. Category access_denied, since the credentials did not work.
func (c *Client) krbFault(err error) *model.Fault {
	return &model.Fault{Category: model.CategoryAccessDenied, ComputerName: c.cfg.Host, Err: fmt.Errorf("transport: kerberos: %w", err)}
}

// krbRoundTrip sends body with a Kerberos token on the first request of
// a connection (and on every request when the server wants that).
func (c *Client) krbRoundTrip(ctx context.Context, cn *conn, body []byte) (*reply, error) {
	hdrs := []header{{"Content-Type", soapContentType}}
	withToken := !cn.authed || c.krb.every.Load()
	if withToken {
		h, err := c.krbToken(ctx)
		if err != nil {
			return nil, err
		}
		c.stats.handshakes.Add(1)
		hdrs = append(hdrs, header{"Authorization", h})
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
