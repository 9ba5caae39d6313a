package xmltok

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
	"unsafe"
)

// Kind is the kind of a token.
type Kind uint8

// Token kinds.
const (
	EOF Kind = iota
	StartTag
	EndTag
	Text
)

func (k Kind) String() string {
	switch k {
	case StartTag:
		return "StartTag"
	case EndTag:
		return "EndTag"
	case Text:
		return "Text"
	}
	return "EOF"
}

// DefaultMaxDepth bounds element nesting when Decoder.MaxDepth is zero.
const DefaultMaxDepth = 512

// XMLNamespace is the URI the xml prefix is bound to.
const XMLNamespace = "http://www.w3.org/XML/1998/namespace"

// Attribute is an attribute of the current start element. Prefix, Local and
// Value are views valid until the next call to Next.
type Attribute struct {
	Space  string // resolved namespace URI; "" when unprefixed; "xmlns" for a prefix declaration
	Prefix []byte
	Local  []byte
	Value  []byte // with references replaced and line ends normalized
}

// SyntaxError is a well-formedness error at a byte offset.
type SyntaxError struct {
	Msg    string
	Offset int
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("xml: %s (at byte %d)", e.Msg, e.Offset) }

// The decoder's state holds offsets and indices rather than slices and
// strings: it is written for every token, and pointer writes cost a
// write barrier whenever the garbage collector is marking.

// frame is an open element: where its name lies in the document, its
// namespace, and how many bindings were in scope before its own.
type frame struct {
	qStart, qEnd, localStart int32
	nsLen                    int32
	space                    int32 // index in uris
}

func (f *frame) qname(b []byte) []byte { return b[f.qStart:f.qEnd:f.qEnd] }

// binding maps a prefix (pStart == pEnd for the default namespace) to a
// URI; prefixes are attribute names, so they lie in the document.
type binding struct {
	pStart, pEnd int32
	uri          int32 // index in uris
}

// Indices of uris every decoder has.
const (
	uriNone  = 0 // ""
	uriXMLNS = 1 // "xmlns"
	uriXML   = 2 // XMLNamespace
)

// Decoder reads the tokens of one document held in memory.
type Decoder struct {
	// MaxDepth bounds element nesting (DefaultMaxDepth when zero).
	MaxDepth int
	// Encoding reports whether an encoding named by the XML
	// declaration is acceptable (the caller has transcoded the document
	// to UTF-8). Nil accepts UTF-8 only.
	Encoding func(label string) bool

	b   []byte
	pos int
	err error

	kind Kind
	// The current element's name: b[qStart:qEnd], its local part from
	// localStart; and its namespace.
	qStart, localStart, qEnd int32
	space                    int32
	// The current character data: b[textStart:textEnd], or the same
	// span of scratch when textScratch.
	textStart, textEnd int32
	textScratch        bool
	attrs              []Attribute
	attrSpans          []span // where unescaped attribute values lie in scratchA
	pendingEnd         bool

	stack    []frame
	ns       []binding
	scratch  []byte // unescaped character data
	scratchA []byte // unescaped attribute values

	// uris are the namespace URIs met (and unknown prefixes, which
	// resolve to themselves), interned: uriIndex finds them.
	uris     []string
	uriIndex map[string]int32
	uriLast  [recentSlots]int32 // the last URI interned in each slot (recentSlot)
	// The last prefix resolved, while the bindings are unchanged
	// (nsGen): elements of one instance share theirs.
	lastPrefix        span
	lastURI           int32
	lastGen, nsGen    uint32
	lastPrefixIsValid bool

	intern     map[string]string
	internLast [recentSlots]string // the last string interned in each slot (recentSlot)

	// Names read, and which followed which (qname).
	memo      []memoName
	memoBytes []byte
	memoIndex map[string]int32
	memoPrev  int32
	attrPrev  int32 // memoPrev for attribute names

	// Attribute lists read before (attrrun.go).
	runs     [attrRunSlots]attrRun
	replayed int // lists read from runs (for tests)

	// For Start, Keep and StartBlock (compat.go).
	attrPool  []Attr
	block     []byte
	blockHint int
	kept      int
}

type span struct{ start, end int }

// NewDecoder returns a decoder over doc, which must stay unchanged while
// the decoder and the views it returns are in use.
func NewDecoder(doc []byte) *Decoder {
	d := &Decoder{}
	d.Reset(doc)
	return d
}

// Reset makes d read doc from the start, keeping its buffers and its
// interned strings.
func (d *Decoder) Reset(doc []byte) {
	d.b, d.pos, d.err = doc, 0, nil
	d.kind, d.space = EOF, uriNone
	d.qStart, d.localStart, d.qEnd = 0, 0, 0
	d.textStart, d.textEnd, d.textScratch = 0, 0, false
	d.attrs, d.attrSpans = d.attrs[:0], d.attrSpans[:0]
	d.pendingEnd = false
	d.stack, d.ns = d.stack[:0], d.ns[:0]
	d.nsGen++
	d.lastPrefixIsValid = false
	d.attrPool, d.block, d.kept = nil, nil, 0
	if len(d.uris) == 0 || len(d.uris) > 256 {
		d.uris = append(d.uris[:0], "", "xmlns", XMLNamespace)
		d.uriIndex = map[string]int32{"": uriNone, "xmlns": uriXMLNS, XMLNamespace: uriXML}
	}
	if len(d.intern) > 256 {
		clear(d.intern)
		d.internLast = [recentSlots]string{}
	}
}

// Kind returns the kind of the current token.
func (d *Decoder) Kind() Kind { return d.kind }

// Space returns the namespace URI of the current element's name.
func (d *Decoder) Space() string { return d.uris[d.space] }

// Prefix returns the prefix of the current element's name.
func (d *Decoder) Prefix() []byte {
	if d.localStart == d.qStart {
		return nil
	}
	return d.b[d.qStart : d.localStart-1 : d.localStart-1]
}

// Local returns the local name of the current element.
func (d *Decoder) Local() []byte {
	return d.b[d.localStart:d.qEnd:d.qEnd]
}

// Attrs returns the attributes of the current start element.
func (d *Decoder) Attrs() []Attribute { return d.attrs }

// Text returns the current character data.
func (d *Decoder) Text() []byte {
	if d.textScratch {
		return d.scratch[d.textStart:d.textEnd:d.textEnd]
	}
	return d.b[d.textStart:d.textEnd:d.textEnd]
}

// Depth returns the number of open elements (after a start element,
// counting it; after an end element, not counting it).
func (d *Decoder) Depth() int { return len(d.stack) }

// Offset returns the byte offset of the next token.
func (d *Decoder) Offset() int { return d.pos }

// Err returns the error that stopped the decoder, if any.
func (d *Decoder) Err() error { return d.err }

// LookupPrefix returns the URI bound to prefix in the current scope.
func (d *Decoder) LookupPrefix(prefix []byte) (string, bool) {
	if i, ok := d.lookup(prefix); ok {
		return d.uris[i], true
	}
	return "", false
}

// AppendScope appends the namespace bindings in scope to dst, each
// prefix and URI in the order they were declared (shadowed ones too).
// Two places whose scopes append the same bytes resolve every prefix
// alike, in this document or another.
func (d *Decoder) AppendScope(dst []byte) []byte {
	for _, bd := range d.ns {
		dst = binary.AppendUvarint(dst, uint64(bd.pEnd-bd.pStart))
		dst = append(dst, d.b[bd.pStart:bd.pEnd]...)
		u := d.uris[bd.uri]
		dst = binary.AppendUvarint(dst, uint64(len(u)))
		dst = append(dst, u...)
	}
	return dst
}

func (d *Decoder) lookup(prefix []byte) (int32, bool) {
	for i := len(d.ns) - 1; i >= 0; i-- {
		bd := &d.ns[i]
		if int(bd.pEnd-bd.pStart) == len(prefix) && string(d.b[bd.pStart:bd.pEnd]) == string(prefix) {
			return bd.uri, true
		}
	}
	return 0, false
}

func (d *Decoder) fail(msg string) (Kind, error) {
	d.err = &SyntaxError{Msg: msg, Offset: d.pos}
	d.kind = EOF
	return EOF, d.err
}

// Every byte read is checked to be UTF-8, and no U+FFFE or U+FFFF, as it
// is read: the scanners stop at bytes from 0x80 up and check the
// character there (checkRune), and comments, processing instructions and
// CDATA sections are checked whole (checkUTF8).

// checkRune checks the character starting at b[i] (a byte from 0x80 up)
// and returns its length.
func checkRune(b []byte, i int) (int, error) {
	r, n := utf8.DecodeRune(b[i:])
	switch {
	case r == utf8.RuneError && n == 1:
		return 0, &SyntaxError{Msg: "invalid UTF-8", Offset: i}
	case r == 0xFFFE || r == 0xFFFF:
		return 0, &SyntaxError{Msg: "illegal character U+FFFE or U+FFFF", Offset: i}
	}
	return n, nil
}

// checkUTF8 checks b[start:end].
func checkUTF8(b []byte, start, end int) error {
	for i := start; i < end; {
		k := i
		for k < end && b[k] < utf8.RuneSelf {
			k++
		}
		if k >= end {
			return nil
		}
		n, err := checkRune(b[:end], k)
		if err != nil {
			return err
		}
		i = k + n
	}
	return nil
}

// Next advances to the next token and returns its kind; EOF with a nil
// error at the end of a complete document.
func (d *Decoder) Next() (Kind, error) {
	if d.err != nil {
		return EOF, d.err
	}
	if d.pendingEnd {
		d.pendingEnd = false
		d.end()
		return EndTag, nil
	}
	for {
		if d.pos >= len(d.b) {
			if len(d.stack) > 0 {
				return d.fail("unexpected EOF")
			}
			d.kind = EOF
			return EOF, nil
		}
		if d.b[d.pos] != '<' {
			return d.charData()
		}
		if d.pos+1 >= len(d.b) {
			d.pos = len(d.b)
			return d.fail("unexpected EOF")
		}
		switch d.b[d.pos+1] {
		case '/':
			return d.endTag()
		case '?':
			if err := d.procInst(); err != nil {
				return EOF, err
			}
		case '!':
			k, skipped, err := d.bang()
			if err != nil || !skipped {
				return k, err
			}
		default:
			return d.startTag()
		}
	}
}

// end makes the top frame the current end element and pops it.
func (d *Decoder) end() {
	f := &d.stack[len(d.stack)-1]
	d.kind, d.space = EndTag, f.space
	d.qStart, d.localStart, d.qEnd = f.qStart, f.localStart, f.qEnd
	// attrs and attrSpans are one list in two slices: reset both.
	d.attrs, d.attrSpans = d.attrs[:0], d.attrSpans[:0]
	if int(f.nsLen) != len(d.ns) {
		d.ns = d.ns[:f.nsLen]
		d.nsGen++
	}
	d.stack = d.stack[:len(d.stack)-1]
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func (d *Decoder) skipSpace() {
	for d.pos < len(d.b) && isSpace(d.b[d.pos]) {
		d.pos++
	}
}

// qname reads a qualified name at d.pos and splits it as encoding/xml
// does: at its one colon when both sides are non-empty (more than one
// colon is an error); what names the thing for errors. It returns where
// the name ends and where its local part starts.
func (d *Decoder) qname(what string) (end, local int, err error) {
	b := d.b
	start := d.pos
	// The name that followed the previous one last time (the next
	// property of an instance like the last): recognised by its bytes
	// and a byte after it that cannot continue a name, it reads exactly
	// as it did when it was classified byte by byte.
	if p := d.memoPrev; p > 0 {
		if nx := d.memo[p-1].next; nx > 0 {
			m := &d.memo[nx-1]
			e := start + int(m.n)
			if e < len(b) && nameClass[b[e]] == 0 && NameEqual(b[start:e], d.memoBytes[m.off:m.off+m.n]) {
				d.pos = e
				d.memoPrev = nx
				return e, start + int(m.local), nil
			}
		}
	}
	end, local, err = d.scanName(what)
	if err == nil {
		d.remember(b[start:end], local-start)
	}
	return end, local, err
}

// memoName is a name qname read: its bytes in memoBytes, where its local
// part starts, and the name that followed it last (index+1; 0: none).
type memoName struct {
	off, n, local, next int32
}

// maxMemo bounds the names remembered (a hostile document naming every
// element differently starts the memo afresh).
const maxMemo = 4096

// remember notes name (read and checked) as the one after the previous.
func (d *Decoder) remember(name []byte, local int) {
	idx, ok := d.memoIndex[string(name)]
	if !ok {
		if len(d.memo) >= maxMemo || d.memoIndex == nil {
			d.memo, d.memoBytes, d.memoPrev = d.memo[:0], d.memoBytes[:0], 0
			d.memoIndex = map[string]int32{}
		}
		off := len(d.memoBytes)
		d.memoBytes = append(d.memoBytes, name...)
		d.memo = append(d.memo, memoName{off: int32(off), n: int32(len(name)), local: int32(local)})
		idx = int32(len(d.memo))
		d.memoIndex[string(name)] = idx
	}
	if d.memoPrev > 0 {
		d.memo[d.memoPrev-1].next = idx
	}
	d.memoPrev = idx
}

// scanName is qname byte by byte.
func (d *Decoder) scanName(what string) (end, local int, err error) {
	b := d.b
	start := d.pos
	if start >= len(b) {
		return 0, 0, &SyntaxError{Msg: "unexpected EOF", Offset: start}
	}
	if !nameStart[b[start]] {
		if nameClass[b[start]] != 0 {
			// encoding/xml reads the name, then rejects it.
			i := start
			for i < len(b) && nameClass[b[i]] != 0 {
				i++
			}
			d.pos = i
			if err := checkUTF8(b, start, i); err != nil {
				return 0, 0, err
			}
			return 0, 0, &SyntaxError{Msg: "invalid XML name: " + string(b[start:i]), Offset: start}
		}
		return 0, 0, &SyntaxError{Msg: "expected " + what, Offset: start}
	}
	colon, colons := -1, 0
	i := start
	for {
		for i < len(b) && nameClass[b[i]] == nameByte {
			i++
		}
		if i >= len(b) {
			break
		}
		c := nameClass[b[i]]
		if c == nameColon {
			if colons == 0 {
				colon = i
			}
			colons++
			i++
			continue
		}
		if c == nameMulti {
			n, err := checkRune(b, i)
			if err != nil {
				d.pos = i
				return 0, 0, err
			}
			i += n
			continue
		}
		break
	}
	d.pos = i
	if i >= len(b) {
		return 0, 0, &SyntaxError{Msg: "unexpected EOF", Offset: i}
	}
	switch {
	case colons == 0:
		return i, start, nil
	case colons > 1:
		return 0, 0, &SyntaxError{Msg: "expected " + what, Offset: i}
	case colon == start || colon == i-1:
		return i, start, nil
	}
	return i, colon + 1, nil
}

func (d *Decoder) endTag() (Kind, error) {
	d.pos += 2
	// The common case: the name of the open element, then '>'.
	if n := len(d.stack); n > 0 {
		q := d.stack[n-1].qname(d.b)
		if e := d.pos + len(q); e < len(d.b) && d.b[e] == '>' && NameEqual(d.b[d.pos:e], q) {
			d.pos = e + 1
			d.end()
			return EndTag, nil
		}
	}
	qs := d.pos
	qe, ls, err := d.qname("element name after </")
	if err != nil {
		d.err = err
		return EOF, err
	}
	local := d.b[ls:qe]
	d.skipSpace()
	if d.pos >= len(d.b) {
		return d.fail("unexpected EOF")
	}
	if d.b[d.pos] != '>' {
		return d.fail("invalid characters between </" + string(local) + " and >")
	}
	d.pos++
	if len(d.stack) == 0 {
		return d.fail("unexpected end element </" + string(local) + ">")
	}
	if top := d.stack[len(d.stack)-1].qname(d.b); !bytes.Equal(top, d.b[qs:qe]) {
		return d.fail("element <" + string(top) + "> closed by </" + string(d.b[qs:qe]) + ">")
	}
	d.end()
	return EndTag, nil
}

func (d *Decoder) startTag() (Kind, error) {
	d.pos++
	qs := d.pos
	qe, ls, err := d.qname("element name after <")
	if err != nil {
		d.err = err
		return EOF, err
	}
	max := d.MaxDepth
	if max <= 0 {
		max = DefaultMaxDepth
	}
	if len(d.stack) >= max {
		return d.fail(fmt.Sprintf("elements nested more than %d deep", max))
	}
	// Always, whatever emptied attrs before: a stale span would point a
	// later tag's attribute at scratch it does not own.
	d.attrs, d.attrSpans, d.scratchA = d.attrs[:0], d.attrSpans[:0], d.scratchA[:0]
	empty := false
	if d.pos < len(d.b) && d.b[d.pos] == '>' {
		// No attributes: the common case.
		d.pos++
	} else if empty, err = d.attributes(); err != nil {
		d.err = err
		d.kind = EOF
		return EOF, err
	}
	nsLen := len(d.ns)
	if len(d.attrs) > 0 {
		d.declare()
	}
	d.space = d.resolveElement(qs, ls, qe)
	for i := range d.attrs {
		a := &d.attrs[i]
		a.Space = d.uris[d.resolveAttr(a.Prefix, a.Local)]
	}
	d.stack = append(d.stack, frame{qStart: int32(qs), qEnd: int32(qe), localStart: int32(ls), nsLen: int32(nsLen), space: d.space})
	d.kind = StartTag
	d.qStart, d.localStart, d.qEnd = int32(qs), int32(ls), int32(qe)
	d.textStart, d.textEnd, d.textScratch = 0, 0, false
	d.pendingEnd = empty
	return StartTag, nil
}

// attributes reads a start tag's attributes up to its '>' or '/>'. Their
// names follow one another in a chain of the name memo's (qname) apart
// from the elements': an element's attributes do not hide from the memo
// which element came next.
func (d *Decoder) attributes() (empty bool, err error) {
	start := d.pos
	slot, remember := attrRunSlot(d.b, start)
	if remember {
		if empty, ok := d.replayAttrs(slot); ok {
			return empty, nil
		}
	}
	elem := d.memoPrev
	if int(d.attrPrev) > len(d.memo) { // the memo started afresh
		d.attrPrev = 0
	}
	d.memoPrev = d.attrPrev
	empty, err = d.readAttributes()
	d.attrPrev = d.memoPrev
	if int(elem) <= len(d.memo) {
		d.memoPrev = elem
	} else {
		d.memoPrev = 0
	}
	if err == nil && remember {
		d.keepAttrs(slot, start, empty)
	}
	return empty, err
}

func (d *Decoder) readAttributes() (empty bool, err error) {
	b := d.b
	for {
		d.skipSpace()
		if d.pos >= len(b) {
			return false, &SyntaxError{Msg: "unexpected EOF", Offset: d.pos}
		}
		c := b[d.pos]
		if c == '/' {
			d.pos++
			if d.pos >= len(b) {
				return false, &SyntaxError{Msg: "unexpected EOF", Offset: d.pos}
			}
			if b[d.pos] != '>' {
				return false, &SyntaxError{Msg: "expected /> in element", Offset: d.pos}
			}
			d.pos++
			empty = true
			break
		}
		if c == '>' {
			d.pos++
			break
		}
		as := d.pos
		ae, al, err := d.qname("attribute name in element")
		if err != nil {
			return false, err
		}
		d.skipSpace()
		if d.pos >= len(b) {
			return false, &SyntaxError{Msg: "unexpected EOF", Offset: d.pos}
		}
		if b[d.pos] != '=' {
			return false, &SyntaxError{Msg: "attribute name without = in element", Offset: d.pos}
		}
		d.pos++
		d.skipSpace()
		if d.pos >= len(b) {
			return false, &SyntaxError{Msg: "unexpected EOF", Offset: d.pos}
		}
		quote := b[d.pos]
		if quote != '"' && quote != '\'' {
			return false, &SyntaxError{Msg: "unquoted or missing attribute value in element", Offset: d.pos}
		}
		d.pos++
		val, sp, err := d.attrValue(quote)
		if err != nil {
			return false, err
		}
		var prefix []byte
		if al > as {
			prefix = b[as : al-1 : al-1]
		}
		d.attrs = append(d.attrs, Attribute{Prefix: prefix, Local: b[al:ae:ae], Value: val})
		d.attrSpans = append(d.attrSpans, sp)
	}
	// Unescaped values lie in scratchA, which may have moved while
	// growing: point at it now.
	for i, sp := range d.attrSpans {
		if sp.end > 0 {
			d.attrs[i].Value = d.scratchA[sp.start:sp.end:sp.end]
		}
	}
	return empty, nil
}

// declare adds the bindings the current start tag's attributes make.
func (d *Decoder) declare() {
	for i := range d.attrs {
		a := &d.attrs[i]
		switch {
		case string(a.Prefix) == "xmlns":
			p := d.offset(a.Local)
			d.ns = append(d.ns, binding{pStart: p, pEnd: p + int32(len(a.Local)), uri: d.internURI(a.Value)})
			d.nsGen++
		case len(a.Prefix) == 0 && string(a.Local) == "xmlns":
			d.ns = append(d.ns, binding{uri: d.internURI(a.Value)})
			d.nsGen++
		}
	}
}

// offset returns where b, a view of the document, starts in it.
func (d *Decoder) offset(b []byte) int32 {
	if len(b) == 0 {
		return 0
	}
	return int32(uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(d.b))))
}

// resolveElement maps an element name's prefix (b[qs:ls-1]) to its
// namespace as encoding/xml does.
func (d *Decoder) resolveElement(qs, ls, qe int) int32 {
	if ls == qs {
		// No prefix: the default namespace, if any ("xmlns" as an
		// element name stays in none).
		if string(d.b[qs:qe]) == "xmlns" {
			return uriNone
		}
		if i, ok := d.lookup(nil); ok {
			return i
		}
		return uriNone
	}
	prefix := d.b[qs : ls-1]
	if d.lastPrefixIsValid && d.lastGen == d.nsGen && string(d.b[d.lastPrefix.start:d.lastPrefix.end]) == string(prefix) {
		return d.lastURI
	}
	var uri int32
	switch string(prefix) {
	case "xmlns":
		return uriXMLNS
	case "xml":
		return uriXML
	default:
		var ok bool
		if uri, ok = d.lookup(prefix); !ok {
			uri = d.internURI(prefix)
		}
	}
	d.lastPrefix, d.lastURI, d.lastGen, d.lastPrefixIsValid = span{qs, ls - 1}, uri, d.nsGen, true
	return uri
}

// resolveAttr maps an attribute name's prefix to its namespace as
// encoding/xml does.
func (d *Decoder) resolveAttr(prefix, local []byte) int32 {
	switch {
	case len(prefix) == 0:
		return uriNone
	case string(prefix) == "xmlns":
		return uriXMLNS
	case string(prefix) == "xml":
		return uriXML
	}
	if i, ok := d.lookup(prefix); ok {
		return i
	}
	return d.internURI(prefix)
}

// recentSlots is how many strings internURI and internBytes each keep
// in front of their maps, in the slot recentSlot picks.
const recentSlots = 8

// recentSlot picks b's slot (b is not empty) by its length, last and
// middle bytes, which tell apart the few strings every item repeats
// (length and last byte alone did not: the anonymous address and a DMTF
// class URI such as .../cim-schema/2/Win32_Process are both 63 bytes
// ending in 's', and took turns evicting each other every item).
func recentSlot(b []byte) int {
	return (len(b) + int(b[len(b)-1]) + int(b[len(b)>>1])<<1) % recentSlots
}

// internURI returns the index of b in uris, adding it.
func (d *Decoder) internURI(b []byte) int32 {
	if len(b) == 0 {
		return uriNone
	}
	// Every item declares the same few: found here without hashing.
	slot := &d.uriLast[recentSlot(b)]
	if i := *slot; int(i) < len(d.uris) && d.uris[i] == string(b) {
		return i
	}
	if i, ok := d.uriIndex[string(b)]; ok {
		*slot = i
		return i
	}
	s := string(b)
	d.uris = append(d.uris, s)
	i := int32(len(d.uris) - 1)
	d.uriIndex[s] = i
	*slot = i
	return i
}

func (d *Decoder) internBytes(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	// What repeats in every item (an EPR's address and resource URI,
	// selector names) is found here without hashing it.
	slot := &d.internLast[recentSlot(b)]
	if *slot == string(b) {
		return *slot
	}
	if s, ok := d.intern[string(b)]; ok {
		*slot = s
		return s
	}
	if d.intern == nil {
		d.intern = map[string]string{}
	}
	s := string(b)
	d.intern[s] = s
	*slot = s
	return s
}

// procInst checks and skips a processing instruction.
func (d *Decoder) procInst() error {
	d.pos += 2
	start := d.pos
	for d.pos < len(d.b) && nameClass[d.b[d.pos]] != 0 {
		d.pos++
	}
	target := d.b[start:d.pos]
	switch {
	case len(target) == 0 && d.pos >= len(d.b):
		_, err := d.fail("unexpected EOF")
		return err
	case len(target) == 0:
		_, err := d.fail("expected target name after <?")
		return err
	case !nameStart[target[0]]:
		if err := checkUTF8(d.b, start, d.pos); err != nil {
			d.err = err
			return err
		}
		_, err := d.fail("invalid XML name: " + string(target))
		return err
	}
	if err := checkUTF8(d.b, start, d.pos); err != nil {
		d.err = err
		return err
	}
	d.skipSpace()
	end := bytes.Index(d.b[d.pos:], []byte("?>"))
	if end < 0 {
		if err := checkUTF8(d.b, d.pos, len(d.b)); err != nil {
			d.err = err
			return err
		}
		d.pos = len(d.b)
		_, err := d.fail("unexpected EOF")
		return err
	}
	if err := checkUTF8(d.b, d.pos, d.pos+end); err != nil {
		d.err = err
		return err
	}
	content := d.b[d.pos : d.pos+end]
	d.pos += end + 2
	if string(target) != "xml" {
		return nil
	}
	if v := procInstParam("version", content); v != "" && v != "1.0" {
		_, err := d.fail(fmt.Sprintf("unsupported version %q; only version 1.0 is supported", v))
		return err
	}
	if enc := procInstParam("encoding", content); enc != "" && !bytes.EqualFold([]byte(enc), []byte("utf-8")) {
		if d.Encoding == nil || !d.Encoding(enc) {
			_, err := d.fail(fmt.Sprintf("encoding %q declared but not supported", enc))
			return err
		}
	}
	return nil
}

// procInstParam finds param="value" (either quote) in a declaration the way
// encoding/xml does: the first occurrence followed by a quote.
func procInstParam(param string, s []byte) string {
	p := []byte(param + "=")
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := bytes.Index(sub, p)
		if k < 0 || len(p)+k >= len(sub) {
			return ""
		}
		i += len(p) + k + 1
		if c := sub[len(p)+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := bytes.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return string(s[i : i+j])
}

// bang handles <!: a comment (skipped) or a CDATA section (character
// data); declarations are errors.
func (d *Decoder) bang() (k Kind, skipped bool, err error) {
	rest := d.b[d.pos+2:]
	switch {
	case len(rest) > 0 && rest[0] == '-':
		if len(rest) < 2 {
			d.pos = len(d.b)
			k, err = d.fail("unexpected EOF")
			return k, false, err
		}
		if rest[1] != '-' {
			d.pos += 3
			k, err = d.fail("invalid sequence <!- not part of <!--")
			return k, false, err
		}
		d.pos += 4
		end := bytes.Index(d.b[d.pos:], []byte("--"))
		if end < 0 || d.pos+end+2 >= len(d.b) {
			if err := checkUTF8(d.b, d.pos, len(d.b)); err != nil {
				d.err = err
				return EOF, false, err
			}
			d.pos = len(d.b)
			k, err = d.fail("unexpected EOF")
			return k, false, err
		}
		if err := checkUTF8(d.b, d.pos, d.pos+end); err != nil {
			d.err = err
			return EOF, false, err
		}
		d.pos += end + 2
		if d.b[d.pos] != '>' {
			k, err = d.fail(`invalid sequence "--" not allowed in comments`)
			return k, false, err
		}
		d.pos++
		return EOF, true, nil
	case len(rest) > 0 && rest[0] == '[':
		const open = "CDATA["
		for i := 0; i < len(open); i++ {
			if 1+i >= len(rest) {
				d.pos = len(d.b)
				k, err = d.fail("unexpected EOF")
				return k, false, err
			}
			if rest[1+i] != open[i] {
				d.pos += 3 + i
				k, err = d.fail("invalid <![ sequence")
				return k, false, err
			}
		}
		d.pos += 2 + 1 + len(open)
		end := bytes.Index(d.b[d.pos:], []byte("]]>"))
		if end < 0 {
			if err := checkUTF8(d.b, d.pos, len(d.b)); err != nil {
				d.err = err
				return EOF, false, err
			}
			d.pos = len(d.b)
			k, err = d.fail("unexpected EOF in CDATA section")
			return k, false, err
		}
		if err := checkUTF8(d.b, d.pos, d.pos+end); err != nil {
			d.err = err
			return EOF, false, err
		}
		start := d.pos
		data := d.b[start : start+end]
		d.pos += end + 3
		d.kind = Text
		if bytes.IndexByte(data, '\r') >= 0 {
			d.scratch = normalizeNewlines(d.scratch[:0], data)
			d.textStart, d.textEnd, d.textScratch = 0, int32(len(d.scratch)), true
		} else {
			d.textStart, d.textEnd, d.textScratch = int32(start), int32(start+end), false
		}
		return Text, false, nil
	case len(rest) == 0:
		d.pos = len(d.b)
		k, err = d.fail("unexpected EOF")
		return k, false, err
	}
	k, err = d.fail("document type declarations and other <! declarations are not accepted")
	return k, false, err
}

// normalizeNewlines appends data with \r\n and lone \r as \n.
func normalizeNewlines(dst, data []byte) []byte {
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\r' {
			dst = append(dst, '\n')
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
