package xmltok

import (
	"bytes"
	"fmt"
	"unicode/utf8"
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

// frame is an open element: where its name lies in the document, its
// namespace, and how many bindings were in scope before its own.
type frame struct {
	qStart, qEnd, localStart int32
	nsLen                    int32
	space                    string
}

func (f *frame) qname(b []byte) []byte { return b[f.qStart:f.qEnd:f.qEnd] }

// binding maps a prefix ("" for the default namespace) to a URI.
type binding struct {
	prefix []byte
	uri    string
}

// Decoder reads the tokens of one document held in memory.
type Decoder struct {
	// MaxDepth bounds element nesting (DefaultMaxDepth when zero).
	MaxDepth int
	// Encoding reports whether an encoding named by the XML
	// declaration is acceptable (the caller has transcoded the document
	// to UTF-8). Nil accepts UTF-8 only.
	Encoding func(label string) bool

	b       []byte
	pos     int
	err     error
	checked bool

	kind       Kind
	space      string
	prefix     []byte
	local      []byte
	attrs      []Attribute
	attrSpans  []span // where unescaped attribute values lie in scratchA
	text       []byte
	pendingEnd bool

	stack    []frame
	ns       []binding
	scratch  []byte // unescaped character data
	scratchA []byte // unescaped attribute values
	intern   map[string]string

	// For Start, Keep and StartBlock (compat.go).
	attrPool  []Attr
	block     []byte
	blockHint int
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
// interned namespace URIs.
func (d *Decoder) Reset(doc []byte) {
	d.b, d.pos, d.err, d.checked = doc, 0, nil, false
	d.kind, d.space, d.prefix, d.local, d.text = EOF, "", nil, nil, nil
	d.attrs, d.attrSpans = d.attrs[:0], d.attrSpans[:0]
	d.pendingEnd = false
	d.stack, d.ns = d.stack[:0], d.ns[:0]
	d.attrPool, d.block = nil, nil
	if len(d.intern) > 256 {
		clear(d.intern)
	}
}

// Kind returns the kind of the current token.
func (d *Decoder) Kind() Kind { return d.kind }

// Space returns the namespace URI of the current element's name.
func (d *Decoder) Space() string { return d.space }

// Prefix returns the prefix of the current element's name.
func (d *Decoder) Prefix() []byte { return d.prefix }

// Local returns the local name of the current element.
func (d *Decoder) Local() []byte { return d.local }

// Attrs returns the attributes of the current start element.
func (d *Decoder) Attrs() []Attribute { return d.attrs }

// Text returns the current character data.
func (d *Decoder) Text() []byte { return d.text }

// Depth returns the number of open elements (after a start element,
// counting it; after an end element, not counting it).
func (d *Decoder) Depth() int { return len(d.stack) }

// Offset returns the byte offset of the next token.
func (d *Decoder) Offset() int { return d.pos }

// Err returns the error that stopped the decoder, if any.
func (d *Decoder) Err() error { return d.err }

// LookupPrefix returns the URI bound to prefix in the current scope.
func (d *Decoder) LookupPrefix(prefix []byte) (string, bool) {
	for i := len(d.ns) - 1; i >= 0; i-- {
		p := d.ns[i].prefix
		if len(p) == len(prefix) && (len(p) == 0 || p[0] == prefix[0]) && string(p) == string(prefix) {
			return d.ns[i].uri, true
		}
	}
	return "", false
}

func (d *Decoder) fail(msg string) (Kind, error) {
	d.err = &SyntaxError{Msg: msg, Offset: d.pos}
	d.kind = EOF
	return EOF, d.err
}

// check validates the encoding of the whole document once.
func (d *Decoder) check() error {
	d.checked = true
	if !utf8.Valid(d.b) {
		return &SyntaxError{Msg: "invalid UTF-8", Offset: invalidAt(d.b)}
	}
	// U+FFFE and U+FFFF are EF BF BE and EF BF BF.
	for i := 0; ; {
		k := bytes.IndexByte(d.b[i:], 0xEF)
		if k < 0 {
			return nil
		}
		i += k
		if i+2 < len(d.b) && d.b[i+1] == 0xBF && (d.b[i+2] == 0xBE || d.b[i+2] == 0xBF) {
			return &SyntaxError{Msg: "illegal character U+FFFE or U+FFFF", Offset: i}
		}
		i++
	}
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// Next advances to the next token and returns its kind; EOF with a nil
// error at the end of a complete document.
func (d *Decoder) Next() (Kind, error) {
	if d.err != nil {
		return EOF, d.err
	}
	if !d.checked {
		if err := d.check(); err != nil {
			d.err = err
			return EOF, err
		}
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
	d.local = d.b[f.localStart:f.qEnd:f.qEnd]
	d.prefix = d.b[f.qStart:max(f.qStart, f.localStart-1)]
	d.attrs = d.attrs[:0]
	d.ns = d.ns[:f.nsLen]
	d.stack = d.stack[:len(d.stack)-1]
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func (d *Decoder) skipSpace() {
	for d.pos < len(d.b) && isSpace(d.b[d.pos]) {
		d.pos++
	}
}

// qname reads a qualified name and splits it as encoding/xml does: at
// its one colon when both sides are non-empty (more than one colon is
// an error); what names the thing for errors.
func (d *Decoder) qname(what string) (q, prefix, local []byte, err error) {
	b := d.b
	start := d.pos
	if start >= len(b) {
		return nil, nil, nil, &SyntaxError{Msg: "unexpected EOF", Offset: start}
	}
	if !nameStart[b[start]] {
		if nameByte[b[start]] {
			// encoding/xml reads the name, then rejects it.
			i := start
			for i < len(b) && nameByte[b[i]] {
				i++
			}
			d.pos = i
			return nil, nil, nil, &SyntaxError{Msg: "invalid XML name: " + string(b[start:i]), Offset: start}
		}
		return nil, nil, nil, &SyntaxError{Msg: "expected " + what, Offset: start}
	}
	colon, colons := -1, 0
	i := start
	for ; i < len(b); i++ {
		c := b[i]
		if !nameByte[c] {
			break
		}
		if c == ':' {
			if colons == 0 {
				colon = i
			}
			colons++
		}
	}
	d.pos = i
	if i >= len(b) {
		return nil, nil, nil, &SyntaxError{Msg: "unexpected EOF", Offset: i}
	}
	q = b[start:i:i]
	switch {
	case colons == 0:
		return q, nil, q, nil
	case colons > 1:
		return nil, nil, nil, &SyntaxError{Msg: "expected " + what, Offset: i}
	case colon == start || colon == i-1:
		return q, nil, q, nil
	}
	return q, b[start:colon:colon], b[colon+1 : i : i], nil
}

func (d *Decoder) endTag() (Kind, error) {
	d.pos += 2
	// The common case: the name of the open element, then '>'.
	if n := len(d.stack); n > 0 {
		q := d.stack[n-1].qname(d.b)
		if e := d.pos + len(q); e < len(d.b) && d.b[e] == '>' && string(d.b[d.pos:e]) == string(q) {
			d.pos = e + 1
			d.end()
			return EndTag, nil
		}
	}
	q, _, local, err := d.qname("element name after </")
	if err != nil {
		d.err = err
		return EOF, err
	}
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
	if top := d.stack[len(d.stack)-1].qname(d.b); !bytes.Equal(top, q) {
		return d.fail("element <" + string(top) + "> closed by </" + string(q) + ">")
	}
	d.end()
	return EndTag, nil
}

func (d *Decoder) startTag() (Kind, error) {
	d.pos++
	qs := d.pos
	q, prefix, local, err := d.qname("element name after <")
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
	d.attrs, d.attrSpans, d.scratchA = d.attrs[:0], d.attrSpans[:0], d.scratchA[:0]
	empty := false
	for {
		d.skipSpace()
		if d.pos >= len(d.b) {
			return d.fail("unexpected EOF")
		}
		c := d.b[d.pos]
		if c == '/' {
			d.pos++
			if d.pos >= len(d.b) {
				return d.fail("unexpected EOF")
			}
			if d.b[d.pos] != '>' {
				return d.fail("expected /> in element")
			}
			d.pos++
			empty = true
			break
		}
		if c == '>' {
			d.pos++
			break
		}
		_, aprefix, alocal, err := d.qname("attribute name in element")
		if err != nil {
			d.err = err
			return EOF, err
		}
		d.skipSpace()
		if d.pos >= len(d.b) {
			return d.fail("unexpected EOF")
		}
		if d.b[d.pos] != '=' {
			return d.fail("attribute name without = in element")
		}
		d.pos++
		d.skipSpace()
		if d.pos >= len(d.b) {
			return d.fail("unexpected EOF")
		}
		quote := d.b[d.pos]
		if quote != '"' && quote != '\'' {
			return d.fail("unquoted or missing attribute value in element")
		}
		d.pos++
		val, sp, err := d.attrValue(quote)
		if err != nil {
			d.err = err
			return EOF, err
		}
		d.attrs = append(d.attrs, Attribute{Prefix: aprefix, Local: alocal, Value: val})
		d.attrSpans = append(d.attrSpans, sp)
	}
	// Unescaped values lie in scratchA, which may have moved while
	// growing: point at it now.
	for i, sp := range d.attrSpans {
		if sp.end > 0 {
			d.attrs[i].Value = d.scratchA[sp.start:sp.end:sp.end]
		}
	}
	nsLen := len(d.ns)
	for i := range d.attrs {
		a := &d.attrs[i]
		switch {
		case string(a.Prefix) == "xmlns":
			d.ns = append(d.ns, binding{prefix: a.Local, uri: d.internBytes(a.Value)})
		case len(a.Prefix) == 0 && string(a.Local) == "xmlns":
			d.ns = append(d.ns, binding{prefix: nil, uri: d.internBytes(a.Value)})
		}
	}
	d.space = d.resolve(prefix, local, true)
	for i := range d.attrs {
		a := &d.attrs[i]
		a.Space = d.resolve(a.Prefix, a.Local, false)
	}
	d.stack = append(d.stack, frame{qStart: int32(qs), qEnd: int32(qs + len(q)), localStart: int32(qs + len(q) - len(local)), nsLen: int32(nsLen), space: d.space})
	d.kind, d.prefix, d.local, d.text = StartTag, prefix, local, nil
	d.pendingEnd = empty
	return StartTag, nil
}

// resolve maps a name's prefix to its namespace as encoding/xml does.
func (d *Decoder) resolve(prefix, local []byte, element bool) string {
	switch {
	case string(prefix) == "xmlns":
		return "xmlns"
	case len(prefix) == 0 && !element:
		return ""
	case string(prefix) == "xml":
		return XMLNamespace
	case len(prefix) == 0 && string(local) == "xmlns":
		return ""
	}
	if uri, ok := d.LookupPrefix(prefix); ok {
		return uri
	}
	if len(prefix) == 0 {
		return ""
	}
	return d.internBytes(prefix)
}

func (d *Decoder) internBytes(b []byte) string {
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	if d.intern == nil {
		d.intern = map[string]string{}
	}
	s := string(b)
	d.intern[s] = s
	return s
}

// procInst checks and skips a processing instruction.
func (d *Decoder) procInst() error {
	d.pos += 2
	start := d.pos
	for d.pos < len(d.b) && nameByte[d.b[d.pos]] {
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
		_, err := d.fail("invalid XML name: " + string(target))
		return err
	}
	d.skipSpace()
	end := bytes.Index(d.b[d.pos:], []byte("?>"))
	if end < 0 {
		d.pos = len(d.b)
		_, err := d.fail("unexpected EOF")
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
			d.pos = len(d.b)
			k, err = d.fail("unexpected EOF")
			return k, false, err
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
			d.pos = len(d.b)
			k, err = d.fail("unexpected EOF in CDATA section")
			return k, false, err
		}
		data := d.b[d.pos : d.pos+end]
		d.pos += end + 3
		if bytes.IndexByte(data, '\r') >= 0 {
			d.scratch = normalizeNewlines(d.scratch[:0], data)
			data = d.scratch
		}
		d.kind, d.text = Text, data
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
