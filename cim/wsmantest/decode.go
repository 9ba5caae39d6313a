package wsmantest

import (
	"context"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// decodeInstance reads an instance element (a Put or Create body, an
// embedded instance) typed by class when known. Repeated elements form
// arrays; cim:Location and other non-property children are skipped.
func (s *Server) decodeInstance(ctx context.Context, n *node, class *model.Class, ns string, depth int) (*model.Instance, error) {
	if depth > 16 {
		return nil, fmt.Errorf("wsmantest: embedded instances nested too deeply")
	}
	name := n.Name.Local
	if class != nil {
		name = class.Name
	}
	inst := model.NewInstance(name, ns)
	for _, g := range groupChildren(n) {
		key, elems := g.name, g.elems
		var decl *model.PropertyDecl
		if class != nil {
			decl = class.Property(key)
			if decl == nil {
				return nil, fmt.Errorf("wsmantest: %s has no property %s", class.Name, key)
			}
		}
		v, err := s.decodeValue(ctx, elems, declOf(decl), ns, depth)
		if err != nil {
			return nil, fmt.Errorf("wsmantest: property %s: %w", key, err)
		}
		inst.Set(elems[0].Name.Local, v)
		if decl != nil && decl.Key {
			inst.SetKeyAt(inst.Index(key), true)
		}
	}
	return inst, nil
}

// group is the elements of one property, in document order.
type group struct {
	name  string
	elems []*node
}

// groupChildren groups property elements by local name (case-insensitive),
// in first-seen order, leaving out the cim:Location EPR Windows adds.
func groupChildren(n *node) []group {
	var out []group
	index := map[string]int{}
	for _, ch := range n.Children {
		if ch.Name.Space == nsCIMCommon && ch.Name.Local == "Location" {
			continue
		}
		k := strings.ToLower(ch.Name.Local)
		i, seen := index[k]
		if !seen {
			i = len(out)
			index[k] = i
			out = append(out, group{name: ch.Name.Local})
		}
		out[i].elems = append(out[i].elems, ch)
	}
	return out
}

// valueDecl is what decoding needs to know of a property or parameter.
type valueDecl struct {
	known    bool
	typ      model.Type
	array    bool
	embedded string
}

func declOf(d *model.PropertyDecl) valueDecl {
	if d == nil {
		return valueDecl{}
	}
	return valueDecl{known: true, typ: d.Type, array: d.Array, embedded: d.EmbeddedClass}
}

func paramDecl(p *model.Parameter) valueDecl {
	if p == nil {
		return valueDecl{}
	}
	return valueDecl{known: true, typ: p.Type, array: p.Array, embedded: p.EmbeddedClass}
}

// decodeValue reads the element(s) of one property.
func (s *Server) decodeValue(ctx context.Context, elems []*node, d valueDecl, ns string, depth int) (model.Value, error) {
	if !d.known {
		// No schema: infer from the shape, as a client without one does.
		if len(elems) == 1 {
			return s.decodeScalar(ctx, elems[0], s.inferType(elems[0]), d.embedded, ns, depth)
		}
		typ := s.inferType(elems[0])
		vals := make([]model.Value, 0, len(elems))
		for _, e := range elems {
			v, err := s.decodeScalar(ctx, e, typ, "", ns, depth)
			if err != nil {
				return model.Value{}, err
			}
			vals = append(vals, v)
		}
		return model.Array(typ, vals), nil
	}
	if !d.array {
		if len(elems) > 1 {
			return model.Value{}, fmt.Errorf("a scalar sent %d times", len(elems))
		}
		return s.decodeScalar(ctx, elems[0], d.typ, d.embedded, ns, depth)
	}
	if len(elems) == 1 && elems[0].isNil() {
		return model.NullArray(d.typ), nil
	}
	if len(elems) == 1 && d.typ == model.TypeUint8 {
		if t, ok := elems[0].attr(nsXSI, "type"); ok && strings.HasSuffix(t, "cimBase64Binary") {
			return model.ParseOctets(elems[0].text())
		}
	}
	vals := make([]model.Value, 0, len(elems))
	for _, e := range elems {
		v, err := s.decodeScalar(ctx, e, d.typ, d.embedded, ns, depth)
		if err != nil {
			return model.Value{}, err
		}
		vals = append(vals, v)
	}
	return model.Array(d.typ, vals), nil
}

// inferType guesses a schema-less element's type.
func (s *Server) inferType(n *node) model.Type {
	if n.child(nsAddressing, "ReferenceParameters") != nil {
		return model.TypeReference
	}
	for _, w := range []string{"Datetime", "Interval", "Date", "Time"} {
		if n.child(nsCIMCommon, w) != nil {
			return model.TypeDatetime
		}
	}
	if t, ok := n.attr(nsXSI, "type"); ok && len(n.Children) > 0 && !strings.HasPrefix(t, "cim:") {
		return model.TypeInstance
	}
	return model.TypeString
}

func (s *Server) decodeScalar(ctx context.Context, n *node, typ model.Type, embedded, ns string, depth int) (model.Value, error) {
	if n.isNil() {
		return model.Null(typ), nil
	}
	switch typ {
	case model.TypeReference:
		ref, err := parseEPR(n, depth+1)
		if err != nil {
			return model.Value{}, err
		}
		return model.Ref(ref), nil
	case model.TypeInstance:
		class := embedded
		var cls *model.Class
		if t, ok := n.attr(nsXSI, "type"); ok {
			space, local := n.resolveQName(t)
			class = strings.TrimSuffix(local, "_Type")
			if i := strings.LastIndexByte(space, '/'); i >= 0 && space[i+1:] != "" {
				class = space[i+1:]
			}
		}
		if class != "" {
			cls = s.class(ctx, ns, class)
		}
		inst, err := s.decodeInstance(ctx, n, cls, ns, depth+1)
		if err != nil {
			return model.Value{}, err
		}
		if cls == nil && class != "" {
			inst.ClassName = class
		}
		return model.Embedded(inst), nil
	case model.TypeDatetime:
		text := n.text()
		for _, w := range []string{"Datetime", "Interval", "Date", "Time"} {
			if ch := n.child("", w); ch != nil {
				text = ch.text()
			}
		}
		return model.ParseScalar(model.TypeDatetime, text)
	case model.TypeString, model.TypeUnknown:
		return model.String(n.Text), nil
	}
	return model.ParseScalar(typ, n.text())
}
