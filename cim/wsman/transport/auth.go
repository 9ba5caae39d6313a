package transport

import (
	"context"
	"encoding/base64"
	"strings"
)

// soapContentType is the content type of every plain request.
const soapContentType = "application/soap+xml;charset=UTF-8"

// mutualAuth is the Authorization value for TLS client certificates
// (DSP0226 secprofile https/mutual).
const mutualAuth = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// authedRoundTrip sends body on cn with the configured authentication.
// I/O failures come back as *retryable; everything else is final.
func (c *Client) authedRoundTrip(ctx context.Context, cn *conn, body []byte) (*reply, error) {
	switch {
	case c.cfg.isNTLM():
		return c.ntlmRoundTrip(ctx, cn, body)
	case c.cfg.Auth == AuthKerberos:
		return c.krbRoundTrip(ctx, cn, body)
	}
	hdrs := []header{{"Content-Type", soapContentType}}
	switch c.cfg.Auth {
	case AuthBasic:
		// Sent on every request, the first included: OMI never answers
		// a request without credentials.
		hdrs = append(hdrs, header{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(c.basicUser()+":"+c.cfg.Password))})
	case AuthCertificate:
		hdrs = append(hdrs, header{"Authorization", mutualAuth})
	}
	rep, err := c.roundTrip(ctx, cn, hdrs, body)
	if err != nil {
		return nil, ioFailure(cn, err)
	}
	return rep, nil
}

func (c *Client) basicUser() string {
	if c.cfg.Domain != "" {
		return c.cfg.Domain + `\` + c.cfg.User
	}
	return c.cfg.User
}

// splitUser returns the user and domain for NTLM: Config.Domain wins,
// then "DOMAIN\user", then "user@domain".
func splitUser(user, domain string) (string, string) {
	if domain != "" {
		return user, domain
	}
	if d, u, ok := strings.Cut(user, `\`); ok {
		return u, d
	}
	if u, d, ok := strings.Cut(user, "@"); ok {
		return u, d
	}
	return user, ""
}

// authToken returns the token of the first WWW-Authenticate challenge of
// scheme ("Negotiate"), and whether the scheme was offered at all.
func authToken(values []string, scheme string) (token []byte, offered bool, err error) {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			name, rest, _ := strings.Cut(part, " ")
			if !strings.EqualFold(name, scheme) {
				continue
			}
			rest = strings.TrimSpace(rest)
			if rest == "" {
				return nil, true, nil
			}
			tok, err := base64.StdEncoding.DecodeString(rest)
			return tok, true, err
		}
	}
	return nil, false, nil
}

// offered lists the schemes of the WWW-Authenticate headers, for errors.
func offered(values []string) string {
	var names []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(part), " ")
			if name != "" && !strings.Contains(name, "=") {
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
