package wsman

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
)

// canonOpts says what a comparison ignores beyond prefixes and message
// ids.
type canonOpts struct {
	drop       map[string]bool // element local names left out
	noXSIType  bool            // leave out xsi:type attributes
	replace    [][2]string     // text substitutions applied to the expected document
	dropOption func(name string) bool
}

// PowerShell's volatile or MI-specific headers that cimsh leaves out on
// purpose (PROTOCOL.md: no OperationID, no __MI_CallbackRegistration).
var psVolatile = map[string]bool{"SessionId": true, "OperationID": true, "SequenceId": true, "ActivityId": true}

func miOption(name string) bool { return strings.Contains(name, "__MI") }

// canon renders an XML document as an indented tree of namespace URIs,
// local names, non-namespace attributes (sorted, QName values resolved)
// and trimmed text, so that two documents compare regardless of prefixes,
// white space and message ids.
func canon(t *testing.T, doc []byte, o canonOpts) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(doc)))
	var b strings.Builder
	var scopes []map[string]string
	resolve := func(prefix string) string {
		for i := len(scopes) - 1; i >= 0; i-- {
			if u, ok := scopes[i][prefix]; ok {
				return u
			}
		}
		if prefix == "cim" {
			// PowerShell's MI client writes cim:cimString without
			// declaring cim.
			return NsCIMCommon
		}
		return prefix
	}
	depth := 0
	skipDepth := -1
	var text strings.Builder
	inMessageID := false
	flush := func() {
		s := strings.TrimSpace(text.String())
		text.Reset()
		if s != "" && skipDepth < 0 {
			if inMessageID {
				s = "MESSAGE-ID"
			}
			fmt.Fprintf(&b, "%s%q\n", strings.Repeat("  ", depth), s)
		}
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("canon: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			flush()
			sc := map[string]string{}
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" {
					sc[a.Name.Local] = a.Value
				}
			}
			scopes = append(scopes, sc)
			drop := o.drop[tok.Name.Local]
			if tok.Name.Local == "Option" && o.dropOption != nil {
				var n string
				for _, a := range tok.Attr {
					if a.Name.Space == "" && strings.EqualFold(a.Name.Local, "Name") {
						n = a.Value
					}
				}
				drop = drop || o.dropOption(n)
			}
			if skipDepth < 0 && drop {
				skipDepth = depth
			}
			if skipDepth < 0 {
				var attrs []string
				for _, a := range tok.Attr {
					if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
						continue
					}
					if o.noXSIType && a.Name.Space == NsXSI && a.Name.Local == "type" {
						continue
					}
					v := strings.TrimSpace(a.Value)
					if a.Name.Space == NsXSI && a.Name.Local == "type" {
						if i := strings.IndexByte(v, ':'); i >= 0 {
							v = "{" + resolve(v[:i]) + "}" + v[i+1:]
						}
					}
					attrs = append(attrs, fmt.Sprintf("{%s}%s=%q", a.Name.Space, a.Name.Local, v))
				}
				sort.Strings(attrs)
				fmt.Fprintf(&b, "%s{%s}%s %s\n", strings.Repeat("  ", depth), tok.Name.Space, tok.Name.Local, strings.Join(attrs, " "))
			}
			inMessageID = tok.Name.Local == "MessageID"
			depth++
		case xml.EndElement:
			flush()
			depth--
			scopes = scopes[:len(scopes)-1]
			if skipDepth == depth {
				skipDepth = -1
			}
			inMessageID = false
		case xml.CharData:
			text.Write(tok)
		}
	}
	return b.String()
}

// compareEnvelopes fails with a line diff when got and want differ after
// canonicalization.
func compareEnvelopes(t *testing.T, got, want []byte, o canonOpts) {
	t.Helper()
	w := string(want)
	for _, r := range o.replace {
		w = strings.ReplaceAll(w, r[0], r[1])
	}
	cg, cw := canon(t, got, o), canon(t, []byte(w), o)
	if cg == cw {
		return
	}
	gl, wl := strings.Split(cg, "\n"), strings.Split(cw, "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("envelopes differ at line %d:\n got: %s\nwant: %s\n\nfull got:\n%s\nfull want:\n%s", i+1, g, w, cg, cw)
			return
		}
	}
}

// replayTransport records requests and answers them from a script: each
// reply is a body (HTTP 200) or, with status set, an *HTTPError.
type replayTransport struct {
	mu      sync.Mutex
	replies []reply
	reqs    [][]byte
	effects []Effect
	closed  bool
	// holdPulls, when set, makes every Pull wait for it to close or for
	// its context to end (a server that never answers a Pull); a held
	// Pull takes no reply from the script.
	holdPulls <-chan struct{}
}

type reply struct {
	status int
	body   []byte
	err    error
	// asIs sends body unchanged; otherwise a 200 body gets the
	// addressing headers of an answer to the request (answering).
	asIs bool
}

func (r *replayTransport) Post(ctx context.Context, body []byte, effect Effect) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, append([]byte(nil), body...))
	r.effects = append(r.effects, effect)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.holdPulls != nil && bytes.Contains(body, []byte("<n:Pull>")) {
		r.mu.Unlock()
		defer r.mu.Lock()
		select {
		case <-r.holdPulls:
			return nil, errors.New("replay: held Pull let go")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if len(r.replies) == 0 {
		return nil, fmt.Errorf("replay: no reply scripted for request %d", len(r.reqs))
	}
	rep := r.replies[0]
	r.replies = r.replies[1:]
	if rep.err != nil {
		return nil, rep.err
	}
	if rep.status != 0 && rep.status != 200 {
		return nil, &HTTPError{StatusCode: rep.status, ContentType: "application/soap+xml;charset=UTF-8", Body: rep.body}
	}
	if !rep.asIs {
		return answering(body, rep.body), nil
	}
	return rep.body, nil
}

func (r *replayTransport) Close() error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return nil
}

func (r *replayTransport) requests() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.reqs...)
}
