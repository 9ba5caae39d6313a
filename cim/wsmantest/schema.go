package wsmantest

import (
	"context"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// getClass answers a Get on the CIM-XML schema URI (Get-CimClass): the
// body is a CIM-XML CLASS element.
func (c *call) getClass(t target) ([]byte, *FaultSpec) {
	name, ok := selector(c.req.Selectors, "ClassName")
	if !ok || name == "" {
		return nil, &FaultSpec{Subcode: "w:InvalidSelectors",
			Detail:  "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InsufficientSelectors",
			Message: "A class declaration is addressed by the ClassName selector."}
	}
	cl, err := c.s.provider.GetClass(c.ctx, &model.GetClassRequest{Common: model.Common{Namespace: t.Namespace}, ClassName: name})
	if err != nil {
		return nil, c.fault(err, opOther)
	}
	limit, f := c.maxEnvelope()
	if f != nil {
		return nil, f
	}
	r := c.s.begin(c.st, nsTransfer+"/GetResponse", c.req.MessageID, "s a x w p", false)
	c.s.writeClass(c.ctx, &r.xw, c.st, cl)
	return checkSize(r.end(), limit)
}

// writeClass writes a class declaration in CIM-XML (DSP0201), the shape
// Windows and OMI answer Get-CimClass with.
func (s *Server) writeClass(ctx context.Context, w *xw, st style, cl *model.Class) {
	w.raw("<CLASS")
	w.attr("NAME", cl.Name)
	if cl.SuperClass != "" {
		w.attr("SUPERCLASS", cl.SuperClass)
		w.attr("DERIVATION", strings.Join(s.derivation(ctx, cl), ","))
	}
	w.raw(">")
	cx := cimxml{w: w, upper: st.dialect == Windows}
	cx.qualifiers(cl.Qualifiers)
	for i := range cl.Properties {
		cx.property(cl, &cl.Properties[i])
	}
	for i := range cl.Methods {
		cx.method(cl, &cl.Methods[i])
	}
	w.raw("</CLASS>")
}

// derivation lists the superclass chain, nearest first.
func (s *Server) derivation(ctx context.Context, cl *model.Class) []string {
	var chain []string
	ns, super := cl.Namespace, cl.SuperClass
	for i := 0; super != "" && i < 32; i++ {
		chain = append(chain, super)
		parent := s.class(ctx, ns, super)
		if parent == nil {
			break
		}
		super = parent.SuperClass
	}
	return chain
}

// cimxml writes CIM-XML declarations.
type cimxml struct {
	w     *xw
	upper bool // Windows writes boolean VALUEs as TRUE/FALSE
}

func (cx cimxml) value(v model.Value) {
	w := cx.w
	if v.IsNull() {
		return
	}
	if v.IsArray() {
		w.raw("<VALUE.ARRAY>")
		for _, e := range v.Elems() {
			cx.scalar(e)
		}
		w.raw("</VALUE.ARRAY>")
		return
	}
	cx.scalar(v)
}

func (cx cimxml) scalar(v model.Value) {
	if v.IsNull() {
		cx.w.raw("<VALUE.NULL/>")
		return
	}
	text := v.Text()
	if b, ok := v.AsBool(); ok && cx.upper {
		text = strings.ToUpper(strconv.FormatBool(b))
	}
	if d, ok := v.AsDatetime(); ok {
		text = d.DMTF()
		if d.Text != "" && !strings.Contains(d.Text, "T") && !strings.HasPrefix(d.Text, "P") {
			text = d.Text
		}
	}
	cx.w.raw("<VALUE>")
	cx.w.text(text)
	cx.w.raw("</VALUE>")
}

func (cx cimxml) qualifier(name string, v model.Value) {
	cx.w.raw("<QUALIFIER")
	cx.w.attr("NAME", name)
	t := v.Type()
	if t == model.TypeUnknown {
		t = model.TypeString
	}
	cx.w.attr("TYPE", t.String())
	cx.w.raw(">")
	cx.value(v)
	cx.w.raw("</QUALIFIER>")
}

func (cx cimxml) qualifiers(qs []model.Qualifier) {
	for _, q := range qs {
		cx.qualifier(q.Name, q.Value)
	}
}

func hasQualifier(qs []model.Qualifier, name string) bool {
	for _, q := range qs {
		if strings.EqualFold(q.Name, name) {
			return true
		}
	}
	return false
}

// typeAttr is the TYPE of a property or parameter: embedded instances are
// strings with an EmbeddedInstance or EmbeddedObject qualifier.
func typeAttr(t model.Type) string {
	if t == model.TypeInstance {
		return "string"
	}
	return t.String()
}

func (cx cimxml) embeddedQualifier(t model.Type, class string, qs []model.Qualifier) {
	if t != model.TypeInstance || hasQualifier(qs, "EmbeddedInstance") || hasQualifier(qs, "EmbeddedObject") {
		return
	}
	if class != "" {
		cx.qualifier("EmbeddedInstance", model.String(class))
	} else {
		cx.qualifier("EmbeddedObject", model.Bool(true))
	}
}

// openDecl writes the start of a property or parameter element: its name,
// and its reference class or its type (the tag is left open for more
// attributes).
func (cx cimxml) openDecl(tag, name string, t model.Type, refClass string) {
	cx.w.raw("<", tag)
	cx.w.attr("NAME", name)
	if t != model.TypeReference {
		cx.w.attr("TYPE", typeAttr(t))
	} else if refClass != "" {
		cx.w.attr("REFERENCECLASS", refClass)
	}
}

func (cx cimxml) property(cl *model.Class, p *model.PropertyDecl) {
	w := cx.w
	tag := "PROPERTY"
	switch {
	case p.Type == model.TypeReference:
		tag = "PROPERTY.REFERENCE"
	case p.Array:
		tag = "PROPERTY.ARRAY"
	}
	cx.openDecl(tag, p.Name, p.Type, p.RefClass)
	origin := p.ClassOrigin
	if origin == "" {
		origin = cl.Name
	}
	w.attr("CLASSORIGIN", origin)
	if !strings.EqualFold(origin, cl.Name) {
		w.attr("PROPAGATED", "true")
	}
	w.raw(">")
	if p.Key && !hasQualifier(p.Qualifiers, "key") {
		cx.qualifier("key", model.Bool(true))
	}
	cx.embeddedQualifier(p.Type, p.EmbeddedClass, p.Qualifiers)
	cx.qualifiers(p.Qualifiers)
	if !p.Default.IsNull() && p.Type != model.TypeReference && p.Type != model.TypeInstance {
		cx.value(p.Default)
	}
	w.raw("</", tag, ">")
}

func (cx cimxml) method(cl *model.Class, m *model.Method) {
	w := cx.w
	w.raw("<METHOD")
	w.attr("NAME", m.Name)
	rt := m.ReturnType
	if rt == model.TypeUnknown {
		rt = model.TypeUint32
	}
	w.attr("TYPE", typeAttr(rt))
	w.attr("CLASSORIGIN", cl.Name)
	w.raw(">")
	if m.Static && !hasQualifier(m.Qualifiers, "static") {
		cx.qualifier("static", model.Bool(true))
	}
	cx.qualifiers(m.Qualifiers)
	for i := range m.Parameters {
		p := &m.Parameters[i]
		tag := "PARAMETER"
		switch {
		case p.Type == model.TypeReference && p.Array:
			tag = "PARAMETER.REFARRAY"
		case p.Type == model.TypeReference:
			tag = "PARAMETER.REFERENCE"
		case p.Array:
			tag = "PARAMETER.ARRAY"
		}
		cx.openDecl(tag, p.Name, p.Type, p.RefClass)
		w.raw(">")
		if p.In && !hasQualifier(p.Qualifiers, "In") {
			cx.qualifier("In", model.Bool(true))
		}
		if p.Out && !hasQualifier(p.Qualifiers, "Out") {
			cx.qualifier("Out", model.Bool(true))
		}
		cx.embeddedQualifier(p.Type, p.EmbeddedClass, p.Qualifiers)
		cx.qualifiers(p.Qualifiers)
		w.raw("</", tag, ">")
	}
	w.raw("</METHOD>")
}
