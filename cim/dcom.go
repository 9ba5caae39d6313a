package cim

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcom/wmi"
	"github.com/cimsh/cimsh/cim/model"
)

// dcomPort is the endpoint mapper's port, where DCOM sessions connect.
const dcomPort = dcom.DefaultPort

func (c *Config) isDCOM() bool { return strings.EqualFold(c.Option.Protocol, "dcom") }

// checkNoDCOM refuses DCOM-only options on a WS-Man session.
func (o *SessionOption) checkNoDCOM() error {
	for name, set := range map[string]bool{"impersonation": o.Impersonation != "", "packet_privacy": o.PacketPrivacy != nil, "packet_integrity": o.PacketIntegrity != nil} {
		if set {
			return fmt.Errorf("cim: %s is a DCOM option; protocol WSMan does not take it", name)
		}
	}
	return nil
}

// validateDCOM checks a DCOM session's configuration: NTLM with a
// credential, or Kerberos; no WS-Man transport options; packet integrity
// at least.
func (c *Config) validateDCOM() error {
	switch c.Authentication {
	case AuthDefault, AuthNTLM, AuthNegotiate, AuthKerberos:
	default:
		return fmt.Errorf("cim: authentication %s is not available with protocol DCOM; use default, ntlm, negotiate or kerberos", c.Authentication)
	}
	o := c.Option
	for name, set := range map[string]bool{
		"use_ssl": o.UseSSL, "skip_ca_check": o.SkipCACheck, "skip_cn_check": o.SkipCNCheck, "ca_file": o.CAFile != "",
		"certificate_file": o.CertificateFile != "", "key_file": o.KeyFile != "",
		"no_encryption": o.NoEncryption, "max_envelope_size_kb": o.MaxEnvelopeSizeKB != 0, "http_prefix": o.HTTPPrefix != "",
		"encode_port_in_spn": o.EncodePortInSPN, "resource_uri_form": o.ResourceURIForm != "",
	} {
		if set {
			return fmt.Errorf("cim: %s is a WS-Man option; protocol DCOM does not take it", name)
		}
	}
	if _, err := dcomImpersonation(o.Impersonation); err != nil {
		return err
	}
	if _, err := dcomLevel(&o); err != nil {
		return err
	}
	if c.ComputerName != "" && c.Authentication == AuthNTLM && (c.Credential == nil || !c.Credential.HasPassword()) {
		return fmt.Errorf("cim: authentication ntlm over DCOM needs a credential with a password (or use kerberos, or negotiate with a Kerberos ticket)")
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("cim: port %d is out of range", c.Port)
	}
	// HOST:PORT and [IPV6]:PORT name the endpoint mapper's port; a URL
	// is WS-Man's.
	if strings.Contains(c.ComputerName, "://") {
		return fmt.Errorf("cim: computer_name %s is a WS-Man URL; protocol DCOM takes HOST or HOST:PORT", quoteInput(c.ComputerName))
	}
	if err := c.parseComputerName(); err != nil {
		return err
	}
	if c.OperationTimeout < 0 {
		return fmt.Errorf("cim: operation timeout must not be negative")
	}
	return nil
}

func dcomImpersonation(s string) (uint32, error) {
	switch strings.ToLower(s) {
	case "", "impersonate":
		return wmi.ImpImpersonate, nil
	case "default":
		return wmi.ImpDefault, nil
	case "none", "anonymous":
		return wmi.ImpAnonymous, nil
	case "identify":
		return wmi.ImpIdentify, nil
	case "delegate":
		return wmi.ImpDelegate, nil
	}
	return 0, fmt.Errorf("cim: unknown impersonation %s (want default, none, identify, impersonate or delegate)", model.Quote(s))
}

// dcomLevel is packet privacy unless packet_privacy is false, then packet
// integrity; nothing lower, since Windows refuses it (KB5004442).
func dcomLevel(o *SessionOption) (uint8, error) {
	if o.PacketPrivacy == nil || *o.PacketPrivacy {
		return rpc.LevelPrivacy, nil
	}
	if o.PacketIntegrity != nil && !*o.PacketIntegrity {
		return 0, fmt.Errorf("cim: DCOM needs packet integrity at least (Windows refuses lower authentication levels): set packet_integrity or packet_privacy")
	}
	return rpc.LevelIntegrity, nil
}

// dcomProvider serves a DCOM session: WMI over DCOM (nothing opens yet).
func dcomProvider(cfg *Config) (model.Provider, error) {
	imp, err := dcomImpersonation(cfg.Option.Impersonation)
	if err != nil {
		return nil, err
	}
	level, err := dcomLevel(&cfg.Option)
	if err != nil {
		return nil, err
	}
	dc := dcom.Config{Host: cfg.ComputerName, Port: cfg.port(), Level: level, Impersonation: imp,
		ComputerName: cfg.ComputerName, ConnectTimeout: cfg.ConnectTimeout,
		SPN: cfg.Option.SPN, Krb5Conf: cfg.Option.Krb5Conf, CCache: cfg.Option.CCache}
	if c := cfg.Credential; c != nil {
		dc.Domain, dc.User = c.SplitUser()
		dc.Password = c.Password()
	}
	// As over WS-Man: default and negotiate with a password are NTLM
	// (negotiate inside SPNEGO); without one they are the user's own
	// identity, which on this side of the wire is a Kerberos ticket
	// cache, inside SPNEGO as Windows negotiates it.
	switch cfg.Authentication {
	case AuthKerberos:
		dc.Auth = dcom.AuthKerberos
	case AuthNegotiate:
		dc.Auth = dcom.AuthNegotiate
	case AuthDefault:
		dc.Auth = dcom.AuthNTLM
		if dc.Password == "" {
			dc.Auth = dcom.AuthNegotiate
		}
	default:
		dc.Auth = dcom.AuthNTLM
	}
	return dcom.New(dc)
}
