package wsman

import (
	"strings"
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

// declNamed returns schema's declaration of name (case-insensitive),
// trying *next first, where servers that send properties in the
// schema's order put it (a linear search for each of 45 properties was a
// fifth of decoding); *next moves past what was found.
func declNamed(schema *model.Class, name string, next *int) *model.PropertyDecl {
	props := schema.Properties
	if i := *next; i < len(props) && props[i].Name == name {
		*next = i + 1
		return &props[i]
	}
	for i := range props {
		if strings.EqualFold(props[i].Name, name) {
			*next = i + 1
			return &props[i]
		}
	}
	return nil
}

// maxDepth bounds nested embedded instances (hostile input).
const maxDepth = 32

// propAcc accumulates the elements of one property while decoding.
type propAcc struct {
	name      string
	decl      *model.PropertyDecl
	first     model.Value   // the first element (most properties have one)
	more      []model.Value // the elements after the first, for arrays
	n         int
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

func decodeProperties(d *xml.Decoder, inst *model.Instance, schema *model.Class, lookup SchemaFunc, depth int) error {
	return decodePropertiesFrom(d, inst, schema, lookup, depth, nil)
}

// decodePropertiesFrom decodes property elements up to the end of the
// enclosing element; first, when set, is a property start already read.
func decodePropertiesFrom(d *xml.Decoder, inst *model.Instance, schema *model.Class, lookup SchemaFunc, depth int, first *xml.StartElement) error {
	if depth > maxDepth {
		return errTooDeep
	}
	capHint := 8
	if schema != nil {
		capHint = len(schema.Properties)
	}
	accs := make([]propAcc, 0, capHint)
	next := 0 // where the schema's next property is likely (servers keep its order)
	for {
		var se xml.StartElement
		if first != nil {
			se, first = *first, nil
		} else {
			var ok bool
			var err error
			se, ok, err = findStart(d)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
		}
		if se.Name.Local == "Location" && se.Name.Space == NsCIMCommon {
			ref, err := DecodeEPR(d, se)
			if err != nil {
				return err
			}
			inst.Ref = ref
			continue
		}
		name := se.Name.Local // a view of the reply: cloned when kept (below)
		// Array elements come one after another: look at the last
		// property first.
		k := len(accs) - 1
		if k < 0 || accs[k].name != name {
			k = -1
			for j := range accs {
				if accs[j].name == name {
					k = j
					break
				}
			}
		}
		if k < 0 {
			var decl *model.PropertyDecl
			if schema != nil {
				decl = declNamed(schema, name, &next)
			}
			kept := name
			if decl != nil && decl.Name == name {
				kept = decl.Name // the schema's copy: no allocation per instance
			} else {
				kept = d.Intern(unsafe.Slice(unsafe.StringData(name), len(name))) // one copy a reply
			}
			accs = append(accs, propAcc{name: kept, decl: decl})
			k = len(accs) - 1
		}
		a := &accs[k]
		if v, ok := attr(se, NsWSManMS, "IsNullArray"); ok && strings.EqualFold(v, "true") {
			a.nullArray = true
		}
		v, err := decodeValue(d, se, a.decl, lookup, depth)
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
