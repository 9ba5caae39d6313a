package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The harness's server answers the measured enumerations from pages
// rendered once: the test server (cim/wsmantest) renders every page of
// a namespace's Win32_Process at start-up, and from then on an
// Enumerate or Pull of that class gets its page's bytes with a few
// header fields patched (its own MessageID, RelatesTo the request's
// MessageID, and an enumeration context of this layer's). So the
// transport floor is the network and HTTP, as it would be against a
// server that has its answers ready, rather than the test server's
// rendering. Everything else (schemas, other classes, requests of other
// shapes, contexts it does not know) goes to the test server, which
// renders as usual; the test server's correctness tests are untouched.

// pageSize is the items a page holds (the server's MaxBatch).
const pageSize = 200

// piece is a fixed run of a page's bytes or a hole filled per reply.
type piece struct {
	fixed []byte
	hole  hole
}

type hole uint8

const (
	holeNone hole = iota
	holeMessageID
	holeRelatesTo
	holeContext
)

// page is one reply with its holes.
type page struct {
	pieces []piece
	size   int // bytes of the fixed pieces
	last   bool
}

// pageSet is the pre-rendered enumeration of one namespace's class.
type pageSet struct {
	ns      string
	pages   []page // pages[0] answers the Enumerate (optimized: with the first items)
	release page   // a ReleaseResponse
	bytes   int
}

// pageServer is the layer in front of the test server's WS-Man handler
// (wsmantest.Options.Auth): it checks Basic credentials itself, answers
// the pre-rendered enumerations and hands everything else on.
type pageServer struct {
	user, pass string
	next       http.Handler

	mu    sync.Mutex
	sets  map[string]*pageSet // by lower-case namespace
	open  map[uint64]*openEnum
	ids   uint64
	msgID atomic.Uint64
	// served counts the replies answered from pages (a test checks the
	// measured rows went through them).
	served atomic.Int64

	bufs sync.Pool
}

// openEnum is an enumeration context this layer handed out.
type openEnum struct {
	set  *pageSet
	next int // the page its next Pull gets
}

func newPageServer(user, pass string) *pageServer {
	return &pageServer{user: user, pass: pass, sets: map[string]*pageSet{}, open: map[uint64]*openEnum{}}
}

// wrap is the wsmantest.Options.Auth hook.
func (p *pageServer) wrap(next http.Handler) http.Handler {
	p.next = next
	return p
}

func (p *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(p.user)) != 1 || subtle.ConstantTimeCompare([]byte(pass), []byte(p.pass)) != 1 {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	buf, _ := p.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer p.bufs.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(r.Body, 1<<20)); err != nil {
		return
	}
	body := buf.Bytes()
	if p.serve(w, body) {
		p.served.Add(1)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	p.next.ServeHTTP(w, r)
}

// serve answers body from the pages when it is an Enumerate, Pull or
// Release they can answer.
func (p *pageServer) serve(w http.ResponseWriter, body []byte) bool {
	action := elementText(body, "Action")
	const enum = nsEnumeration + "/"
	if !strings.HasPrefix(action, enum) {
		return false
	}
	msgID := elementText(body, "MessageID") // as written (escaped): echoed into the reply
	if msgID == "" {
		return false
	}
	switch action[len(enum):] {
	case "Enumerate":
		set := p.setFor(body)
		if set == nil || !bytes.Contains(body, []byte(":OptimizeEnumeration")) || bytes.Contains(body, []byte(":Filter")) ||
			elementText(body, "EnumerationMode") != "EnumerateObjectAndEPR" || !p.fits(body, set) {
			return false
		}
		ctxID := ""
		if !set.pages[0].last {
			p.mu.Lock()
			p.ids++
			id := p.ids
			p.open[id] = &openEnum{set: set, next: 1}
			p.mu.Unlock()
			ctxID = contextID(id)
		}
		p.write(w, &set.pages[0], msgID, ctxID)
		return true
	case "Pull", "Release":
		id, ok := parseContextID(elementText(body, "EnumerationContext"))
		if !ok {
			return false
		}
		p.mu.Lock()
		o := p.open[id]
		var pg *page
		switch {
		case o == nil:
			// The test server answers InvalidEnumerationContext.
		case action[len(enum):] == "Release":
			delete(p.open, id)
			pg = &o.set.release
		case p.fits(body, o.set):
			pg = &o.set.pages[o.next]
			o.next++
			if pg.last {
				delete(p.open, id)
			}
		}
		p.mu.Unlock()
		if pg == nil {
			return false
		}
		ctxID := ""
		if pg != &o.set.release {
			ctxID = contextID(id)
		}
		p.write(w, pg, msgID, ctxID)
		return true
	}
	return false
}

// setFor returns the pages of the class and namespace an Enumerate
// addresses, if rendered.
func (p *pageServer) setFor(body []byte) *pageSet {
	if !strings.EqualFold(elementText(body, "ResourceURI"), uriDMTFClass+"Win32_Process") {
		return nil
	}
	ns := selectorText(body, "__cimnamespace")
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sets[strings.ToLower(ns)]
}

// fits reports a request whose MaxElements and MaxEnvelopeSize the
// pages honour.
func (p *pageServer) fits(body []byte, set *pageSet) bool {
	max, err := strconv.Atoi(strings.TrimSpace(elementText(body, "MaxElements")))
	if err != nil || max < pageSize {
		return false
	}
	env, err := strconv.Atoi(strings.TrimSpace(elementText(body, "MaxEnvelopeSize")))
	if err != nil {
		return false
	}
	for i := range set.pages {
		if set.pages[i].size+200 > env {
			return false
		}
	}
	return true
}

// write sends pg with its holes filled.
func (p *pageServer) write(w http.ResponseWriter, pg *page, relatesTo, ctxID string) {
	msgID := fmt.Sprintf("uuid:%08X-0000-4000-8000-%012X", 0xBE5C0000, p.msgID.Add(1))
	n := pg.size
	for _, pc := range pg.pieces {
		switch pc.hole {
		case holeMessageID:
			n += len(msgID)
		case holeRelatesTo:
			n += len(relatesTo)
		case holeContext:
			n += len(ctxID)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
	for _, pc := range pg.pieces {
		switch pc.hole {
		case holeNone:
			w.Write(pc.fixed)
		case holeMessageID:
			io.WriteString(w, msgID)
		case holeRelatesTo:
			io.WriteString(w, relatesTo)
		case holeContext:
			io.WriteString(w, ctxID)
		}
	}
}

// contextID is the enumeration context of enumeration id: shaped like
// the test server's (a uuid), so that replies keep their size.
func contextID(id uint64) string {
	return fmt.Sprintf("uuid:%08X-BE5C-4E0A-8000-%012X", 0xB0B0B0B0, id)
}

func parseContextID(s string) (uint64, bool) {
	const pre = "uuid:B0B0B0B0-BE5C-4E0A-8000-"
	s = strings.TrimSpace(s)
	if len(s) != len(pre)+12 || !strings.HasPrefix(s, pre) {
		return 0, false
	}
	id, err := strconv.ParseUint(s[len(pre):], 16, 64)
	return id, err == nil
}

// selectorText returns the text of the selector named name.
func selectorText(b []byte, name string) string {
	key := []byte(`Name="` + name + `">`)
	i := bytes.Index(b, key)
	if i < 0 {
		return ""
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '<')
	if j < 0 {
		return ""
	}
	return strings.TrimSpace(string(rest[:j]))
}

// render enumerates ns's Win32_Process from the test server at url (the
// pages not yet installed, so it renders them), makes the pages and
// installs them.
func (p *pageServer) render(ctx context.Context, url, ns string) (*pageSet, error) {
	c := newFloorClient(p.user, p.pass, 1)
	defer c.http.CloseIdleConnections()
	uri := uriDMTFClass + "Win32_Process"
	nsSel := selectorSet("__cimnamespace", ns)
	enumEnv := envelope(url, uri, nsEnumeration+"/Enumerate", nsSel,
		`<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements><w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode></n:Enumerate>`)
	set := &pageSet{ns: ns}
	env := enumEnv
	for {
		body, err := c.post(ctx, url, env)
		if err != nil {
			return nil, err
		}
		pg, ctxID, err := cutPage(body, true)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", len(set.pages), err)
		}
		set.pages = append(set.pages, pg)
		set.bytes += pg.size
		if pg.last {
			break
		}
		env = envelope(url, uri, nsEnumeration+"/Pull", nsSel,
			`<n:Pull><n:EnumerationContext>`+ctxID+`</n:EnumerationContext><n:MaxElements>32000</n:MaxElements></n:Pull>`)
	}
	if len(set.pages) > 1 {
		// A ReleaseResponse: open one more enumeration and release it.
		body, err := c.post(ctx, url, enumEnv)
		if err != nil {
			return nil, err
		}
		ctxID, ok := findContext(body)
		if !ok {
			return nil, fmt.Errorf("no context in the Enumerate's reply")
		}
		body, err = c.post(ctx, url, envelope(url, uri, nsEnumeration+"/Release", nsSel,
			`<n:Release><n:EnumerationContext>`+ctxID+`</n:EnumerationContext></n:Release>`))
		if err != nil {
			return nil, err
		}
		if set.release, _, err = cutPage(body, false); err != nil {
			return nil, fmt.Errorf("release: %w", err)
		}
	}
	p.mu.Lock()
	p.sets[strings.ToLower(ns)] = set
	p.mu.Unlock()
	return set, nil
}

// cutPage cuts a reply at its MessageID, RelatesTo and (in an
// enumeration's reply) EnumerationContext texts, and returns the
// context's text.
func cutPage(body []byte, enum bool) (page, string, error) {
	body = bytes.Clone(body)
	type cut struct {
		start, end int
		h          hole
	}
	var cuts []cut
	textOf := func(tag string, from int) (int, int, bool) {
		i := bytes.Index(body[from:], []byte(tag))
		if i < 0 {
			return 0, 0, false
		}
		start := from + i + len(tag)
		j := bytes.IndexByte(body[start:], '<')
		if j < 0 {
			return 0, 0, false
		}
		return start, start + j, true
	}
	bodyAt := bytes.Index(body, []byte(":Body>"))
	if bodyAt < 0 {
		return page{}, "", fmt.Errorf("no SOAP Body")
	}
	for _, h := range []struct {
		tag string
		h   hole
	}{{":MessageID>", holeMessageID}, {":RelatesTo>", holeRelatesTo}} {
		s, e, ok := textOf(h.tag, 0)
		if !ok || s > bodyAt {
			return page{}, "", fmt.Errorf("no %s in the header", h.tag)
		}
		cuts = append(cuts, cut{s, e, h.h})
	}
	pg := page{}
	ctxID := ""
	if enum {
		pg.last = bytes.Contains(body[bodyAt:], []byte(":EndOfSequence"))
		s, e, ok := textOf(":EnumerationContext>", bodyAt)
		switch {
		case ok && !pg.last:
			ctxID = string(body[s:e])
			cuts = append(cuts, cut{s, e, holeContext})
		case !ok && !pg.last:
			return page{}, "", fmt.Errorf("neither a context nor EndOfSequence")
		case ok:
			return page{}, "", fmt.Errorf("a context beside EndOfSequence (not the Windows dialect)")
		}
	}
	if cuts[0].start > cuts[1].start {
		cuts[0], cuts[1] = cuts[1], cuts[0]
	}
	at := 0
	for _, c := range cuts {
		pg.pieces = append(pg.pieces, piece{fixed: body[at:c.start]}, piece{hole: c.h})
		pg.size += c.start - at
		at = c.end
	}
	pg.pieces = append(pg.pieces, piece{fixed: body[at:]})
	pg.size += len(body) - at
	return pg, ctxID, nil
}
