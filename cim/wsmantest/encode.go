package wsmantest

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// encoder writes instances, values and references in one dialect's shape.
type encoder struct {
	st        style
	wrapDates bool // cim:Datetime wrappers (Windows always; OMI only for WinRM clients)
	wmi       bool // instance namespaces in the WMI URI family
	// nullArrays marks a NULL array IsNullArray="true" (Windows, when
	// the request asked for msftwinrm:UsePreciseArrays).
	nullArrays bool
	dmtf       bool // datetimes and intervals in the DMTF string form
	// schema looks up a class declaration (for OctetString qualifiers);
	// it may return nil.
	schema func(namespace, class string) *model.Class
}

// instanceURI is the XML namespace (and resource URI) of inst's class.
func (e *encoder) instanceURI(inst *model.Instance) string {
	return classURI(e.wmi && e.st.dialect == Windows, inst.Namespace, inst.ClassName)
}

// instance writes a top-level instance element (an item, a Get body).
// Only the named properties are written when props is non-nil.
func (e *encoder) instance(w *xw, inst *model.Instance, props []string) {
	uri := e.instanceURI(inst)
	name := "p:" + inst.ClassName
	if e.st.dialect == OMI {
		w.raw("<", name)
		w.attr("xmlns:p", uri)
		w.raw("\n>\n")
		e.properties(w, "p", inst, props, 1, "\n")
		w.raw("</", name, ">\n")
		return
	}
	w.raw("<", name)
	w.attr("xmlns:xsi", nsXSI)
	w.attr("xmlns:p", uri)
	w.attr("xmlns:cim", nsCIMCommon)
	w.attr("xsi:type", "p:"+inst.ClassName+"_Type")
	w.raw(">")
	e.properties(w, "p", inst, props, 1, "")
	w.raw("</", name, ">")
}

// fragment writes a WQL property-list result the way Windows does: a
// w:XmlFragment with unqualified children.
func (e *encoder) fragment(w *xw, inst *model.Instance, props []string) {
	w.raw("<w:XmlFragment")
	w.attr("xmlns:xsi", nsXSI)
	w.attr("xmlns:w", nsWSMan)
	w.raw(">")
	e.properties(w, "", inst, props, 1, "")
	w.raw("</w:XmlFragment>")
}

func (e *encoder) properties(w *xw, prefix string, inst *model.Instance, props []string, depth int, sep string) {
	var class *model.Class
	if e.schema != nil {
		class = e.schema(inst.Namespace, inst.ClassName)
	}
	write := func(p model.Property) {
		var decl *model.PropertyDecl
		if class != nil {
			decl = class.Property(p.Name)
		}
		e.property(w, prefix, p.Name, p.Value, decl, depth, sep)
	}
	if props == nil {
		for _, p := range inst.All() {
			write(p)
		}
		return
	}
	for _, name := range props {
		if p, ok := inst.Lookup(name); ok {
			write(p)
		}
	}
}

// property writes one property: arrays as repeated elements (an empty
// array not at all, a NULL array as one nil element), scalars once.
func (e *encoder) property(w *xw, prefix, name string, v model.Value, decl *model.PropertyDecl, depth int, sep string) {
	qname := name
	if prefix != "" {
		qname = prefix + ":" + name
	}
	if !v.IsArray() {
		e.scalar(w, qname, v, depth)
		w.raw(sep)
		return
	}
	if v.IsNull() {
		if e.nullArrays {
			w.raw("<", qname, ` xsi:nil="true" xmlns:wsmanms="`+nsWSManMS+`" wsmanms:IsNullArray="true"/>`, sep)
			return
		}
		w.raw("<", qname, ` xsi:nil="true"/>`, sep)
		return
	}
	if e.st.dialect == OMI && v.Type() == model.TypeUint8 && decl != nil && isOctetString(decl) {
		b := make([]byte, 0, v.Len())
		for _, el := range v.Elems() {
			u, _ := el.AsUint()
			b = append(b, byte(u))
		}
		w.raw("<", qname, ` xsi:type="cim:cimBase64Binary">`, base64.StdEncoding.EncodeToString(b), "</", qname, ">", sep)
		return
	}
	for _, el := range v.Elems() {
		e.scalar(w, qname, el, depth)
		w.raw(sep)
	}
}

func isOctetString(d *model.PropertyDecl) bool {
	for _, q := range d.Qualifiers {
		if strings.EqualFold(q.Name, "OctetString") {
			b, ok := q.Value.AsBool()
			return !ok || b
		}
	}
	return false
}

func (e *encoder) scalar(w *xw, qname string, v model.Value, depth int) {
	if v.IsNull() {
		w.raw("<", qname, ` xsi:nil="true"/>`)
		return
	}
	switch x := v.Interface().(type) {
	case bool:
		s := strconv.FormatBool(x)
		if e.st.dialect == OMI {
			s = strings.ToUpper(s)
		}
		w.raw("<", qname, ">", s, "</", qname, ">")
	case model.Datetime:
		w.raw("<", qname, ">")
		if e.wrapDates {
			wrap := datetimeElement(x)
			if strings.Contains(qname, ":") {
				wrap = "cim:" + wrap
			}
			w.raw("<", wrap, ">")
			w.text(e.datetimeText(x))
			w.raw("</", wrap, ">")
		} else {
			w.text(e.datetimeText(x))
		}
		w.raw("</", qname, ">")
	case *model.Reference:
		w.raw("<", qname, ">")
		e.eprBody(w, x, 0)
		w.raw("</", qname, ">")
	case *model.Instance:
		e.embedded(w, qname, x, depth)
	default:
		w.raw("<", qname, ">")
		w.text(v.Text())
		w.raw("</", qname, ">")
	}
}

// datetimeText is a datetime's text: as received or ISO 8601, or for
// Options.DMTFDatetimes the DMTF string form of a timestamp or interval.
func (e *encoder) datetimeText(d model.Datetime) string {
	if e.dmtf && (d.Kind == model.Timestamp || d.Kind == model.Interval) {
		return d.DMTF()
	}
	return d.Lexical()
}

// datetimeElement names the cim: wrapper of a datetime's kind.
func datetimeElement(d model.Datetime) string {
	switch d.Kind {
	case model.Interval:
		return "Interval"
	case model.DateOnly:
		return "Date"
	case model.TimeOnly:
		return "Time"
	}
	return "Datetime"
}

// embedded writes an embedded instance: the property element carries the
// embedded class's xsi:type and its children are in that class's
// namespace under a fresh prefix.
func (e *encoder) embedded(w *xw, qname string, inst *model.Instance, depth int) {
	if depth > 16 {
		w.raw("<", qname, ` xsi:nil="true"/>`)
		return
	}
	prefix := "q" + strconv.Itoa(depth)
	w.raw("<", qname)
	w.attr("xmlns:"+prefix, e.instanceURI(inst))
	w.attr("xsi:type", prefix+":"+inst.ClassName+"_Type")
	w.raw(">")
	e.properties(w, prefix, inst, nil, depth+1, "")
	w.raw("</", qname, ">")
}

// refURI returns the resource URI a reference is written with.
func (e *encoder) refURI(ref *model.Reference) string {
	if ref.ResourceURI != "" {
		return ref.ResourceURI
	}
	return classURI(e.wmi && e.st.dialect == Windows, ref.Namespace, ref.ClassName)
}

// epr writes a whole a:EndpointReference element.
func (e *encoder) epr(w *xw, ref *model.Reference, depth int) {
	a := e.st.addr
	w.raw("<", a, ":EndpointReference>")
	e.eprBody(w, ref, depth)
	w.raw("</", a, ":EndpointReference>")
}

// eprBody writes a:Address and a:ReferenceParameters. DMTF-form URIs
// carry the namespace as a __cimnamespace selector, as Windows and OMI
// write them.
func (e *encoder) eprBody(w *xw, ref *model.Reference, depth int) {
	a, m := e.st.addr, e.st.wsman
	uri := e.refURI(ref)
	w.raw("<", a, ":Address>", anonymous, "</", a, ":Address><", a, ":ReferenceParameters><", m, ":ResourceURI>")
	w.text(uri)
	w.raw("</", m, ":ResourceURI><", m, ":SelectorSet>")
	if !strings.HasPrefix(strings.ToLower(uri), prefixWMI) && ref.Namespace != "" {
		if _, has := selector(ref.Selectors, selectorNamespace); !has {
			w.raw("<", m, `:Selector Name="`, selectorNamespace, `">`)
			w.text(ref.Namespace)
			w.raw("</", m, ":Selector>")
		}
	}
	for _, s := range ref.Selectors {
		w.raw("<", m, ":Selector")
		w.attr("Name", s.Name)
		w.raw(">")
		if s.Ref != nil && depth < 8 {
			e.epr(w, s.Ref, depth+1)
		} else {
			w.text(s.Value)
		}
		w.raw("</", m, ":Selector>")
	}
	w.raw("</", m, ":SelectorSet></", a, ":ReferenceParameters>")
}
