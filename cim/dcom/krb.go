package dcom

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/credentials"
)

// usesKerberos reports whether the connection authenticates with
// Kerberos: "kerberos", or "negotiate" without a password (the user's
// own identity, which on this side of the wire is a ticket cache), as
// the WS-Man transport chooses.
func (c *Config) usesKerberos() bool {
	return c.Auth == AuthKerberos || (c.Auth == AuthNegotiate && c.Password == "")
}

// spn is the service principal Kerberos asks a ticket for: "host/<host>",
// the name every Windows machine registers (DCOM's RPCSS/ maps to it).
func (c *Config) spn() string {
	if c.SPN != "" {
		return c.SPN
	}
	return "host/" + c.Host
}

// kerberosClient returns the logged-in Kerberos client, logging in the
// first time (from the password, or the ticket cache) and asking for the
// service ticket, so that the binds that follow use cached tickets.
// gokrb5 talks to the KDC without a context, so the work runs aside and
// ctx only stops the wait.
func (p *Provider) kerberosClient(ctx context.Context) (*client.Client, error) {
	p.krbMu.Lock()
	cl := p.krb
	p.krbMu.Unlock()
	if cl != nil {
		return cl, nil
	}
	type result struct {
		cl  *client.Client
		err error
	}
	ch := make(chan result, 1)
	go func() {
		cl, err := p.newKerberosClient()
		if err == nil {
			if _, _, terr := cl.GetServiceTicket(p.cfg.spn()); terr != nil {
				err = p.krbFault(fmt.Sprintf("cannot get a ticket for %s", p.cfg.spn()), terr)
			}
		}
		ch <- result{cl, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, r.err
		}
		p.krbMu.Lock()
		p.krb = r.cl
		p.krbMu.Unlock()
		return r.cl, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *Provider) newKerberosClient() (*client.Client, error) {
	confPath := p.cfg.Krb5Conf
	if confPath == "" {
		confPath = os.Getenv("KRB5_CONFIG")
	}
	if confPath == "" {
		confPath = "/etc/krb5.conf"
	}
	confPath = strings.SplitN(confPath, ":", 2)[0]
	kc, err := config.Load(confPath)
	if err != nil {
		return nil, p.krbFault("cannot read the Kerberos configuration "+clip(confPath), err)
	}
	user, realm := p.cfg.User, p.cfg.Realm
	if u, r, ok := strings.Cut(user, "@"); ok {
		user = u
		if realm == "" {
			realm = r
		}
	}
	if realm == "" {
		realm = p.cfg.Domain
	}
	if realm == "" {
		realm = kc.LibDefaults.DefaultRealm
	}
	realm = strings.ToUpper(realm)
	if p.cfg.Password != "" {
		cl := client.NewWithPassword(user, realm, p.cfg.Password, kc, client.DisablePAFXFAST(true))
		if err := cl.Login(); err != nil {
			return nil, p.loginFault(user+"@"+realm, err)
		}
		return cl, nil
	}
	path := p.cfg.CCache
	if path == "" {
		path = os.Getenv("KRB5CCNAME")
	}
	if path == "" {
		path = "/tmp/krb5cc_" + strconv.Itoa(os.Getuid())
	}
	if strings.HasPrefix(path, "FILE:") {
		path = path[len("FILE:"):]
	} else if i := strings.Index(path, ":"); i > 0 && !strings.HasPrefix(path, "/") {
		return nil, p.krbFault("credential cache "+clip(path)+": only FILE: caches are supported", nil)
	}
	cc, err := credentials.LoadCCache(path)
	if err != nil {
		return nil, p.krbFault("no Kerberos ticket cache at "+clip(path)+" (run kinit, or give a credential)", err)
	}
	cl, err := client.NewFromCCache(cc, kc, client.DisablePAFXFAST(true))
	if err != nil {
		return nil, p.krbFault("cannot use the ticket cache "+clip(path), err)
	}
	return cl, nil
}

// krbFault is a Kerberos failure before any DCOM traffic, worded with
// the authentication the user chose.
func (p *Provider) krbFault(what string, err error) *model.Fault {
	msg := fmt.Sprintf("authentication=%q: %s", p.cfg.Auth, what)
	if err != nil {
		err = fmt.Errorf("dcom: kerberos: %s: %w", what, err)
	} else {
		err = errors.New("dcom: kerberos: " + what)
	}
	return &model.Fault{Category: model.CategoryAccessDenied, CIMStatus: model.CIMAccessDenied, ComputerName: p.cfg.ComputerName, CIMMessage: msg, Err: err}
}

// loginFault explains a failed AS exchange in the user's terms; gokrb5's
// own message is a chain of internal error names.
func (p *Provider) loginFault(principal string, err error) *model.Fault {
	f := p.krbFault("cannot log in as "+clip(principal), err)
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Decrypting_Error"), strings.Contains(msg, "PREAUTH_FAILED"):
		f.CIMMessage = fmt.Sprintf("authentication=%q: the KDC refused the password for %s", p.cfg.Auth, clip(principal))
	case strings.Contains(msg, "C_PRINCIPAL_UNKNOWN"):
		f.CIMMessage = fmt.Sprintf("authentication=%q: the KDC does not know %s", p.cfg.Auth, clip(principal))
	case strings.Contains(msg, "Networking_Error"), strings.Contains(msg, "could not get"):
		f.Category, f.CIMStatus = model.CategoryUnreachable, 0
		f.Reason = fmt.Sprintf("authentication=%q: cannot reach a Kerberos KDC for %s", p.cfg.Auth, clip(principal))
		f.CIMMessage = ""
	}
	return f
}
