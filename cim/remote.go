package cim

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
)

// checkRemote validates what the transport can check without the network
// (auth versus encryption, certificate files named), so that a mistake is
// reported by NewSession rather than by the first operation.
func checkRemote(cfg *Config) error {
	if cfg.isDCOM() {
		return nil // validateDCOM checked what can be checked
	}
	tr, err := transport.New(transportConfig(cfg))
	if err != nil {
		return err
	}
	return tr.Close()
}

func transportConfig(cfg *Config) transport.Config {
	o := cfg.Option
	tc := transport.Config{
		Host:            cfg.ComputerName,
		Port:            cfg.port(),
		HTTPS:           o.UseSSL,
		Prefix:          o.HTTPPrefix,
		Auth:            transport.Auth(cfg.Authentication),
		NoEncryption:    o.NoEncryption,
		CAFile:          o.CAFile,
		SkipCACheck:     o.SkipCACheck,
		SkipCNCheck:     o.SkipCNCheck,
		CertFile:        o.CertificateFile,
		KeyFile:         o.KeyFile,
		SPN:             o.SPN,
		EncodePortInSPN: o.EncodePortInSPN,
		Krb5Conf:        o.Krb5Conf,
		CCache:          o.CCache,
		Keytab:          o.Keytab,
		ConnectTimeout:  cfg.ConnectTimeout,
		Trace:           cfg.Trace,
	}
	if cfg.Credential == nil && (cfg.Authentication == AuthDefault || cfg.Authentication == AuthNegotiate) {
		// Negotiate with no credential means the user's own identity, as
		// on Windows: on this side of the wire that is a Kerberos ticket
		// cache (kinit), since NTLM needs a password.
		tc.Auth = transport.AuthKerberos
	}
	if c := cfg.Credential; c != nil {
		domain, user := c.SplitUser()
		if cfg.Authentication == AuthKerberos || cfg.Authentication == AuthBasic {
			// Kerberos wants user@REALM split; Basic sends the name as given.
			tc.User, tc.Realm = user, domain
			if cfg.Authentication == AuthBasic {
				tc.User, tc.Realm = c.User(), ""
			}
		} else {
			tc.User, tc.Domain = user, domain
		}
		tc.Password = c.Password()
	}
	return tc
}

func clientOptions(cfg *Config) wsman.Options {
	scheme := "http"
	if cfg.Option.UseSSL {
		scheme = "https"
	}
	prefix := cfg.Option.HTTPPrefix
	if prefix == "" {
		prefix = "/wsman"
	}
	if !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	form := wsman.FormDMTF
	if strings.EqualFold(cfg.Option.ResourceURIForm, "wmi") {
		form = wsman.FormWMI
	}
	return wsman.Options{
		Endpoint:         fmt.Sprintf("%s://%s%s", scheme, net.JoinHostPort(cfg.ComputerName, strconv.Itoa(cfg.port())), prefix),
		ComputerName:     cfg.ComputerName,
		URIForm:          form,
		MaxEnvelopeSize:  cfg.Option.MaxEnvelopeSizeKB * 1024,
		Locale:           cfg.Option.UICulture,
		DataLocale:       cfg.Option.Culture,
		OperationTimeout: cfg.OperationTimeout,
	}
}
