package wmio

import (
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// Schema is a class as the encoding needs it: the class and the names of
// its superclasses, nearest first.
type Schema struct {
	Class      *model.Class
	Derivation []string
}

// heap collects the variable parts of a class or instance part.
type heap struct{ b []byte }

func (h *heap) str(s string) uint32 {
	off := uint32(len(h.b))
	h.b = appendString(h.b, s)
	return off
}

func (h *heap) add(b []byte) uint32 {
	off := uint32(len(h.b))
	h.b = append(h.b, b...)
	return off
}

// nameRef refers to a qualifier name, through the dictionary when it is
// there.
func (h *heap) nameRef(name string) uint32 {
	for i, d := range dictionary {
		if d != "" && d != `"` && strings.EqualFold(d, name) {
			return heapMSB | uint32(i)
		}
	}
	return h.str(name)
}

// value encodes v as type t (converting it when its type differs) and
// returns the value-table entry; NULL gives zeros and null true.
func (h *heap) value(t model.Type, array bool, v model.Value) (entry []byte, null bool, err error) {
	size := valueSize(t, array)
	if v.IsNull() {
		return make([]byte, size), true, nil
	}
	if v.Type() != t || v.IsArray() != array {
		if t == model.TypeUnknown {
			t = model.TypeString
		}
		if v, err = model.Convert(v, t, array); err != nil {
			return nil, false, err
		}
	}
	if array {
		elems := v.Elems()
		var b []byte
		b = u32(b, uint32(len(elems)))
		switch t {
		case model.TypeString, model.TypeDatetime, model.TypeReference, model.TypeInstance, model.TypeUnknown:
			// Count, a heap reference per element, then the elements.
			start := len(h.b)
			h.b = append(h.b, make([]byte, 4+4*len(elems))...)
			binary.LittleEndian.PutUint32(h.b[start:], uint32(len(elems)))
			for i, e := range elems {
				off, err := h.scalarHeap(t, e)
				if err != nil {
					return nil, false, err
				}
				binary.LittleEndian.PutUint32(h.b[start+4+4*i:], off)
			}
			return u32(nil, uint32(start)), false, nil
		}
		for _, e := range elems {
			s, err := scalar(t, e)
			if err != nil {
				return nil, false, err
			}
			b = append(b, s...)
		}
		return u32(nil, h.add(b)), false, nil
	}
	switch t {
	case model.TypeString, model.TypeDatetime, model.TypeReference, model.TypeInstance:
		off, err := h.scalarHeap(t, v)
		return u32(nil, off), false, err
	}
	s, err := scalar(t, v)
	return s, false, err
}

// scalarHeap writes a string-like or object scalar to the heap.
func (h *heap) scalarHeap(t model.Type, v model.Value) (uint32, error) {
	switch t {
	case model.TypeInstance:
		inst, ok := v.AsInstance()
		if !ok || inst == nil {
			return h.add(u32(nil, 0)), nil
		}
		blk, err := encodeInstanceBlock(inst, nil, "", "")
		if err != nil {
			return 0, err
		}
		return h.add(append(u32(nil, uint32(len(blk))), blk...)), nil
	case model.TypeDatetime:
		if d, ok := v.AsDatetime(); ok {
			return h.str(d.DMTF()), nil
		}
	case model.TypeReference:
		if r, ok := v.AsReference(); ok && r != nil {
			return h.str(FormatPath(r)), nil
		}
	}
	return h.str(v.Text()), nil
}

// FormatPath writes a reference as WMI object paths read, with the
// namespace when the reference names one.
func FormatPath(r *model.Reference) string { return wql.FormatObjectPath("", r) }

// scalar encodes a numeric, boolean or char16 scalar.
func scalar(t model.Type, v model.Value) ([]byte, error) {
	size := valueSize(t, false)
	b := make([]byte, 8)
	switch t {
	case model.TypeBoolean:
		if x, _ := v.AsBool(); x {
			binary.LittleEndian.PutUint16(b, 0xffff)
		}
	case model.TypeReal32:
		f, _ := v.AsFloat()
		binary.LittleEndian.PutUint32(b, math.Float32bits(float32(f)))
	case model.TypeReal64:
		f, _ := v.AsFloat()
		binary.LittleEndian.PutUint64(b, math.Float64bits(f))
	case model.TypeChar16:
		c, _ := v.Interface().(uint16)
		binary.LittleEndian.PutUint16(b, c)
	default:
		switch x := v.Interface().(type) {
		case uint64:
			binary.LittleEndian.PutUint64(b, x)
		case int64:
			binary.LittleEndian.PutUint64(b, uint64(x))
		default:
			return nil, fmt.Errorf("wmio: %s value %v", t, v)
		}
	}
	return b[:size], nil
}

// qualifierSet encodes qualifiers (EncodingLength then Qualifier
// records) into the heap's names and values.
func (h *heap) qualifierSet(qs []model.Qualifier, flavor func(model.Qualifier) uint8) ([]byte, error) {
	b := make([]byte, 4)
	for _, q := range qs {
		t := q.Value.Type()
		if t == model.TypeUnknown {
			t = model.TypeString
		}
		ct := toCIM[t]
		if q.Value.IsArray() {
			ct |= flagArray
		}
		name := h.nameRef(q.Name)
		entry, _, err := h.value(t, q.Value.IsArray(), q.Value)
		if err != nil {
			return nil, fmt.Errorf("wmio: qualifier %s: %w", q.Name, err)
		}
		b = u32(b, name)
		b = append(b, flavor(q))
		b = u32(b, ct)
		b = append(b, entry...)
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b, nil
}

func qualifierFlavor(q model.Qualifier) uint8 {
	if strings.EqualFold(q.Name, "key") {
		return 0x13
	}
	return 0x03
}

type propInfo struct {
	decl      model.PropertyDecl
	order     int
	offset    int
	inherited bool
	origin    uint32
}

// layout orders a schema's properties: declaration order is the class's
// order, the value table follows it, packed.
func layout(s *Schema) []propInfo {
	c := s.Class
	depth := uint32(len(s.Derivation))
	var ps []propInfo
	off := 0
	for i, p := range c.Properties {
		pi := propInfo{decl: p, order: i, offset: off, origin: depth}
		if p.ClassOrigin != "" && !strings.EqualFold(p.ClassOrigin, c.Name) {
			pi.inherited = true
			for j, d := range s.Derivation {
				if strings.EqualFold(d, p.ClassOrigin) {
					pi.origin = depth - 1 - uint32(j)
				}
			}
		}
		off += valueSize(p.Type, p.Array)
		ps = append(ps, pi)
	}
	return ps
}

func ndLen(n int) int {
	if n == 0 {
		return 0
	}
	return (n-1)/4 + 1
}

// classPart encodes a ClassPart (MS-WMIO 2.2.15). A nil schema gives the
// empty part that stands for a missing parent.
func classPart(s *Schema) ([]byte, error) {
	h := &heap{}
	name := uint32(noRef)
	var deriv, quals []byte
	var lookup, ndvt []byte
	nprops := 0
	if s == nil {
		deriv, quals = u32(nil, 4), u32(nil, 4)
	} else {
		c := s.Class
		name = h.str(c.Name)
		deriv = make([]byte, 4)
		for _, d := range s.Derivation {
			e := appendString(nil, d)
			deriv = append(deriv, e...)
			deriv = u32(deriv, uint32(len(e)))
		}
		binary.LittleEndian.PutUint32(deriv, uint32(len(deriv)))
		var err error
		if quals, err = h.qualifierSet(c.Qualifiers, qualifierFlavor); err != nil {
			return nil, err
		}
		ps := layout(s)
		nprops = len(ps)
		nd := make([]byte, ndLen(len(ps)))
		var vt []byte
		type lk struct {
			name       string
			nref, iref uint32
		}
		var lks []lk
		for _, p := range ps {
			d := p.decl
			nref := h.str(d.Name)
			qs := []model.Qualifier{{Name: "CIMTYPE", Value: model.String(cimTypeName(d.Type, firstNonEmpty(d.RefClass, d.EmbeddedClass)))}}
			if d.Key {
				qs = append(qs, model.Qualifier{Name: "key", Value: model.Bool(true)})
			}
			for _, q := range d.Qualifiers {
				if !strings.EqualFold(q.Name, "CIMTYPE") && !strings.EqualFold(q.Name, "key") {
					qs = append(qs, q)
				}
			}
			qset, err := h.qualifierSet(qs, qualifierFlavor)
			if err != nil {
				return nil, fmt.Errorf("wmio: property %s: %w", d.Name, err)
			}
			ct := toCIM[d.Type]
			if d.Array {
				ct |= flagArray
			}
			if p.inherited {
				ct |= flagInherit
			}
			info := u32(nil, ct)
			info = binary.LittleEndian.AppendUint16(info, uint16(p.order))
			info = u32(info, uint32(p.offset))
			info = u32(info, p.origin)
			iref := h.add(append(info, qset...))
			lks = append(lks, lk{d.Name, nref, iref})
			entry, null, err := h.value(d.Type, d.Array, d.Default)
			if err != nil {
				return nil, fmt.Errorf("wmio: default of %s: %w", d.Name, err)
			}
			vt = append(vt, entry...)
			var bits byte
			if null {
				bits |= 1
			}
			if p.inherited {
				bits |= 2
			}
			nd[p.order/4] |= bits << (2 * (p.order % 4))
		}
		sort.SliceStable(lks, func(i, j int) bool { return strings.ToLower(lks[i].name) < strings.ToLower(lks[j].name) })
		for _, l := range lks {
			lookup = u32(lookup, l.nref)
			lookup = u32(lookup, l.iref)
		}
		ndvt = append(nd, vt...)
	}
	b := make([]byte, 4)
	b = append(b, 0)
	b = u32(b, name)
	b = u32(b, uint32(len(ndvt)))
	b = append(b, deriv...)
	b = append(b, quals...)
	b = u32(b, uint32(nprops))
	b = append(b, lookup...)
	b = append(b, ndvt...)
	b = u32(b, heapMSB|uint32(len(h.b)))
	b = append(b, h.b...)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// decoration writes the server and namespace (backslash form).
func decoration(server, ns string) []byte {
	b := appendString(nil, server)
	return appendString(b, strings.ReplaceAll(ns, "/", `\`))
}

// unit wraps an ObjectBlock in an EncodingUnit.
func unit(block []byte) []byte {
	b := u32(nil, signature)
	b = u32(b, uint32(len(block)))
	return append(b, block...)
}

// schemaOf synthesizes a schema from an instance's own values, for
// embedded instances and instances without a declared class.
func schemaOf(inst *model.Instance) *Schema {
	c := &model.Class{Name: inst.ClassName}
	for _, p := range inst.All() {
		d := model.PropertyDecl{Name: p.Name, Type: p.Value.Type(), Array: p.Value.IsArray(), Key: p.Key}
		if r, ok := p.Value.AsReference(); ok && r != nil {
			d.RefClass = r.ClassName
		}
		if e, ok := p.Value.AsInstance(); ok && e != nil {
			d.EmbeddedClass = e.ClassName
		}
		c.Properties = append(c.Properties, d)
	}
	return &Schema{Class: c}
}

// EncodeInstance encodes inst as an EncodingUnit. The schema gives the
// class part (every property of the class, NULL where the instance has
// no value); nil synthesizes one from the instance's values. server and
// namespace, when set, go in the Decoration.
func EncodeInstance(inst *model.Instance, s *Schema, server, namespace string) ([]byte, error) {
	blk, err := encodeInstanceBlock(inst, s, server, namespace)
	if err != nil {
		return nil, err
	}
	return unit(blk), nil
}

func encodeInstanceBlock(inst *model.Instance, s *Schema, server, namespace string) ([]byte, error) {
	if s == nil {
		s = schemaOf(inst)
	}
	cp, err := classPart(s)
	if err != nil {
		return nil, err
	}
	h := &heap{}
	cname := h.str(s.Class.Name)
	ps := layout(s)
	nd := make([]byte, ndLen(len(ps)))
	var vt []byte
	for _, p := range ps {
		v, _ := inst.Get(p.decl.Name)
		entry, null, err := h.value(p.decl.Type, p.decl.Array, v)
		if err != nil {
			return nil, fmt.Errorf("wmio: %s.%s: %w", s.Class.Name, p.decl.Name, err)
		}
		vt = append(vt, entry...)
		if null {
			nd[p.order/4] |= 1 << (2 * (p.order % 4))
		}
	}
	body := []byte{0}
	body = u32(body, cname)
	body = append(body, nd...)
	body = append(body, vt...)
	body = u32(body, 4) // empty instance qualifier set
	body = append(body, 1)
	body = u32(body, heapMSB|uint32(len(h.b)))
	body = append(body, h.b...)
	flags := byte(FlagInstance)
	var b []byte
	if server != "" || namespace != "" {
		flags |= FlagDecoration
		b = append([]byte{flags}, decoration(server, namespace)...)
	} else {
		b = []byte{flags}
	}
	b = append(b, cp...)
	b = u32(b, uint32(4+len(body)))
	return append(b, body...), nil
}

// EncodeClass encodes a class as an EncodingUnit: its parent's class
// part (empty when parent is nil) and its own, each with its methods.
func EncodeClass(s *Schema, parent *Schema, server, namespace string) ([]byte, error) {
	blk, err := encodeClassBlock(s, parent, server, namespace, true)
	if err != nil {
		return nil, err
	}
	return unit(blk), nil
}

func encodeClassBlock(s, parent *Schema, server, namespace string, decorate bool) ([]byte, error) {
	flags := byte(FlagClass)
	b := []byte{0}
	if decorate {
		flags |= FlagDecoration
		b = append(b, decoration(server, namespace)...)
	}
	b[0] = flags
	for _, part := range []*Schema{parent, s} {
		cp, err := classPart(part)
		if err != nil {
			return nil, err
		}
		mp, err := methodsPart(part)
		if err != nil {
			return nil, err
		}
		b = append(b, cp...)
		b = append(b, mp...)
	}
	return b, nil
}

// methodsPart encodes a MethodsPart (MS-WMIO 2.2.38): each method's
// qualifiers and in and out signatures (__PARAMETERS classes whose
// properties carry ID, in and out qualifiers) live in the method heap.
func methodsPart(s *Schema) ([]byte, error) {
	h := &heap{}
	var descs []byte
	var methods []model.Method
	if s != nil {
		methods = s.Class.Methods
	}
	for _, m := range methods {
		name := h.str(m.Name)
		qs := m.Qualifiers
		if m.Static && !hasQualifier(qs, "static") {
			qs = append(append([]model.Qualifier(nil), qs...), model.Qualifier{Name: "static", Value: model.Bool(true)})
		}
		qset, err := h.qualifierSet(qs, func(model.Qualifier) uint8 { return 0 })
		if err != nil {
			return nil, err
		}
		qref := h.add(qset)
		in, out := Signatures(&m)
		sig := func(c *model.Class) (uint32, error) {
			if c == nil {
				return noRef, nil
			}
			blk, err := encodeClassBlock(&Schema{Class: c}, nil, "", "", false)
			if err != nil {
				return 0, err
			}
			return h.add(append(u32(nil, uint32(len(blk))), blk...)), nil
		}
		inRef, err := sig(in)
		if err != nil {
			return nil, err
		}
		outRef, err := sig(out)
		if err != nil {
			return nil, err
		}
		descs = u32(descs, name)
		descs = append(descs, 0, 0, 0, 0)
		descs = u32(descs, 0)
		descs = u32(descs, qref)
		descs = u32(descs, inRef)
		descs = u32(descs, outRef)
	}
	b := make([]byte, 4)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(methods)))
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = append(b, descs...)
	b = u32(b, heapMSB|uint32(len(h.b)))
	b = append(b, h.b...)
	binary.LittleEndian.PutUint32(b, uint32(len(b)))
	return b, nil
}

func hasQualifier(qs []model.Qualifier, name string) bool {
	for _, q := range qs {
		if strings.EqualFold(q.Name, name) {
			return true
		}
	}
	return false
}

// Signatures builds the __PARAMETERS classes of a method: in parameters,
// and out parameters with ReturnValue first. Parameters are numbered by
// the ID qualifier in declaration order.
func Signatures(m *model.Method) (in, out *model.Class) {
	for i, p := range m.Parameters {
		d := model.PropertyDecl{Name: p.Name, Type: p.Type, Array: p.Array, RefClass: p.RefClass, EmbeddedClass: p.EmbeddedClass,
			Qualifiers: []model.Qualifier{{Name: "ID", Value: model.Sint(model.TypeSint32, int64(i))}}}
		if p.In {
			if in == nil {
				in = &model.Class{Name: "__PARAMETERS"}
			}
			dd := d
			dd.Qualifiers = append(dd.Qualifiers, model.Qualifier{Name: "in", Value: model.Bool(true)})
			in.Properties = append(in.Properties, dd)
		}
		if p.Out {
			if out == nil {
				out = &model.Class{Name: "__PARAMETERS"}
			}
			dd := d
			dd.Qualifiers = append(dd.Qualifiers, model.Qualifier{Name: "out", Value: model.Bool(true)})
			out.Properties = append(out.Properties, dd)
		}
	}
	if m.ReturnType != model.TypeUnknown {
		if out == nil {
			out = &model.Class{Name: "__PARAMETERS"}
		}
		rv := model.PropertyDecl{Name: "ReturnValue", Type: m.ReturnType, Qualifiers: []model.Qualifier{{Name: "out", Value: model.Bool(true)}}}
		out.Properties = append([]model.PropertyDecl{rv}, out.Properties...)
	}
	return in, out
}
