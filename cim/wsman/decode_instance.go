package wsman

import (
	"strings"
	"sync"

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

// maxDepth bounds nested embedded instances (hostile input).
const maxDepth = 32

// propAcc accumulates the elements of one property while decoding.
type propAcc struct {
	name      string
	decl      *model.PropertyDecl
	first     model.Value   // the first element (most properties have one)
	more      []model.Value // the elements after the first, for arrays
	n         int32
	nullArray bool
}

func (a *propAcc) add(v model.Value) {
	if a.n == 0 {
		a.first = v
	} else {
		a.more = append(a.more, v)
	}
	a.n++
}

func (a *propAcc) elems() []model.Value {
	out := make([]model.Value, 0, a.n)
	out = append(out, a.first)
	return append(out, a.more...)
}

// accScratch is the working space of decodePropertiesFrom, reused from
// one instance to the next (it was most of the bytes allocated per
// instance).
type accScratch struct {
	accs   []propAcc
	byDecl []int32 // acc index + 1 by the schema's property index
}

var accPool = sync.Pool{New: func() any { return new(accScratch) }}

func decodeProperties(d *xml.Decoder, inst *model.Instance, schema *model.Class, lookup SchemaFunc, depth int) error {
	return decodePropertiesFrom(d, inst, schema, lookup, depth, false)
}

// decodePropertiesFrom decodes property elements up to the end of the
// enclosing element; atStart says the decoder's current token is a
// property's start tag, already read.
func decodePropertiesFrom(d *xml.Decoder, inst *model.Instance, schema *model.Class, lookup SchemaFunc, depth int, atStart bool) error {
	if depth > maxDepth {
		return errTooDeep
	}
	sc := accPool.Get().(*accScratch)
	accs := sc.accs[:0]
	var byDecl []int32
	if schema != nil {
		if cap(sc.byDecl) < len(schema.Properties) {
			sc.byDecl = make([]int32, len(schema.Properties))
		}
		byDecl = sc.byDecl[:len(schema.Properties)]
		clear(byDecl)
	}
	defer func() {
		clear(accs) // no values kept alive by the pool
		sc.accs = accs[:0]
		accPool.Put(sc)
	}()
	next := 0 // where the schema's next property is likely (servers keep its order)
	for {
		if !atStart {
			k, err := nextKind(d)
			if err != nil {
				return err
			}
			if k == xml.EndTag {
				break
			}
			if k != xml.StartTag {
				continue
			}
		}
		atStart = false
		local := d.Local() // a view of the reply: names are copied when kept (below)
		if d.Space() == NsCIMCommon && string(local) == "Location" {
			ref, err := DecodeEPR(d, xml.StartElement{})
			if err != nil {
				return err
			}
			inst.Ref = ref
			continue
		}
		name := viewString(local)
		// Array elements come one after another: look at the last
		// property first.
		k := len(accs) - 1
		if k < 0 || accs[k].name != name {
			k = -1
			di := -1
			if schema != nil {
				di = declIndex(schema, name, &next)
			}
			if di >= 0 {
				if j := byDecl[di] - 1; j >= 0 && accs[j].name == name {
					k = int(j)
				}
			}
			if k < 0 && (di < 0 || byDecl[di] != 0) {
				// Not the schema's, or a second spelling of a declared
				// name: the slow way.
				for j := range accs {
					if accs[j].name == name {
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
						byDecl[di] = int32(len(accs) + 1)
					}
				}
				if decl != nil && decl.Name == name {
					kept = decl.Name // the schema's copy: no allocation per instance
				} else {
					kept = d.Intern(local) // one copy a reply
				}
				accs = append(accs, propAcc{name: kept, decl: decl})
				k = len(accs) - 1
			}
		}
		a := &accs[k]
		var va valueAttrs
		if len(d.Attrs()) > 0 {
			va = readValueAttrs(d)
		}
		if va.nullArray {
			a.nullArray = true
		}
		v, err := decodeValue(d, &va, a.decl, lookup, depth)
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
		a.add(v)
	}
	inst.Properties = make([]model.Property, len(accs))
	for i := range accs {
		a := &accs[i]
		inst.Properties[i] = model.Property{Name: a.name, Value: a.value()}
		if a.decl != nil && a.decl.Key {
			inst.Properties[i].Key = true
		}
	}
	if schema == nil && inst.Ref != nil {
		markKeysFromRef(inst, inst.Ref)
	}
	return nil
}

// value builds the property's value from its elements: an array when the
// schema says so or when the element repeats.
func (a *propAcc) value() model.Value {
	isArray := (a.decl != nil && a.decl.Array) || a.n > 1 || a.nullArray
	if !isArray {
		return a.first
	}
	t := model.TypeUnknown
	if a.decl != nil {
		t = a.decl.Type
	}
	if a.nullArray || (a.n == 1 && a.first.IsNull()) {
		if t == model.TypeUnknown {
			t = a.first.Type()
		}
		return model.NullArray(t)
	}
	// An octet string (base64) decodes to a whole uint8 array.
	if a.n == 1 && a.first.IsArray() {
		return a.first
	}
	vals := a.elems()
	if t == model.TypeUnknown {
		t = commonType(vals)
	}
	return model.Array(t, vals)
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
		if p := inst.Property(s.Name); p != nil {
			p.Key = true
		}
	}
}
