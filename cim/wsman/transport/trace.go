package transport

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Tracing (Config.Trace): every request and reply envelope, as the
// `wsman` CLI's request dump shows them, with the HTTP status and the
// time taken. Envelopes are shown in clear (decrypted when the
// connection seals them) and indented. Secrets never appear: the values
// of Authorization and WWW-Authenticate headers (Basic credentials,
// NTLM and Kerberos tokens) are replaced by <redacted>, so is the text of
// any element or attribute whose name holds "password", and so is the
// configured password wherever it occurs. Server text is written as
// received otherwise: the writer escapes it for a terminal (the shell
// wraps it with luabind's EscapeControls).

// traceLeg is one HTTP request of an exchange (an authentication leg,
// or the request itself).
type traceLeg struct {
	request  []header // as sent, values of credential headers redacted
	status   int
	response []header // WWW-Authenticate, redacted
	took     time.Duration
}

// tracer writes the trace of one client.
type tracer struct {
	w        io.Writer
	password string
	mu       *sync.Mutex
	seq      *atomic.Int64
}

// traceSeq numbers exchanges across clients, so that a trace of several
// sessions reads in one sequence; traceMu keeps their blocks whole.
var (
	traceSeq atomic.Int64
	traceMu  sync.Mutex
)

func newTracer(w io.Writer, password string) *tracer {
	if w == nil {
		return nil
	}
	return &tracer{w: w, password: password, mu: &traceMu, seq: &traceSeq}
}

// redactHeader returns a header as the trace shows it.
func redactHeader(h header) header {
	switch strings.ToLower(h.name) {
	case "authorization", "www-authenticate", "proxy-authorization":
		scheme, _, _ := strings.Cut(h.value, " ")
		if strings.HasPrefix(h.value, "http") {
			// the certificate profile URI names no secret
			return h
		}
		return header{h.name, scheme + " <redacted>"}
	}
	return h
}

// leg records one HTTP request on cn when tracing.
func (c *Client) traceLeg(cn *conn, hdrs []header, resp *http.Response, took time.Duration) {
	if c.trace == nil {
		return
	}
	l := traceLeg{took: took}
	for _, h := range hdrs {
		l.request = append(l.request, redactHeader(h))
	}
	if resp != nil {
		l.status = resp.StatusCode
		for _, v := range resp.Header.Values("WWW-Authenticate") {
			l.response = append(l.response, redactHeader(header{"WWW-Authenticate", v}))
		}
	}
	cn.legs = append(cn.legs, l)
}

// traceExchange writes one exchange: the request envelope, each HTTP
// leg, and the reply (or the failure).
func (c *Client) traceExchange(cn *conn, body []byte, rep *reply, err error, took time.Duration) {
	t := c.trace
	n := t.seq.Add(1)
	scheme := "http"
	if c.cfg.HTTPS {
		scheme = "https"
	}
	var b bytes.Buffer
	mode := string(c.cfg.Auth)
	if c.cfg.sealing() {
		mode += ", sealed: shown decrypted"
	}
	fmt.Fprintf(&b, "--> #%d POST %s://%s%s (%s), %d bytes\n", n, scheme, c.cfg.addr(), c.cfg.Prefix, mode, len(body))
	for i, l := range cn.legs {
		last := i == len(cn.legs)-1
		for _, h := range l.request {
			if h.name == "Content-Length" {
				continue
			}
			fmt.Fprintf(&b, "    %s: %s\n", h.name, h.value)
		}
		if !last || l.status == 401 {
			fmt.Fprintf(&b, "    (authentication: %d %s after %s", l.status, http.StatusText(l.status), round(l.took))
			for _, h := range l.response {
				fmt.Fprintf(&b, "; %s: %s", h.name, h.value)
			}
			b.WriteString(")\n")
		}
	}
	t.envelope(&b, body)
	cn.legs = nil
	switch {
	case err != nil:
		fmt.Fprintf(&b, "<-- #%d failed after %s: %v\n", n, round(took), t.scrub(err.Error()))
	default:
		fmt.Fprintf(&b, "<-- #%d %d %s after %s, %d bytes", n, rep.status, http.StatusText(rep.status), round(took), len(rep.body))
		if rep.contentType != "" {
			fmt.Fprintf(&b, " (%s)", rep.contentType)
		}
		b.WriteString("\n")
		t.envelope(&b, rep.body)
	}
	t.mu.Lock()
	t.w.Write(b.Bytes())
	t.mu.Unlock()
}

func round(d time.Duration) time.Duration {
	if d > time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

// scrub removes the password from text.
func (t *tracer) scrub(s string) string {
	if t.password == "" {
		return s
	}
	return strings.ReplaceAll(s, t.password, "<redacted>")
}

// envelope writes body indented, password-named elements and attributes
// redacted; a body that is not XML is written as it came (scrubbed).
func (t *tracer) envelope(b *bytes.Buffer, body []byte) {
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	out, err := indentXML(body)
	if err != nil {
		out = string(body)
		if !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		out = "    " + strings.ReplaceAll(strings.TrimSuffix(out, "\n"), "\n", "\n    ") + "\n"
	}
	b.WriteString(t.scrub(out))
}

// secretName reports a name whose value is a secret.
func secretName(n xml.Name) bool {
	return strings.Contains(strings.ToLower(n.Local), "password")
}

// secretElement reports an element whose text is a secret: its name says
// password, or its Name attribute does (a WinRS environment variable, a
// selector).
func secretElement(t xml.StartElement) bool {
	if secretName(t.Name) {
		return true
	}
	for _, a := range t.Attr {
		if a.Name.Local == "Name" && strings.Contains(strings.ToLower(a.Value), "password") {
			return true
		}
	}
	return false
}

// indentXML re-writes a document one element a line, indented, keeping
// the prefixes as they came; an element holding only text stays on one
// line.
func indentXML(body []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	var b strings.Builder
	depth, secret := 0, 0
	var secrets []bool            // per open element: whether it made secret
	var pending *xml.StartElement // a start tag not yet closed: text may follow on its line
	var text strings.Builder
	name := func(n xml.Name) string {
		if n.Space != "" {
			return n.Space + ":" + n.Local
		}
		return n.Local
	}
	indent := func(d int) { b.WriteString(strings.Repeat("  ", d+2)) }
	flushStart := func(selfClose bool) {
		if pending == nil {
			return
		}
		indent(depth - 1)
		b.WriteString("<" + name(pending.Name))
		for _, a := range pending.Attr {
			v := a.Value
			if secretName(a.Name) {
				v = "<redacted>"
			}
			b.WriteString(" " + name(a.Name) + `="`)
			xml.EscapeText(&stringWriter{&b}, []byte(v))
			b.WriteString(`"`)
		}
		if selfClose {
			b.WriteString("/>\n")
		} else {
			b.WriteString(">")
		}
		pending = nil
	}
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if pending != nil {
				flushStart(false)
				b.WriteString("\n")
				if s := strings.TrimSpace(text.String()); s != "" {
					indent(depth)
					writeText(&b, s, secret > 0)
					b.WriteString("\n")
				}
			}
			text.Reset()
			st := tk.Copy()
			pending = &st
			depth++
			if secretElement(tk) {
				secret++
			}
			secrets = append(secrets, secretElement(tk))
		case xml.EndElement:
			if depth == 0 {
				return "", fmt.Errorf("unbalanced")
			}
			switch {
			case pending != nil && strings.TrimSpace(text.String()) == "":
				flushStart(true)
			case pending != nil:
				flushStart(false)
				writeText(&b, text.String(), secret > 0)
				b.WriteString("</" + name(tk.Name) + ">\n")
			default:
				indent(depth - 1)
				b.WriteString("</" + name(tk.Name) + ">\n")
			}
			depth--
			if n := len(secrets); n > 0 {
				if secrets[n-1] {
					secret--
				}
				secrets = secrets[:n-1]
			}
			text.Reset()
		case xml.CharData:
			if pending != nil {
				text.Write(tk)
			} else if s := strings.TrimSpace(string(tk)); s != "" {
				indent(depth)
				writeText(&b, s, secret > 0)
				b.WriteString("\n")
			}
		}
	}
	if depth != 0 {
		return "", fmt.Errorf("unbalanced")
	}
	return b.String(), nil
}

func writeText(b *strings.Builder, s string, secret bool) {
	if secret {
		b.WriteString("<redacted>")
		return
	}
	xml.EscapeText(&stringWriter{b}, []byte(strings.TrimSpace(s)))
}

type stringWriter struct{ b *strings.Builder }

func (w *stringWriter) Write(p []byte) (int, error) { return w.b.Write(p) }
