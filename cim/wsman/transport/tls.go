package transport

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// tlsConfig builds the TLS settings once, on the first HTTPS dial.
func (c *Client) tlsConfig() (*tls.Config, error) {
	c.tlsOnce.Do(func() { c.tlsConf, c.tlsErr = c.buildTLS() })
	return c.tlsConf, c.tlsErr
}

// buildTLS verifies the server by default; CAFile adds trust anchors to
// the system's; SkipCACheck turns verification off; SkipCNCheck verifies
// the chain but not the name.
func (c *Client) buildTLS() (*tls.Config, error) {
	tc := &tls.Config{
		ServerName: c.cfg.Host,
		MinVersion: tls.VersionTLS12,
		// HTTP.sys may renegotiate to ask for the client certificate.
		Renegotiation: tls.RenegotiateOnceAsClient,
	}
	if c.cfg.CAFile != "" {
		pem, err := os.ReadFile(c.cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("transport: CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("transport: CA file %s holds no PEM certificate", c.cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	switch {
	case c.cfg.SkipCACheck:
		tc.InsecureSkipVerify = true
	case c.cfg.SkipCNCheck:
		tc.InsecureSkipVerify = true // replaced by the chain check below
		roots := tc.RootCAs
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("transport: server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
			for _, ic := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(ic)
			}
			if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
				return fmt.Errorf("transport: server certificate: %w", err)
			}
			return nil
		}
	}
	if c.cfg.Auth == AuthCertificate {
		cert, err := tls.LoadX509KeyPair(c.cfg.CertFile, c.cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("transport: client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}
