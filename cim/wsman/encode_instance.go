package wsman

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// EncodeOptions adjusts how AppendInstanceWith writes an instance.
type EncodeOptions struct {
	// Prefix is the namespace prefix of the instance element ("p" when
	// empty). Nested embedded instances use Prefix followed by a depth.
	Prefix string
	// ValueTypes writes xsi:type="cim:cimUnsignedLong" (and so on) on
	// every non-NULL value, as PowerShell's MI client does in Create and
	// Put requests, so that a server without the class schema (or a
	// schema-less decoder) keeps the exact CIM type.
	ValueTypes bool
	// ElementName overrides the element's local name (the class name
	// when empty), as Invoke does with Method_INPUT.
	ElementName string
	// NoTypeAttr leaves out xsi:type="p:Class_Type" on the instance
	// element.
	NoTypeAttr bool
	// TypeAttr replaces the xsi:type value (PowerShell writes
	// xsi:type="Method_INPUT_Type", unprefixed, on method parameters).
	TypeAttr string
	// Form is the URI form used for references without a ResourceURI and
	// for embedded instances without one.
	Form URIForm
	// Schema, when set, writes uint8 arrays of properties with the
	// OctetString qualifier as one base64 element (cimBase64Binary).
	Schema *model.Class
}

// AppendInstance appends inst as a WS-Management instance element, the
// way Windows writes instances in responses:
//
//	<p:Class xmlns:p="resourceURI" xmlns:cim=... xmlns:xsi=... xsi:type="p:Class_Type">
//
// with one child per property (an array repeats its element, NULL is
// xsi:nil, an empty array is left out as WinRM does), datetimes wrapped
// in cim:Datetime / cim:Interval / cim:Date / cim:Time, embedded instances
// as elements with xsi:type of their class, and references as endpoint
// references. All text and attribute values are escaped. An empty
// resourceURI means inst.ResourceURI, or the DMTF class URI.
func AppendInstance(dst []byte, inst *model.Instance, resourceURI string) []byte {
	return AppendInstanceWith(dst, inst, resourceURI, EncodeOptions{})
}

// AppendInstanceWith is AppendInstance with options.
func AppendInstanceWith(dst []byte, inst *model.Instance, resourceURI string, opts EncodeOptions) []byte {
	if opts.Prefix == "" {
		opts.Prefix = "p"
	}
	if resourceURI == "" {
		resourceURI = instanceURI(inst, opts.Form)
	}
	name := opts.ElementName
	if name == "" {
		name = inst.ClassName
	}
	e := encoder{opts: opts}
	dst = append(dst, '<')
	dst = append(dst, opts.Prefix...)
	dst = append(dst, ':')
	dst = append(dst, name...)
	dst = appendAttrPair(dst, "xmlns:"+opts.Prefix, resourceURI)
	dst = appendAttrPair(dst, "xmlns:cim", NsCIMCommon)
	dst = appendAttrPair(dst, "xmlns:xsi", NsXSI)
	switch {
	case opts.TypeAttr != "":
		dst = appendAttrPair(dst, "xsi:type", opts.TypeAttr)
	case !opts.NoTypeAttr:
		dst = appendAttrPair(dst, "xsi:type", opts.Prefix+":"+name+"_Type")
	}
	dst = append(dst, '>')
	dst = e.appendProperties(dst, inst, opts.Prefix, 0)
	dst = append(dst, "</"...)
	dst = append(dst, opts.Prefix...)
	dst = append(dst, ':')
	dst = append(dst, name...)
	return append(dst, '>')
}

func instanceURI(inst *model.Instance, form URIForm) string {
	if inst.ResourceURI != "" {
		return inst.ResourceURI
	}
	return ResourceURI(form, inst.Namespace, inst.ClassName)
}

type encoder struct {
	opts EncodeOptions
}

func (e *encoder) appendProperties(dst []byte, inst *model.Instance, prefix string, depth int) []byte {
	for _, p := range inst.All() {
		if !validName(p.Name) {
			continue
		}
		if depth == 0 && e.opts.Schema != nil && p.Value.IsArray() && !p.Value.IsNull() && p.Value.Type() == model.TypeUint8 {
			if d := e.opts.Schema.Property(p.Name); d != nil && isOctetString(d) {
				dst = AppendOctets(dst, prefix+":"+p.Name, p.Value)
				continue
			}
		}
		dst = e.appendProperty(dst, prefix, p.Name, p.Value, depth)
	}
	return dst
}

// appendProperty writes one property (or parameter): every element of an
// array, one nil element for NULL, nothing for an empty array.
func (e *encoder) appendProperty(dst []byte, prefix, name string, v model.Value, depth int) []byte {
	if v.IsNull() {
		dst = appendQName(append(dst, '<'), prefix, name)
		return append(dst, ` xsi:nil="true"/>`...)
	}
	if v.IsArray() {
		for _, el := range v.Elems() {
			dst = e.appendProperty(dst, prefix, name, el, depth)
		}
		return dst
	}
	return e.appendScalar(dst, prefix, name, v, depth)
}

func appendQName(dst []byte, prefix, name string) []byte {
	dst = append(dst, prefix...)
	dst = append(dst, ':')
	return append(dst, name...)
}

func (e *encoder) appendScalar(dst []byte, prefix, name string, v model.Value, depth int) []byte {
	dst = appendQName(append(dst, '<'), prefix, name)
	switch x := v.Interface().(type) {
	case *model.Instance:
		p := e.opts.Prefix + strconv.Itoa(depth+1)
		class := x.ClassName
		if !validName(class) {
			// An embedded instance of no (or an unwritable) class.
			class = "Instance"
		}
		dst = appendAttrPair(dst, "xmlns:"+p, instanceURI(x, e.opts.Form))
		dst = appendAttrPair(dst, "xsi:type", p+":"+class+"_Type")
		dst = append(dst, '>')
		dst = e.appendProperties(dst, x, p, depth+1)
	case *model.Reference:
		dst = appendAttrPair(dst, "xmlns:a", NsAddressing)
		dst = appendAttrPair(dst, "xmlns:w", NsWSMan)
		if e.opts.ValueTypes {
			dst = appendAttrPair(dst, "xsi:type", "a:EndpointReferenceType")
		}
		dst = append(dst, '>')
		dst = appendEPRContent(dst, x, e.opts.Form)
	case model.Datetime:
		text := x.Lexical()
		if isDMTFDatetime(text) {
			// Servers that sent the DMTF string form read it back bare.
			if e.opts.ValueTypes {
				dst = appendAttrPair(dst, "xsi:type", "cim:cimDateTime")
			}
			dst = append(dst, '>')
			dst = appendText(dst, text)
			break
		}
		if e.opts.ValueTypes {
			dst = appendAttrPair(dst, "xsi:type", "cim:cimDateTime")
		}
		dst = append(dst, "><cim:"...)
		dst = append(dst, datetimeElement(x.Kind)...)
		dst = append(dst, '>')
		dst = appendText(dst, text)
		dst = append(dst, "</cim:"...)
		dst = append(dst, datetimeElement(x.Kind)...)
		dst = append(dst, '>')
	default:
		if e.opts.ValueTypes {
			if t := xsiTypeName(v.Type()); t != "" {
				dst = appendAttrPair(dst, "xsi:type", t)
			}
		}
		dst = append(dst, '>')
		switch x := x.(type) {
		case string:
			dst = appendText(dst, x)
		case uint64:
			dst = strconv.AppendUint(dst, x, 10)
		case int64:
			dst = strconv.AppendInt(dst, x, 10)
		case bool:
			dst = strconv.AppendBool(dst, x)
		default:
			dst = appendText(dst, v.Text())
		}
	}
	dst = appendQName(append(dst, "</"...), prefix, name)
	return append(dst, '>')
}

// AppendOctets appends a uint8 array as a base64 element with
// xsi:type="cim:cimBase64Binary", the form octet strings take on the wire.
func AppendOctets(dst []byte, qname string, v model.Value) []byte {
	b := make([]byte, 0, v.Len())
	for _, el := range v.Elems() {
		u, _ := el.AsUint()
		b = append(b, byte(u))
	}
	dst = append(dst, '<')
	dst = append(dst, qname...)
	dst = append(dst, ` xsi:type="cim:cimBase64Binary">`...)
	dst = base64.StdEncoding.AppendEncode(dst, b)
	dst = append(dst, "</"...)
	dst = append(dst, qname...)
	return append(dst, '>')
}

// isOctetString reports the OctetString qualifier (a uint8 array sent
// as base64).
func isOctetString(d *model.PropertyDecl) bool {
	for _, q := range d.Qualifiers {
		if strings.EqualFold(q.Name, "OctetString") {
			b, ok := q.Value.AsBool()
			return !ok || b
		}
	}
	return false
}

func datetimeElement(k model.DatetimeKind) string {
	switch k {
	case model.Interval:
		return "Interval"
	case model.DateOnly:
		return "Date"
	case model.TimeOnly:
		return "Time"
	}
	return "Datetime"
}

func isDMTFDatetime(s string) bool {
	return len(s) == 25 && s[14] == '.' && (s[21] == '+' || s[21] == '-' || s[21] == ':') &&
		!strings.ContainsAny(s[:14], "-T:")
}

// cimTypeNames maps CIM types to the DSP0230 cim: schema type names.
var cimTypeNames = [...]string{
	model.TypeBoolean:  "cimBoolean",
	model.TypeUint8:    "cimUnsignedByte",
	model.TypeSint8:    "cimByte",
	model.TypeUint16:   "cimUnsignedShort",
	model.TypeSint16:   "cimShort",
	model.TypeUint32:   "cimUnsignedInt",
	model.TypeSint32:   "cimInt",
	model.TypeUint64:   "cimUnsignedLong",
	model.TypeSint64:   "cimLong",
	model.TypeReal32:   "cimFloat",
	model.TypeReal64:   "cimDouble",
	model.TypeChar16:   "cimChar16",
	model.TypeString:   "cimString",
	model.TypeDatetime: "cimDateTime",
	model.TypeInstance: "",
}

func xsiTypeName(t model.Type) string {
	if int(t) < len(cimTypeNames) && cimTypeNames[t] != "" {
		return "cim:" + cimTypeNames[t]
	}
	return ""
}
