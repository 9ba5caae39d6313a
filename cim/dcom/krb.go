package dcom

import (
	"context"
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/client"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
	"github.com/cimsh/cimsh/cim/model"
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
	cl, err := krb5gss.Aside(ctx, func() (*client.Client, error) {
		cl, err := p.newKerberosClient()
		if err == nil {
			if _, _, terr := cl.GetServiceTicket(p.cfg.spn()); terr != nil {
				err = p.krbFault(fmt.Sprintf("cannot get a ticket for %s", p.cfg.spn()), terr)
			}
		}
		return cl, err
	})
	if err != nil {
		return nil, err
	}
	p.krbMu.Lock()
	p.krb = cl
	p.krbMu.Unlock()
	return cl, nil
}

// newKerberosClient logs in, wording what fails in the user's terms;
// gokrb5's own message is a chain of internal error names.
func (p *Provider) newKerberosClient() (*client.Client, error) {
	cl, err := krb5gss.NewClient(krb5gss.Credentials{
		User: p.cfg.User, Realm: p.cfg.Realm, Domain: p.cfg.Domain, Password: p.cfg.Password,
		CCache: p.cfg.CCache, Krb5Conf: p.cfg.Krb5Conf,
	})
	var se *krb5gss.SetupError
	if !errors.As(err, &se) {
		return cl, err
	}
	principal := clip(se.Principal)
	switch se.Kind {
	case krb5gss.BadConfig:
		return nil, p.krbFault("cannot read the Kerberos configuration "+clip(se.Path), se.Err)
	case krb5gss.CacheNotFile:
		return nil, p.krbFault("credential cache "+clip(se.Path)+": only FILE: caches are supported", nil)
	case krb5gss.NoTicketCache, krb5gss.BadTicketCache:
		return nil, p.krbFault("no Kerberos ticket cache at "+clip(se.Path)+" (run kinit, or give a credential)", se.Err)
	case krb5gss.UnusableTicketCache:
		return nil, p.krbFault("cannot use the ticket cache "+clip(se.Path), se.Err)
	}
	f := p.krbFault("cannot log in as "+principal, se.Err)
	switch se.Kind {
	case krb5gss.WrongPassword:
		f.CIMMessage = fmt.Sprintf("authentication=%q: the KDC refused the password for %s", p.cfg.Auth, principal)
	case krb5gss.UnknownPrincipal:
		f.CIMMessage = fmt.Sprintf("authentication=%q: the KDC does not know %s", p.cfg.Auth, principal)
	case krb5gss.KDCUnreachable:
		f.Category, f.CIMStatus = model.CategoryUnreachable, 0
		f.Reason = fmt.Sprintf("authentication=%q: cannot reach a Kerberos KDC for %s", p.cfg.Auth, principal)
		f.CIMMessage = ""
	}
	return nil, f
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
