package cim

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// maxHostName is the longest DNS name in text (RFC 1035's 255 octets).
const maxHostName = 253

// maxQuoted bounds how much of a user's text an error quotes.
const maxQuoted = 200

// quoteInput quotes s for an error message, cut to maxQuoted characters.
func quoteInput(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "..."
	}
	return strconv.Quote(s)
}

// parseComputerName reads ComputerName as New-CimSession -ComputerName
// users write it, and moves what it says beyond the host into the
// config: HOST, HOST:PORT, [IPV6]:PORT, a bare IPv6 address, or an
// http(s)://HOST[:PORT][/PATH] URL (https sets UseSSL, the path
// HTTPPrefix). What contradicts an explicit Port, UseSSL or HTTPPrefix is
// an error naming both.
func (c *Config) parseComputerName() error {
	name := strings.TrimSpace(c.ComputerName)
	if name == "" {
		return nil
	}
	q := quoteInput(c.ComputerName)
	var host, port string
	switch {
	case strings.Contains(name, "://"):
		u, err := url.Parse(name)
		if err != nil {
			return fmt.Errorf("cim: computer_name %s is not a URL (%v)", q, urlReason(err))
		}
		switch strings.ToLower(u.Scheme) {
		case "http":
			if c.Option.UseSSL {
				return fmt.Errorf("cim: computer_name %s is an http:// URL, but use_ssl is set", q)
			}
		case "https":
			c.Option.UseSSL = true
		default:
			return fmt.Errorf("cim: computer_name %s: the scheme is %s; want http:// or https://", q, quoteInput(u.Scheme))
		}
		if u.User != nil {
			return fmt.Errorf("cim: computer_name %s carries a user name; give it as credential=", q)
		}
		if u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("cim: computer_name %s: a WS-Man URL has no query or fragment", q)
		}
		host, port = u.Hostname(), u.Port()
		if p := u.Path; p != "" && p != "/" {
			if c.Option.HTTPPrefix != "" && strings.Trim(c.Option.HTTPPrefix, "/") != strings.Trim(p, "/") {
				return fmt.Errorf("cim: computer_name %s gives the path %s, but http_prefix is %s", q, p, quoteInput(c.Option.HTTPPrefix))
			}
			c.Option.HTTPPrefix = p
		}
	case strings.HasPrefix(name, "["):
		end := strings.IndexByte(name, ']')
		if end < 0 {
			return fmt.Errorf("cim: computer_name %s: no ] after the IPv6 address", q)
		}
		host = name[1:end]
		switch rest := name[end+1:]; {
		case rest == "":
		case strings.HasPrefix(rest, ":"):
			port = rest[1:]
			if port == "" {
				return fmt.Errorf("cim: computer_name %s: no port after the colon", q)
			}
		default:
			return fmt.Errorf("cim: computer_name %s: want [ADDRESS] or [ADDRESS]:PORT", q)
		}
		if net.ParseIP(host) == nil {
			return fmt.Errorf("cim: computer_name %s: %s is not an IPv6 address", q, quoteInput(host))
		}
	case strings.Count(name, ":") == 1:
		host, port, _ = strings.Cut(name, ":")
		if port == "" {
			return fmt.Errorf("cim: computer_name %s: no port after the colon", q)
		}
	case strings.Count(name, ":") > 1:
		if net.ParseIP(name) == nil {
			return fmt.Errorf("cim: computer_name %s: an IPv6 address with a port is written [ADDRESS]:PORT", q)
		}
		host = name
	default:
		host = name
	}
	if host == "" {
		return fmt.Errorf("cim: computer_name %s names no host", q)
	}
	// DNS names are at most 253 characters (RFC 1035); a longer one is
	// a mistake, and would be echoed in every error of the session.
	if len(host) > maxHostName {
		return fmt.Errorf("cim: computer_name %s: a host name is at most %d characters, this one is %d", q, maxHostName, len(host))
	}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("cim: computer_name %s: the port %s is not a number from 1 to 65535", q, quoteInput(port))
		}
		if c.Port != 0 && c.Port != p {
			return fmt.Errorf("cim: computer_name %s gives port %d, but port is %d", q, p, c.Port)
		}
		c.Port = p
	}
	c.ComputerName = host
	return nil
}

// urlReason is url.Parse's complaint without the repeated input.
func urlReason(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}
