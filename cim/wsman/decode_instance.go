package wsman

import (
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// SchemaFunc returns the schema of a class (nil when unknown), for
// embedded instances whose class differs from the outer one.
type SchemaFunc func(className string) *model.Class

// DecodeInstance decodes the instance element start (already read from
// d) and consumes it up to its end tag. With a schema, values take the
// declared types (one-element arrays stay arrays, bare datetimes and
// intervals parse); without one, from xsi:type, cim:Datetime and the like,
// and xsi:nil, other text staying untyped (model.TypeUnknown). Text that
// does not parse as its declared type fails the instance with a
// *ValueError naming the class, property, value and type. A w:XmlFragment element gives an instance with no class
// name (unless the schema has one). cim:Location sets the instance's Ref.
func DecodeInstance(d *xml.Decoder, start xml.StartElement, schema *model.Class) (*model.Instance, error) {
	return decodeInstance(d, start, schema, nil)
}

// DecodeInstanceWith is DecodeInstance with a lookup for the schemas of
// embedded instances.
func DecodeInstanceWith(d *xml.Decoder, start xml.StartElement, schema *model.Class, lookup SchemaFunc) (*model.Instance, error) {
	return decodeInstance(d, start, schema, lookup)
}

func decodeInstance(d *xml.Decoder, start xml.StartElement, schema *model.Class, lookup SchemaFunc) (*model.Instance, error) {
	inst := &model.Instance{}
	if is(start, NsWSMan, "XmlFragment") {
		if schema != nil {
			inst.ClassName = schema.Name
			inst.Namespace = schema.Namespace
		}
	} else {
		inst.ClassName = keepName(start.Name.Local, schema)
		inst.ResourceURI = start.Name.Space
		inst.Namespace, _ = ParseResourceURI(start.Name.Space)
		if schema != nil && inst.Namespace == "" {
			inst.Namespace = schema.Namespace
		}
	}
	if err := decodeProperties(d, inst, schema, lookup, 0); err != nil {
		return nil, err
	}
	return inst, nil
}

// keepName returns a class name read from a reply as a string that may
// be kept: the schema's when it is the same (the reply's names are views
// of its bytes).
func keepName(name string, schema *model.Class) string {
	if schema != nil && schema.Name == name {
		return schema.Name
	}
	return strings.Clone(name)
}

// declIndex returns the index of schema's declaration of name
// (case-insensitive; -1 when none), trying *next first, where servers
// that send properties in the schema's order put it (a linear search for
// each of 45 properties was a fifth of decoding); *next moves past what
// was found.
func declIndex(schema *model.Class, name string, next *int) int {
	props := schema.Properties
	if i := *next; i < len(props) && props[i].Name == name {
		*next = i + 1
		return i
	}
	for i := range props {
		if strings.EqualFold(props[i].Name, name) {
			*next = i + 1
			return i
		}
	}
	return -1
}

// sameName reports whether local holds name's bytes (xmltok.NameEqual's
// word compare, without copying name).
func sameName(local []byte, name string) bool {
	return xml.NameEqual(local, unsafe.Slice(unsafe.StringData(name), len(name))) // read only
}

// propsPool holds the buffers an instance's properties are gathered in.
var propsPool = sync.Pool{New: func() any { return new([]model.Property) }}

// maxPooledProps bounds the buffers kept in propsPool (classes have tens
// of properties, a few hundred at most).
const maxPooledProps = 1024

// noLeaf turns xmltok.Leaf off, for the test that compares decoding
// with and without it (decode_leaf_test.go).
var noLeaf atomic.Bool

// maxDepth bounds nested embedded instances (hostile input).
const maxDepth = 32

// propMeta is what decodePropertiesFrom knows of a property it has met.
// It holds no pointer (the declaration is an index), so that appending
// one, for every property, writes no pointer through the write barrier
// check.
type propMeta struct {
	decl  int32 // index+1 in the schema's properties; 0: not declared
	array int32 // index+1 in arrays; 0 while it holds one value
}

// arrayAcc gathers the elements of a property that is, or turns out to
// be, an array: declared so, marked IsNullArray, or repeated. Most
// properties are not: their one value goes straight into the instance.
type arrayAcc struct {
	idx       int // in the instance's properties
	decl      *model.PropertyDecl
	elems     []model.Value
	nullArray bool
}

func decodeProperties(d *xml.Decoder, inst *model.Instance, schema *model.Class, lookup SchemaFunc, depth int) error {
	return decodePropertiesFrom(d, inst, schema, lookup, depth, propsNext)
}

// Where decodePropertiesFrom starts.
const (
	propsNext    = iota // the next token is a property's or the enclosing end tag
	propsAtStart        // the current token is a property's start tag
	propsEnded          // the enclosing element ended already (xmltok.Leaf read it): no properties
)

// decodePropertiesFrom decodes property elements up to the end of the
// enclosing element, from where says. Values are written into the
// instance's properties as they are read; only arrays are gathered
// first.
func decodePropertiesFrom(d *xml.Decoder, inst *model.Instance, schema *model.Class, lookup SchemaFunc, depth int, from int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	// The properties are gathered in a reused buffer, then handed to the
	// instance as a layout (names and keys) and its values.
	scratch := propsPool.Get().(*[]model.Property)
	props := (*scratch)[:0]
	defer func() {
		if cap(props) > maxPooledProps {
			return // a hostile instance's thousands: not kept
		}
		clear(props) // no values kept alive by the pool
		*scratch = props[:0]
		propsPool.Put(scratch)
	}()
	var metaArr [48]propMeta
	meta := metaArr[:0]
	// byDecl is where each declared property went (index+1 in props).
	var byDeclArr [64]int32
	var byDecl []int32
	if schema != nil {
		n := len(schema.Properties)
		if n <= len(byDeclArr) {
			byDecl = byDeclArr[:n]
		} else {
			byDecl = make([]int32, n)
		}
	}
	var arrays []arrayAcc
	next := 0 // where the schema's next property is likely (servers keep its order)
	for from != propsEnded {
		// Most properties are leaves (text, or empty with attributes):
		// read whole in one step, else token by token.
		leaf := false
		switch {
		case from == propsAtStart:
			from = propsNext
		case !noLeaf.Load() && d.Leaf():
			leaf = true
		default:
			k, err := nextKind(d)
			if err != nil {
				return err
			}
			if k == xml.EndTag {
				from = propsEnded
				continue
			}
			if k != xml.StartTag {
				continue
			}
		}
		local := d.Local() // a view of the reply: names are copied when kept (below)
		if d.Space() == NsCIMCommon && string(local) == "Location" {
			if leaf {
				// What DecodeEPR reads from an element without children.
				ref := &model.Reference{}
				finishRef(ref)
				inst.Ref = ref
				continue
			}
			ref, err := DecodeEPR(d, xml.StartElement{})
			if err != nil {
				return err
			}
			inst.Ref = ref
			continue
		}
		name := viewString(local)
		k := len(props) - 1
		isNew := false
		if schema != nil && next < len(byDecl) && byDecl[next] == 0 && sameName(local, schema.Properties[next].Name) {
			// The schema's next property, met for the first time: where
			// servers that keep the schema's order put it.
			decl := &schema.Properties[next]
			byDecl[next] = int32(len(props) + 1)
			next++
			if leaf && len(d.Attrs()) == 0 && !decl.Array {
				// Text and nothing else: the commonest values straight,
				// the property written once (anything else as below).
				var v model.Value
				ok := false
				switch t := decl.Type; {
				case t == model.TypeString:
					v, ok = model.String(d.Keep(d.Text())), true
				case t.IsInteger():
					v, ok = plainInteger(t, d.Text())
				}
				if ok {
					props = append(props, model.Property{Name: decl.Name, Value: v, Key: decl.Key})
					meta = append(meta, propMeta{decl: int32(next)}) // next is the index+1
					continue
				}
			}
			props = append(props, model.Property{Name: decl.Name, Key: decl.Key})
			meta = append(meta, propMeta{decl: int32(next)})
			k, isNew = len(props)-1, true
		} else if k < 0 || props[k].Name != name {
			// Array elements come one after another: look at the last
			// property first.
			k = -1
			di := -1
			if schema != nil {
				di = declIndex(schema, name, &next)
			}
			if di >= 0 {
				if j := byDecl[di] - 1; j >= 0 && props[j].Name == name {
					k = int(j)
				}
			}
			if k < 0 && (di < 0 || byDecl[di] != 0) {
				// Not the schema's, or a second spelling of a declared
				// name: the slow way.
				for j := range props {
					if props[j].Name == name {
						k = j
						break
					}
				}
			}
			if k < 0 {
				var decl *model.PropertyDecl
				kept := ""
				if di >= 0 {
					decl = &schema.Properties[di]
					if byDecl[di] == 0 {
						byDecl[di] = int32(len(props) + 1)
					}
				}
				if decl != nil && decl.Name == name {
					kept = decl.Name // the schema's copy: no allocation per instance
				} else {
					kept = d.Intern(local) // one copy a reply
				}
				props = append(props, model.Property{Name: kept, Key: decl != nil && decl.Key})
				meta = append(meta, propMeta{decl: int32(di + 1)})
				k = len(props) - 1
				isNew = true
			}
		}
		m := &meta[k]
		var decl *model.PropertyDecl
		if m.decl > 0 {
			decl = &schema.Properties[m.decl-1]
		}
		var va valueAttrs
		if len(d.Attrs()) > 0 {
			va = readValueAttrs(d)
		}
		v, err := decodeValue(d, &va, decl, lookup, depth, leaf)
		if err != nil {
			if tm, ok := err.(*typeMismatch); ok {
				class := inst.ClassName
				if class == "" && schema != nil {
					class = schema.Name
				}
				return &ValueError{Class: class, Property: strings.Clone(name), Value: tm.text, Type: tm.typeName()}
			}
			return err
		}
		if isNew && !va.nullArray && (decl == nil || !decl.Array) {
			props[k].Value = v // the common case: one value
			continue
		}
		if m.array == 0 {
			arrays = append(arrays, arrayAcc{idx: k, decl: decl})
			m.array = int32(len(arrays))
			if !isNew {
				// The first element, taken for the value.
				arrays[len(arrays)-1].elems = append(arrays[len(arrays)-1].elems, props[k].Value)
			}
		}
		a := &arrays[m.array-1]
		a.elems = append(a.elems, v)
		if va.nullArray {
			a.nullArray = true
		}
	}
	for i := range arrays {
		a := &arrays[i]
		props[a.idx].Value = a.value()
	}
	inst.SetProperties(props)
	if schema == nil && inst.Ref != nil {
		markKeysFromRef(inst, inst.Ref)
	}
	return nil
}

// value builds the property's value from its elements: an array when the
// schema says so or when the element repeats.
func (a *arrayAcc) value() model.Value {
	first := a.elems[0]
	isArray := (a.decl != nil && a.decl.Array) || len(a.elems) > 1 || a.nullArray
	if !isArray {
		return first
	}
	t := model.TypeUnknown
	if a.decl != nil {
		t = a.decl.Type
	}
	if a.nullArray || (len(a.elems) == 1 && first.IsNull()) {
		if t == model.TypeUnknown {
			t = first.Type()
		}
		return model.NullArray(t)
	}
	// An octet string (base64) decodes to a whole uint8 array.
	if len(a.elems) == 1 && first.IsArray() {
		return first
	}
	if t == model.TypeUnknown {
		t = commonType(a.elems)
	}
	return model.Array(t, a.elems)
}

func commonType(vals []model.Value) model.Type {
	t := model.TypeUnknown
	for i, v := range vals {
		if i == 0 {
			t = v.Type()
		} else if v.Type() != t {
			return model.TypeUnknown
		}
	}
	return t
}

// markKeysFromRef marks as keys the properties named by the EPR's
// selectors (no schema said which are keys).
func markKeysFromRef(inst *model.Instance, ref *model.Reference) {
	for _, s := range ref.Selectors {
		if k := inst.Index(s.Name); k >= 0 {
			inst.SetKeyAt(k, true)
		}
	}
}
