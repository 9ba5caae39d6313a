package wsman

import (
	"bytes"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// The items of a page are alike: the same class, mostly the same
// properties NULL, the same EPR but for the selector values. Once an item
// has been decoded token by token, its markup is remembered as a shape:
// the item's bytes cut at the text of its properties and selectors
// (holes). The next item is read by comparing its bytes with the shape's
// between the holes and converting each hole's text as the token path
// converts the same text in the same place; anything that differs by a
// byte, or text the fast path would not read alike, sends the item down
// the token path. Identical markup at the same depth under the same
// namespace bindings reads identically, so only the holes need the token
// path's rules: each is converted by the same functions (textValue,
// ParseDatetime, Intern, Keep), and a shape is kept only when reading its
// own item through it gives what the token path gave.
//
// A decoder keeps its shapes from page to page while the bindings in
// scope at the items are the same (Windows declares them alike on every
// page): taking a shape costs the token path and a walk of the item,
// about what reading forty items by shape costs, and was paid on every
// page of 200 when shapes were the page's.

// noShape turns shapes off, for the test that compares decoding with and
// without them.
var noShape atomic.Bool

// Limits: shapes remembered (items whose NULLs differ take different
// ones), and items a page may try to take a shape from (pages whose items
// cannot be read this way stop trying).
const (
	maxShapes       = 4
	maxShapeRecords = 8
)

type holeKind uint8

const (
	holeProp     holeKind = iota // a property's text: textValue
	holeDatetime                 // a property's cim:Datetime (Interval, Date, Time) text
	holeAddress                  // the EPR's address: interned
	holeURI                      // the EPR's resource URI: interned
	holeSelector                 // a selector's text: kept
)

type hole struct {
	kind holeKind
	prop int32               // the property's index (holeProp, holeDatetime)
	decl *model.PropertyDecl // its declaration, if any (holeProp)
	name string              // the selector's name (holeSelector)
	// integer is the declared type of a holeProp of an integer type,
	// else TypeUnknown: match reads such a hole's digits and converts
	// them in one pass.
	integer model.Type
}

// holeSpan is where a matched item's hole is, and for an integer hole
// whose digits match read, its value (set says so).
type holeSpan struct {
	start, end int32
	set        bool
	v          model.Value
}

// itemShape is one item's markup: lits[i] comes before holes[i], and
// lits[len(holes)] ends the item. The literals are the shape's own copy
// (pages are read into buffers that are used again).
type itemShape struct {
	lits      [][]byte
	holes     []hole
	depth     int
	selectors int             // selector holes
	proto     *model.Instance // the item it was taken from: class, names, keys, the values of literal properties
	sch       *model.Class    // the schema of proto's class when it was taken (nil: none)
	// repeats are the string holes' last texts (keepString), by hole.
	repeats []repeat
	// uri is the last EPR resource URI build parsed (the decoder's
	// own, as repeats are: a shape is read by one goroutine). Its zero
	// value is the parse of "".
	uri struct{ uri, ns, class string }
}

// shapes are an itemDecoder's shapes, for the items of its pages under
// the namespace bindings scope.
type shapes struct {
	list    []*itemShape // most recently used first
	scope   []byte       // the bindings in scope where list was taken (AppendScope)
	next    []byte       // scratch: the bindings of the page started
	records int          // shapes taken from items of this page
	spans   []holeSpan   // scratch: the holes of the item being matched
	read    int          // items read by shape (for tests)
	// Items of this page that matched a shape, and (once no more shapes
	// are taken) that matched none: a page whose items are nearly all
	// different stops trying (each try costs part of a match, up to
	// maxShapes times an item).
	hits, misses int
}

// startPage readies the shapes for the items that start at d's position:
// those taken under other namespace bindings are dropped, and so are
// those whose class schema lookup (the item decoder's) no longer gives
// the schema they were taken with: the client's cache of schemas is
// shared, and a query beside the enumeration may have filled it, so the
// token path would now type the items of that class.
func (s *shapes) startPage(d *xml.Decoder, schemaOf func(class string) *model.Class) {
	s.records, s.hits, s.misses = 0, 0, 0
	s.next = d.AppendScope(s.next[:0])
	if !bytes.Equal(s.next, s.scope) {
		clear(s.list)
		s.list = s.list[:0]
		s.scope, s.next = s.next, s.scope
		return
	}
	s.list = slices.DeleteFunc(s.list, func(sh *itemShape) bool { return schemaOf(sh.proto.ClassName) != sh.sch })
}

// giveUp stops reading and taking shapes for the rest of the page.
func (s *shapes) giveUp() {
	clear(s.list)
	s.list = s.list[:0]
	s.records = maxShapeRecords
}

// Misses after which a page whose items mostly match no shape gives up.
const minShapeMisses = 8

// readItem reads the item at d's position (after white space) with one of
// the shapes, if one matches it whole; then d is past the item's end tag.
func (s *shapes) readItem(d *xml.Decoder) (*model.Instance, bool) {
	if len(s.list) == 0 || noShape.Load() {
		return nil, false
	}
	b := d.Document()
	pos := skipBlank(b, d.Offset())
	for i, sh := range s.list {
		if sh.depth != d.Depth() {
			continue
		}
		end, ok := sh.match(b, pos, &s.spans)
		if !ok {
			continue
		}
		inst, ok := sh.build(d, b, s.spans)
		if !ok {
			return nil, false // the token path says what is wrong
		}
		if i > 0 {
			copy(s.list[1:i+1], s.list[:i])
			s.list[0] = sh
		}
		d.SkipMatched(end)
		s.read++
		s.hits++
		return inst, true
	}
	// Counted once no more shapes are taken: while they are, a miss may
	// be the first item of a shape that later ones take.
	if s.records >= maxShapeRecords {
		if s.misses++; s.misses >= minShapeMisses && s.misses > s.hits {
			s.giveUp()
		}
	}
	return nil, false
}

// skipBlank returns the offset of the first byte from i on that is not
// the white space between items (spaces, tabs, line feeds: what Leaf
// skips too).
func skipBlank(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t') {
		i++
	}
	return i
}

// match compares b from pos with the shape: the literals byte for byte,
// the holes plain text. It returns the item's end and the holes' spans.
//
// An integer hole is read as digits and converted on the way; the
// literal after it starts with the '<' that ends plain text, so when it
// matches the digits were the whole text, as PlainText would have found.
// Anything else there (a sign where none may be, white space, too many
// digits, digits and then not a '<') is read as text and left to build.
func (sh *itemShape) match(b []byte, pos int, spans *[]holeSpan) (int, bool) {
	sp := (*spans)[:0]
	lits, holes := sh.lits[:len(sh.holes)], sh.holes
	for i := range holes {
		lit := lits[i]
		if len(b)-pos < len(lit) || string(b[pos:pos+len(lit)]) != string(lit) {
			return 0, false
		}
		pos += len(lit)
		if t := holes[i].integer; t != model.TypeUnknown {
			if v, e, ok := scanInteger(t, b, pos); ok && b[e] == '<' {
				sp = append(sp, holeSpan{start: int32(pos), end: int32(e), set: true, v: v})
				pos = e
				continue
			}
		}
		e := xml.PlainText(b, pos)
		if e < 0 {
			return 0, false
		}
		sp = append(sp, holeSpan{start: int32(pos), end: int32(e)})
		pos = e
	}
	*spans = sp
	lit := sh.lits[len(sh.holes)]
	if len(b)-pos < len(lit) || !bytes.Equal(b[pos:pos+len(lit)], lit) {
		return 0, false
	}
	return pos + len(lit), true
}

// build makes the instance of an item that matched, converting each hole
// as the token path does; false when one does not convert (the token
// path then reports it).
func (sh *itemShape) build(d *xml.Decoder, b []byte, spans []holeSpan) (*model.Instance, bool) {
	p := sh.proto
	// The instance, its EPR and (most EPRs have one or two) its
	// selectors in one allocation: they live and die together.
	one := &struct {
		inst model.Instance
		ref  model.Reference
		sels [2]model.Selector
	}{}
	inst, ref := &one.inst, &one.ref
	inst.ClassName, inst.Namespace, inst.ComputerName, inst.ResourceURI = p.ClassName, p.Namespace, p.ComputerName, p.ResourceURI
	values := append([]model.Value(nil), p.Values()...)
	switch {
	case sh.selectors > len(one.sels):
		ref.Selectors = make([]model.Selector, 0, sh.selectors)
	case sh.selectors > 0:
		ref.Selectors = one.sels[:0:sh.selectors]
	}
	for i, h := range sh.holes {
		sp := &spans[i]
		if sp.set {
			values[h.prop] = sp.v
			continue
		}
		text := b[sp.start:sp.end]
		switch h.kind {
		case holeProp:
			t := model.TypeUnknown
			if h.decl != nil {
				t = h.decl.Type
			}
			// textValue's own first steps, without the call.
			if t == model.TypeString {
				values[h.prop] = model.String(sh.keepString(d, i, text))
				continue
			}
			if t.IsInteger() {
				if v, ok := plainInteger(t, text); ok {
					values[h.prop] = v
					continue
				}
			}
			v, err := textValue(d, text, t, h.decl, "", false)
			if err != nil {
				return nil, false
			}
			values[h.prop] = v
		case holeDatetime:
			dt, err := model.ParseDatetime(strings.TrimSpace(d.Keep(text)))
			if err != nil {
				return nil, false
			}
			values[h.prop] = model.DatetimeValue(dt)
		case holeAddress:
			ref.Address = d.Intern(bytes.TrimSpace(text))
		case holeURI:
			ref.ResourceURI = d.Intern(bytes.TrimSpace(text))
		case holeSelector:
			addSelector(ref, model.Selector{Name: h.name, Value: d.Keep(bytes.TrimSpace(text))})
		}
	}
	if m := &sh.uri; ref.ResourceURI != m.uri {
		m.ns, m.class = ParseResourceURI(ref.ResourceURI)
		m.uri = ref.ResourceURI
	}
	finishRefParsed(ref, sh.uri.ns, sh.uri.class)
	inst.SetLayout(p.Layout(), values) // the names are the proto's: shared
	inst.Ref = ref                     // the keys were marked in proto's properties, as the selectors' names are the same
	return inst, true
}

// repeat is a string hole's text in the items before (keepString).
type repeat struct {
	last  string
	own   bool  // last is a copy of its own, not a view of an item's block
	miss  uint8 // texts in a row that were not last
	pause uint8 // items left that keep their text without comparing it
}

// Thresholds of keepString: a hole whose text changed this many items in a
// row is not compared for the next repeatPause items.
const (
	repeatMisses = 2
	repeatPause  = 32
)

// keepString keeps hole i's text as the token path does (Keep), except
// that while the text is the same from item to item (the computer's name,
// the OS's, a class name: a sixth of a Win32_Process's strings) every item
// gets the same string, copied once. Holes whose text changes (names,
// command lines, handles) stop being compared for a while, so the
// comparison costs them next to nothing.
func (sh *itemShape) keepString(d *xml.Decoder, i int, text []byte) string {
	if sh.repeats == nil {
		sh.repeats = make([]repeat, len(sh.holes))
	}
	r := &sh.repeats[i]
	if r.pause > 0 {
		r.pause--
		return d.Keep(text)
	}
	if len(text) > 0 && string(text) == r.last {
		r.miss = 0
		if !r.own {
			// Not a view of the first item's block: that would keep
			// the block alive as long as any item has the string.
			r.last, r.own = strings.Clone(r.last), true
		}
		return r.last
	}
	k := d.Keep(text)
	r.last, r.own = k, false
	if r.miss++; r.miss >= repeatMisses {
		r.pause, r.miss = repeatPause, 0
	}
	return k
}

// record takes a shape from the item in b[start:end], which the token path
// decoded (at depth) as inst: an instance and its EPR. It keeps the shape
// when reading the item through it gives inst again. recordShape decides
// whether to try (shapes on, records left).
func (s *shapes) record(d *xml.Decoder, start, end, depth int, inst *model.Instance, sch *model.Class) {
	s.records++
	b := d.Document()
	sh, ok := takeShape(d, b, start, end, inst, sch)
	if !ok {
		return
	}
	sh.depth, sh.sch = depth, sch
	// Read the item again through the shape: the same instance, or
	// the shape is wrong about something and is dropped.
	var spans []holeSpan
	if e, ok := sh.match(b, start, &spans); !ok || e != end {
		return
	}
	again, ok := sh.build(d, b, spans)
	if !ok || !sameItem(again, inst) {
		return
	}
	if len(s.list) == maxShapes {
		s.list = s.list[:maxShapes-1]
	}
	s.list = append(s.list, nil)
	copy(s.list[1:], s.list)
	s.list[0] = sh
}

// takeShape walks the item's markup (already checked well formed) and
// cuts it at the holes it knows: the text of the instance's properties
// (written <p:Name>text</p:Name> or
// <p:Name><cim:Datetime>text</cim:Datetime></p:Name>, one element a
// property, in inst's order), and of the EPR's address, resource URI and
// selectors. Everything else is literal.
func takeShape(d *xml.Decoder, b []byte, start, end int, inst *model.Instance, sch *model.Class) (*itemShape, bool) {
	// A copy: inst goes to the consumer once the page is read.
	proto := inst.Clone()
	proto.Ref = nil
	sh := &itemShape{proto: proto}
	// The literals are views of one copy of the item.
	own := append([]byte(nil), b[start:end]...)
	lit := start
	pos := start
	// The path of open elements below the item, by role.
	const (
		rItem = iota
		rInst
		rProp
		rDatetime
		rEPR
		rParams
		rAddress
		rURI
		rSelSet
		rSelector
		rOther
	)
	var path [16]int
	depth := 0
	prop := -1          // the property element being read
	afterStart := false // the last token was a start tag (not empty)
	propBare := false   // its start tag has no attributes
	propChildren := 0   // its child elements so far
	selName := ""
	sawInst, sawEPR := false, false
	for pos < end {
		if b[pos] != '<' {
			e := xml.PlainText(b, pos)
			if e < 0 || e > end {
				return nil, false
			}
			kind := holeKind(255)
			var decl *model.PropertyDecl
			if depth > 0 && afterStart && e+1 < end && b[e+1] == '/' {
				switch path[depth-1] {
				case rProp:
					// An array's one element is an array: not this hole.
					if decl = findDecl(sch, inst.NameAt(prop)); propBare && (decl == nil || !decl.Array) {
						kind = holeProp
					}
				case rDatetime:
					kind = holeDatetime
				case rAddress:
					kind = holeAddress
				case rURI:
					kind = holeURI
				case rSelector:
					kind = holeSelector
				}
			}
			if kind != 255 {
				h := hole{kind: kind, prop: int32(prop), name: selName}
				if kind == holeProp {
					h.decl = decl
					if decl != nil && decl.Type.IsInteger() {
						h.integer = decl.Type
					}
				}
				sh.lits = append(sh.lits, own[lit-start:pos-start:pos-start])
				sh.holes = append(sh.holes, h)
				if kind == holeSelector {
					sh.selectors++
				}
				lit = e
			}
			pos = e
			afterStart = false
			continue
		}
		if pos+1 >= end {
			return nil, false
		}
		switch b[pos+1] {
		case '/':
			gt := bytes.IndexByte(b[pos:end], '>')
			if gt < 0 || depth == 0 {
				return nil, false
			}
			depth--
			pos += gt + 1
			afterStart = false
			continue
		case '!', '?':
			return nil, false
		}
		// A start tag: its name, its attributes, its end.
		ne := pos + 1
		for ne < end && b[ne] != ' ' && b[ne] != '\t' && b[ne] != '\n' && b[ne] != '\r' && b[ne] != '/' && b[ne] != '>' {
			ne++
		}
		qname := b[pos+1 : ne]
		local := qname
		if c := bytes.IndexByte(qname, ':'); c >= 0 {
			local = qname[c+1:]
		}
		te, name, ok := tagEnd(b, ne, end)
		if !ok {
			return nil, false
		}
		empty := b[te-2] == '/'
		bare := b[ne] == '>'
		parent := rOther
		if depth > 0 {
			parent = path[depth-1]
		}
		role := rOther
		switch {
		case depth == 0:
			role = rItem
		case parent == rItem && string(local) == "EndpointReference":
			if sawEPR {
				return nil, false
			}
			sawEPR, role = true, rEPR
		case parent == rItem:
			if sawInst {
				return nil, false
			}
			sawInst, role = true, rInst
		case parent == rInst:
			prop++
			if prop >= inst.Len() || string(local) != inst.NameAt(prop) {
				return nil, false
			}
			role, propBare, propChildren = rProp, bare, 0
		case parent == rProp:
			// The token path reads a property's first child and skips
			// the rest: a second would be a hole it never reads.
			if propChildren++; propChildren > 1 {
				return nil, false
			}
			if !propBare || !bare || (string(local) != "Datetime" && string(local) != "Interval" && string(local) != "Date" && string(local) != "Time") {
				break
			}
			if d := findDecl(sch, inst.NameAt(prop)); d != nil && d.Array {
				break
			}
			role = rDatetime
		case parent == rEPR && string(local) == "Address":
			role = rAddress
		case parent == rEPR && (string(local) == "ReferenceParameters" || string(local) == "ReferenceProperties"):
			role = rParams
		case (parent == rEPR || parent == rParams) && string(local) == "ResourceURI":
			role = rURI
		case (parent == rEPR || parent == rParams) && string(local) == "SelectorSet":
			role = rSelSet
		case parent == rSelSet && string(local) == "Selector":
			if empty {
				return nil, false // its value would be literal: not a hole
			}
			role, selName = rSelector, d.Intern(name)
		case parent == rSelector:
			return nil, false // a selector holding an EPR
		}
		pos = te
		afterStart = !empty
		if !empty {
			if depth == len(path) {
				return nil, false
			}
			path[depth] = role
			depth++
		}
	}
	if depth != 0 || !sawInst || !sawEPR || prop+1 != inst.Len() {
		return nil, false
	}
	// The values of properties without a hole are the first item's,
	// shared by every item read by the shape: only values nobody can
	// change through one item (no arrays, embedded instances or
	// references).
	holed := make([]bool, inst.Len())
	for _, h := range sh.holes {
		if h.kind == holeProp || h.kind == holeDatetime {
			holed[h.prop] = true
		}
	}
	for i, p := range proto.All() {
		if holed[i] {
			continue
		}
		if _, ok := p.Value.AsInstance(); ok || p.Value.IsArray() {
			return nil, false
		}
		if _, ok := p.Value.AsReference(); ok {
			return nil, false
		}
	}
	sh.lits = append(sh.lits, own[lit-start:end-start:end-start])
	return sh, true
}

// tagEnd finds the end of a start tag whose name ends at i: the offset
// after its '>', and the value of its last unprefixed Name attribute
// (selectorName's rule).
func tagEnd(b []byte, i, end int) (int, []byte, bool) {
	var name []byte
	for i < end {
		switch c := b[i]; c {
		case '>':
			return i + 1, name, true
		case '"', '\'':
			q := bytes.IndexByte(b[i+1:end], c)
			if q < 0 {
				return 0, nil, false
			}
			i += q + 2
		case '=':
			// The attribute's name is what precedes '=' (no space
			// around it in the shapes read here; else not a Name).
			ns := i
			for ns > 0 && b[ns-1] != ' ' && b[ns-1] != '\t' && b[ns-1] != '\n' {
				ns--
			}
			if i+1 < end && (b[i+1] == '"' || b[i+1] == '\'') && strings.EqualFold(string(b[ns:i]), "Name") {
				q := bytes.IndexByte(b[i+2:end], b[i+1])
				if q < 0 {
					return 0, nil, false
				}
				name = b[i+2 : i+2+q]
				if bytes.IndexByte(name, '&') >= 0 || bytes.IndexByte(name, '\r') >= 0 {
					return 0, nil, false
				}
			}
			i++
		default:
			i++
		}
	}
	return 0, nil, false
}

// findDecl is the schema's declaration named exactly name.
func findDecl(sch *model.Class, name string) *model.PropertyDecl {
	if sch == nil {
		return nil
	}
	for i := range sch.Properties {
		if sch.Properties[i].Name == name {
			return &sch.Properties[i]
		}
	}
	return nil
}

// sameItem reports whether a and b are the same instance to the last
// detail the decoder sets.
func sameItem(a, b *model.Instance) bool {
	if a.ClassName != b.ClassName || a.Namespace != b.Namespace || a.ResourceURI != b.ResourceURI ||
		a.ComputerName != b.ComputerName || a.Len() != b.Len() {
		return false
	}
	for i, p := range a.All() {
		q := b.At(i)
		if p.Name != q.Name || p.Key != q.Key || !sameValue(p.Value, q.Value) {
			return false
		}
	}
	r, s := a.Ref, b.Ref
	if (r == nil) != (s == nil) {
		return false
	}
	if r == nil {
		return true
	}
	if r.Address != s.Address || r.ResourceURI != s.ResourceURI || r.ClassName != s.ClassName ||
		r.Namespace != s.Namespace || len(r.Selectors) != len(s.Selectors) {
		return false
	}
	for i := range r.Selectors {
		if r.Selectors[i].Name != s.Selectors[i].Name || r.Selectors[i].Value != s.Selectors[i].Value ||
			r.Selectors[i].Ref != nil || s.Selectors[i].Ref != nil {
			return false
		}
	}
	return true
}

func sameValue(v, w model.Value) bool {
	return v.Type() == w.Type() && v.IsArray() == w.IsArray() && v.IsNull() == w.IsNull() &&
		v.Text() == w.Text() && model.Equal(v, w)
}
