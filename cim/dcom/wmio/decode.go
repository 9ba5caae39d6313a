package wmio

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// Object is a decoded CIM object: a class (Class set, with Parent when
// the encoding carried one) or an instance (Instance set, and Class for
// the class part it came with).
type Object struct {
	Server    string
	Namespace string // with forward slashes
	Class     *model.Class
	Parent    *model.Class
	Instance  *model.Instance
}

// maxDepth bounds nested embedded objects and method signatures.
const maxDepth = 16

// Decode decodes an EncodingUnit.
func Decode(b []byte) (*Object, error) {
	if len(b) < 8 || binary.LittleEndian.Uint32(b) != signature {
		return nil, fmt.Errorf("%w: no encoding unit signature", ErrMalformed)
	}
	n := binary.LittleEndian.Uint32(b[4:])
	if uint64(n) > uint64(len(b)-8) {
		return nil, fmt.Errorf("%w: object of %d bytes in %d", ErrMalformed, n, len(b)-8)
	}
	return decodeBlock(b[8:8+n], 0)
}

// DecodeBlock decodes an ObjectBlock (as embedded objects and the smart
// enumerator's object arrays carry them).
func DecodeBlock(b []byte) (*Object, error) { return decodeBlock(b, 0) }

func decodeBlock(b []byte, depth int) (*Object, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: objects nested more than %d deep", ErrMalformed, maxDepth)
	}
	r := &rd{b: b}
	flags := r.u8()
	o := &Object{}
	if flags&FlagDecoration != 0 {
		o.Server = r.encodedString()
		o.Namespace = strings.ReplaceAll(r.encodedString(), `\`, "/")
	}
	if r.err != nil {
		return nil, r.err
	}
	switch {
	case flags&FlagClass != 0:
		parent, n, err := decodeClassAndMethods(b[r.off:], depth)
		if err != nil {
			return nil, err
		}
		cur, _, err := decodeClassAndMethods(b[r.off+n:], depth)
		if err != nil {
			return nil, err
		}
		if cur.Name == "" {
			return nil, fmt.Errorf("%w: class without a name", ErrMalformed)
		}
		if parent.Name != "" {
			o.Parent = parent
		}
		cur.Namespace = o.Namespace
		o.Class = cur
	case flags&FlagInstance != 0:
		cp, n, err := decodeClassPart(b[r.off:], depth)
		if err != nil {
			return nil, err
		}
		inst, err := decodeInstancePart(b[r.off+n:], cp, depth)
		if err != nil {
			return nil, err
		}
		inst.Namespace = o.Namespace
		o.Class = cp.class
		o.Instance = inst
	default:
		return nil, fmt.Errorf("%w: object flags 0x%02x", ErrMalformed, flags)
	}
	return o, nil
}

// decodedProp is a property of a decoded class part.
type decodedProp struct {
	decl   model.PropertyDecl
	ctype  uint32
	order  int
	offset int
}

type decodedClass struct {
	class *model.Class
	props []decodedProp
	ndvt  []byte
}

// decodeClassPart decodes a ClassPart and returns its length.
func decodeClassPart(b []byte, depth int) (*decodedClass, int, error) {
	r := &rd{b: b}
	length := int(r.u32())
	if r.err == nil && (length < 13 || length > len(b)) {
		return nil, 0, fmt.Errorf("%w: class part of %d bytes in %d", ErrMalformed, length, len(b))
	}
	r.b = b[:length]
	r.u8()
	nameRef := r.u32()
	ndvtLen := int(r.u32())
	dlen := int(r.u32())
	dstart := r.off
	var deriv []string
	for r.err == nil && r.off < dstart+dlen-4 {
		deriv = append(deriv, r.encodedString())
		r.u32()
	}
	qStart := r.off
	qlen := int(r.u32())
	qraw := r.take(max(qlen-4, 0), "class qualifier set")
	_ = qStart
	count := int(r.u32())
	if r.err == nil && count > r.len()/8 {
		r.fail("%d properties in %d bytes", count, r.len())
	}
	lookups := r.take(8*count, "property lookup table")
	ndvt := r.take(ndvtLen, "value table")
	hlen := r.u32()
	heap := r.take(int(hlen&^heapMSB), "class heap")
	if r.err != nil {
		return nil, 0, r.err
	}
	c := &model.Class{}
	if len(deriv) > 0 {
		c.SuperClass = deriv[0]
	}
	dc := &decodedClass{class: c, ndvt: ndvt}
	if nameRef != noRef {
		var err error
		if c.Name, err = heapString(heap, nameRef); err != nil {
			return nil, 0, err
		}
	}
	var err error
	if c.Qualifiers, err = decodeQualifiers(qraw, heap, depth); err != nil {
		return nil, 0, err
	}
	nd := ndLen(count)
	if nd > len(ndvt) {
		return nil, 0, fmt.Errorf("%w: value table of %d bytes for %d properties", ErrMalformed, len(ndvt), count)
	}
	for i := 0; i < count; i++ {
		nref := binary.LittleEndian.Uint32(lookups[8*i:])
		iref := binary.LittleEndian.Uint32(lookups[8*i+4:])
		name, err := heapString(heap, nref)
		if err != nil {
			return nil, 0, err
		}
		if int64(iref)+18 > int64(len(heap)) {
			return nil, 0, fmt.Errorf("%w: property %s info beyond the heap", ErrMalformed, name)
		}
		ir := &rd{b: heap, off: int(iref)}
		ct := ir.u32()
		order := int(ir.u16())
		offset := int(ir.u32())
		origin := ir.u32()
		pqlen := int(ir.u32())
		pq := ir.take(max(pqlen-4, 0), "property qualifiers")
		if ir.err != nil {
			return nil, 0, ir.err
		}
		t, ok := fromCIM[ct&^(flagArray|flagInherit)]
		if !ok {
			return nil, 0, fmt.Errorf("%w: property %s of CIM type %d", ErrMalformed, name, ct)
		}
		if order >= count || offset+valueSize(t, ct&flagArray != 0) > len(ndvt)-nd {
			return nil, 0, fmt.Errorf("%w: property %s at order %d, offset %d", ErrMalformed, name, order, offset)
		}
		d := model.PropertyDecl{Name: name, Type: t, Array: ct&flagArray != 0, ClassOrigin: c.Name}
		if ct&flagInherit != 0 {
			if k := len(deriv) - 1 - int(origin); k >= 0 && k < len(deriv) {
				d.ClassOrigin = deriv[k]
			} else {
				d.ClassOrigin = c.SuperClass
			}
		}
		qs, err := decodeQualifiers(pq, heap, depth)
		if err != nil {
			return nil, 0, err
		}
		for _, q := range qs {
			switch strings.ToLower(q.Name) {
			case "cimtype":
				s, _ := q.Value.AsString()
				if rc, ok := strings.CutPrefix(s, "ref:"); ok {
					d.RefClass = rc
				} else if ec, ok := strings.CutPrefix(s, "object:"); ok {
					d.EmbeddedClass = ec
				}
			case "key":
				b, isBool := q.Value.AsBool()
				d.Key = !isBool || b
				d.Qualifiers = append(d.Qualifiers, q)
			default:
				d.Qualifiers = append(d.Qualifiers, q)
			}
		}
		dp := decodedProp{decl: d, ctype: ct, order: order, offset: offset}
		bits := ndvt[order/4] >> (2 * (order % 4)) & 3
		if bits&1 == 0 {
			v, err := decodeValue(t, d.Array, ndvt[nd+offset:], heap, depth)
			if err != nil {
				return nil, 0, fmt.Errorf("wmio: default of %s: %w", name, err)
			}
			dp.decl.Default = v
		}
		dc.props = append(dc.props, dp)
	}
	// Declaration order, as the class declares its properties.
	sortProps(dc.props)
	for _, p := range dc.props {
		c.Properties = append(c.Properties, p.decl)
	}
	return dc, length, nil
}

func sortProps(ps []decodedProp) {
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ps[j].order < ps[j-1].order; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}

func (r *rd) len() int { return len(r.b) - r.off }

// decodeClassAndMethods decodes a ClassAndMethodsPart into a class.
func decodeClassAndMethods(b []byte, depth int) (*model.Class, int, error) {
	dc, n, err := decodeClassPart(b, depth)
	if err != nil {
		return nil, 0, err
	}
	methods, m, err := decodeMethodsPart(b[n:], depth)
	if err != nil {
		return nil, 0, err
	}
	dc.class.Methods = methods
	return dc.class, n + m, nil
}

// decodeInstancePart decodes what follows the class part of an instance.
func decodeInstancePart(b []byte, dc *decodedClass, depth int) (*model.Instance, error) {
	r := &rd{b: b}
	length := int(r.u32())
	if r.err == nil && (length < 4 || length > len(b)) {
		return nil, fmt.Errorf("%w: instance part of %d bytes in %d", ErrMalformed, length, len(b))
	}
	r.b = b[:length]
	r.u8()
	cref := r.u32()
	ndvt := r.take(len(dc.ndvt), "instance value table")
	qlen := int(r.u32())
	r.take(max(qlen-4, 0), "instance qualifiers")
	if pflag := r.u8(); pflag == 2 {
		// Property qualifier sets follow, one per property; this
		// implementation does not return instance-level qualifiers.
		for range dc.props {
			l := int(r.u32())
			r.take(max(l-4, 0), "property qualifier set")
		}
	}
	hlen := r.u32()
	heap := r.take(int(hlen&^heapMSB), "instance heap")
	if r.err != nil {
		return nil, r.err
	}
	inst := &model.Instance{ClassName: dc.class.Name}
	if name, err := heapString(heap, cref); err == nil && name != "" {
		inst.ClassName = name
	}
	nd := ndLen(len(dc.props))
	props := make([]model.Property, 0, len(dc.props))
	for _, p := range dc.props {
		bits := ndvt[p.order/4] >> (2 * (p.order % 4)) & 3
		var v model.Value
		switch {
		case bits&1 != 0:
			v = model.Null(p.decl.Type)
			if p.decl.Array {
				v = model.NullArray(p.decl.Type)
			}
		case bits&2 != 0:
			v = p.decl.Default
			if v.Type() == model.TypeUnknown && v.IsNull() {
				v = model.Null(p.decl.Type)
			}
		default:
			var err error
			if v, err = decodeValue(p.decl.Type, p.decl.Array, ndvt[nd+p.offset:], heap, depth); err != nil {
				return nil, fmt.Errorf("wmio: %s.%s: %w", inst.ClassName, p.decl.Name, err)
			}
		}
		props = append(props, model.Property{Name: p.decl.Name, Value: v, Key: p.decl.Key})
	}
	inst.SetProperties(props) // names, keys and values each allocated once at their size
	return inst, nil
}

// decodeValue decodes a value-table entry (and what it refers to in the
// heap).
func decodeValue(t model.Type, array bool, entry, heap []byte, depth int) (model.Value, error) {
	if len(entry) < valueSize(t, array) {
		return model.Value{}, fmt.Errorf("%w: value entry truncated", ErrMalformed)
	}
	if array {
		off := binary.LittleEndian.Uint32(entry)
		if int64(off)+4 > int64(len(heap)) {
			return model.Value{}, fmt.Errorf("%w: array beyond the heap", ErrMalformed)
		}
		n := int(binary.LittleEndian.Uint32(heap[off:]))
		items := heap[off+4:]
		size := valueSize(t, false)
		if n > len(items)/max(size, 1) {
			return model.Value{}, fmt.Errorf("%w: array of %d elements in %d bytes", ErrMalformed, n, len(items))
		}
		elems := make([]model.Value, 0, n)
		for i := 0; i < n; i++ {
			e, err := decodeScalar(t, items[i*size:], heap, depth)
			if err != nil {
				return model.Value{}, err
			}
			elems = append(elems, e)
		}
		return model.Array(t, elems), nil
	}
	return decodeScalar(t, entry, heap, depth)
}

func decodeScalar(t model.Type, b, heap []byte, depth int) (model.Value, error) {
	switch t {
	case model.TypeBoolean:
		return model.Bool(binary.LittleEndian.Uint16(b) != 0), nil
	case model.TypeUint8:
		return model.Uint(t, uint64(b[0])), nil
	case model.TypeSint8:
		return model.Sint(t, int64(int8(b[0]))), nil
	case model.TypeUint16:
		return model.Uint(t, uint64(binary.LittleEndian.Uint16(b))), nil
	case model.TypeSint16:
		return model.Sint(t, int64(int16(binary.LittleEndian.Uint16(b)))), nil
	case model.TypeChar16:
		return model.Char16(binary.LittleEndian.Uint16(b)), nil
	case model.TypeUint32:
		return model.Uint(t, uint64(binary.LittleEndian.Uint32(b))), nil
	case model.TypeSint32:
		return model.Sint(t, int64(int32(binary.LittleEndian.Uint32(b)))), nil
	case model.TypeUint64:
		return model.Uint(t, binary.LittleEndian.Uint64(b)), nil
	case model.TypeSint64:
		return model.Sint(t, int64(binary.LittleEndian.Uint64(b))), nil
	case model.TypeReal32:
		return model.Real(t, float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))), nil
	case model.TypeReal64:
		return model.Real(t, math.Float64frombits(binary.LittleEndian.Uint64(b))), nil
	}
	off := binary.LittleEndian.Uint32(b)
	if t == model.TypeInstance {
		if int64(off)+4 > int64(len(heap)) {
			return model.Value{}, fmt.Errorf("%w: object beyond the heap", ErrMalformed)
		}
		n := binary.LittleEndian.Uint32(heap[off:])
		if n == 0 {
			return model.Null(t), nil
		}
		if int64(off)+4+int64(n) > int64(len(heap)) {
			return model.Value{}, fmt.Errorf("%w: object of %d bytes beyond the heap", ErrMalformed, n)
		}
		o, err := decodeBlock(heap[off+4:off+4+n], depth+1)
		if err != nil {
			return model.Value{}, err
		}
		if o.Instance == nil {
			return model.Value{}, fmt.Errorf("%w: embedded class where an instance was expected", ErrMalformed)
		}
		return model.Embedded(o.Instance), nil
	}
	s, err := heapString(heap, off)
	if err != nil {
		return model.Value{}, err
	}
	switch t {
	case model.TypeDatetime:
		d, err := model.ParseDatetime(s)
		if err != nil {
			return model.Value{}, fmt.Errorf("%w: datetime %q", ErrMalformed, truncate(s))
		}
		return model.DatetimeValue(d), nil
	case model.TypeReference:
		_, ref, err := wql.ParseObjectPathHost(s)
		if err != nil {
			return model.Value{}, fmt.Errorf("%w: reference %q", ErrMalformed, truncate(s))
		}
		return model.Ref(ref), nil
	}
	return model.String(s), nil
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// decodeQualifiers decodes the Qualifier records of a QualifierSet.
func decodeQualifiers(b, heap []byte, depth int) ([]model.Qualifier, error) {
	var qs []model.Qualifier
	r := &rd{b: b}
	for r.err == nil && r.len() > 0 {
		nref := r.u32()
		r.u8()
		ct := r.u32()
		if r.err != nil {
			return nil, r.err
		}
		t, ok := fromCIM[ct&^flagArray]
		if !ok {
			return nil, fmt.Errorf("%w: qualifier of CIM type %d", ErrMalformed, ct)
		}
		size := valueSize(t, ct&flagArray != 0)
		entry := r.take(size, "qualifier value")
		if r.err != nil {
			return nil, r.err
		}
		name, err := heapString(heap, nref)
		if err != nil {
			return nil, err
		}
		v, err := decodeValue(t, ct&flagArray != 0, entry, heap, depth)
		if err != nil {
			return nil, fmt.Errorf("wmio: qualifier %s: %w", name, err)
		}
		qs = append(qs, model.Qualifier{Name: name, Value: v})
	}
	return qs, r.err
}

// decodeMethodsPart decodes a MethodsPart into methods.
func decodeMethodsPart(b []byte, depth int) ([]model.Method, int, error) {
	r := &rd{b: b}
	length := int(r.u32())
	if r.err == nil && (length < 12 || length > len(b)) {
		return nil, 0, fmt.Errorf("%w: methods part of %d bytes in %d", ErrMalformed, length, len(b))
	}
	r.b = b[:length]
	n := int(r.u16())
	r.u16()
	descs := r.take(24*n, "method descriptions")
	hlen := r.u32()
	heap := r.take(int(hlen&^heapMSB), "method heap")
	if r.err != nil {
		return nil, 0, r.err
	}
	var methods []model.Method
	for i := 0; i < n; i++ {
		d := descs[24*i:]
		name, err := heapString(heap, binary.LittleEndian.Uint32(d))
		if err != nil {
			return nil, 0, err
		}
		m := model.Method{Name: name}
		if q := binary.LittleEndian.Uint32(d[12:]); q != noRef {
			if int64(q)+4 > int64(len(heap)) {
				return nil, 0, fmt.Errorf("%w: method %s qualifiers beyond the heap", ErrMalformed, name)
			}
			l := binary.LittleEndian.Uint32(heap[q:])
			if l < 4 || int64(q)+int64(l) > int64(len(heap)) {
				return nil, 0, fmt.Errorf("%w: method %s qualifier set of %d bytes", ErrMalformed, name, l)
			}
			if m.Qualifiers, err = decodeQualifiers(heap[q+4:q+l], heap, depth); err != nil {
				return nil, 0, err
			}
			for _, q := range m.Qualifiers {
				if strings.EqualFold(q.Name, "static") {
					b, isBool := q.Value.AsBool()
					m.Static = !isBool || b
				}
			}
		}
		in, err := signatureClass(heap, binary.LittleEndian.Uint32(d[16:]), depth)
		if err != nil {
			return nil, 0, fmt.Errorf("wmio: method %s: %w", name, err)
		}
		out, err := signatureClass(heap, binary.LittleEndian.Uint32(d[20:]), depth)
		if err != nil {
			return nil, 0, fmt.Errorf("wmio: method %s: %w", name, err)
		}
		m.Parameters, m.ReturnType = parameters(in, out)
		methods = append(methods, m)
	}
	return methods, length, nil
}

// signatureClass decodes a MethodSignatureBlock's __PARAMETERS class.
func signatureClass(heap []byte, off uint32, depth int) (*model.Class, error) {
	if off == noRef {
		return nil, nil
	}
	if int64(off)+4 > int64(len(heap)) {
		return nil, fmt.Errorf("%w: signature beyond the heap", ErrMalformed)
	}
	n := binary.LittleEndian.Uint32(heap[off:])
	if n == 0 {
		return nil, nil
	}
	if int64(off)+4+int64(n) > int64(len(heap)) {
		return nil, fmt.Errorf("%w: signature of %d bytes beyond the heap", ErrMalformed, n)
	}
	o, err := decodeBlock(heap[off+4:off+4+n], depth+1)
	if err != nil {
		return nil, err
	}
	if o.Class == nil {
		return nil, fmt.Errorf("%w: signature is not a class", ErrMalformed)
	}
	return o.Class, nil
}

// parameters merges in and out signatures into a parameter list ordered
// by the ID qualifier, and the ReturnValue's type.
func parameters(in, out *model.Class) ([]model.Parameter, model.Type) {
	var ps []model.Parameter
	ids := map[string]int64{}
	index := map[string]int{}
	ret := model.TypeUnknown
	add := func(c *model.Class, isIn bool) {
		if c == nil {
			return
		}
		for _, p := range c.Properties {
			if !isIn && strings.EqualFold(p.Name, "ReturnValue") {
				ret = p.Type
				continue
			}
			id := int64(len(ids))
			var qs []model.Qualifier
			for _, q := range p.Qualifiers {
				switch strings.ToLower(q.Name) {
				case "id":
					if v, ok := q.Value.AsInt(); ok {
						id = v
					}
				case "in", "out":
				default:
					qs = append(qs, q)
				}
			}
			if i, ok := index[strings.ToLower(p.Name)]; ok {
				if isIn {
					ps[i].In = true
				} else {
					ps[i].Out = true
				}
				continue
			}
			index[strings.ToLower(p.Name)] = len(ps)
			ids[strings.ToLower(p.Name)] = id
			ps = append(ps, model.Parameter{Name: p.Name, Type: p.Type, Array: p.Array, RefClass: p.RefClass,
				EmbeddedClass: p.EmbeddedClass, In: isIn, Out: !isIn, Qualifiers: qs})
		}
	}
	add(in, true)
	add(out, false)
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && ids[strings.ToLower(ps[j].Name)] < ids[strings.ToLower(ps[j-1].Name)]; j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
	return ps, ret
}
