package wsman

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"strings"
	"unsafe"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

var errTooDeep = errors.New("wsman: embedded instances nested too deeply")

// valueAttrs is what a property element's attributes say.
type valueAttrs struct {
	xsiType    string // a view of the reply (or a copy of an unescaped value)
	hasXSIType bool
	isNil      bool
	nullArray  bool   // wsmanms:IsNullArray="true"
	typeURI    string // the namespace the xsi:type's prefix is bound to on the element itself (a copy)
}

// readValueAttrs reads the attributes of the property element just
// started (the first of each name counts).
func readValueAttrs(d *xml.Decoder) valueAttrs {
	var va valueAttrs
	var hasNil, hasNullArray bool
	attrs := d.Attrs()
	for i := range attrs {
		a := &attrs[i]
		switch {
		case a.Space == NsXSI && string(a.Local) == "type" && !va.hasXSIType:
			va.xsiType, va.hasXSIType = d.Str(a.Value), true
		case a.Space == NsXSI && string(a.Local) == "nil" && !hasNil:
			hasNil = true
			v := viewString(a.Value)
			va.isNil = v == "true" || v == "1" || strings.EqualFold(v, "true")
		case a.Space == NsWSManMS && string(a.Local) == "IsNullArray" && !hasNullArray:
			hasNullArray = true
			va.nullArray = strings.EqualFold(viewString(a.Value), "true")
		}
	}
	// Where Windows declares the prefix of an embedded instance's type.
	if i := strings.IndexByte(va.xsiType, ':'); i >= 0 {
		prefix := va.xsiType[:i]
		for j := range attrs {
			if a := &attrs[j]; a.Space == "xmlns" && string(a.Local) == prefix {
				va.typeURI = string(a.Value)
				break
			}
		}
	}
	return va
}

// decodeValue decodes one property element (one element of an array)
// whose start tag was just read and whose attributes va holds; or, with
// leaf, that xmltok.Leaf read whole (its text is d.Text()).
func decodeValue(d *xml.Decoder, va *valueAttrs, decl *model.PropertyDecl, lookup SchemaFunc, depth int, leaf bool) (model.Value, error) {
	t := model.TypeUnknown
	if decl != nil {
		t = decl.Type
	}
	xsiType, hasXSIType := va.xsiType, va.hasXSIType
	if va.isNil {
		if !leaf {
			if err := skip(d); err != nil {
				return model.Value{}, err
			}
		}
		if t == model.TypeUnknown && hasXSIType {
			t, _ = typeFromXSI(xsiType)
		}
		return model.Null(t), nil
	}
	xsiLocal := xsiType
	if i := strings.IndexByte(xsiLocal, ':'); i >= 0 {
		xsiLocal = xsiLocal[i+1:]
	}
	// An embedded instance with its properties as children.
	if hasXSIType && strings.HasSuffix(xsiLocal, "_Type") && xsiLocal != "EndpointReferenceType" {
		class := strings.Clone(strings.TrimSuffix(xsiLocal, "_Type"))
		emb := &model.Instance{ClassName: class}
		if uri := va.typeURI; uri != "" {
			emb.ResourceURI = uri
			emb.Namespace, _ = ParseResourceURI(uri)
		}
		var sch *model.Class
		if lookup != nil {
			sch = lookup(class)
		}
		from := propsNext
		if leaf {
			from = propsEnded
		}
		if err := decodePropertiesFrom(d, emb, sch, lookup, depth+1, from); err != nil {
			return model.Value{}, err
		}
		return model.Embedded(emb), nil
	}
	if leaf {
		return textValue(d, d.Text(), t, decl, xsiLocal, hasXSIType)
	}

	// Text, or a single wrapper child (cim:Datetime, an EPR, an instance).
	// Most values are one text token: a view of the reply, kept (copied
	// into the instance's block) only when the value holds text.
	var text textRun
	for {
		k, err := nextKind(d)
		if err != nil {
			return model.Value{}, err
		}
		switch k {
		case xml.Text:
			text.add(d.Text())
		case xml.StartTag:
			return decodeComplex(d, d.Start(), decl, lookup, depth)
		case xml.EndTag:
			return textValue(d, text.bytes(), t, decl, xsiLocal, hasXSIType)
		}
	}
}

// textValue is the value of a property element holding the text raw
// (a view of the reply): t is the schema's type, xsiLocal the xsi:type's
// local name.
func textValue(d *xml.Decoder, raw []byte, t model.Type, decl *model.PropertyDecl, xsiLocal string, hasXSIType bool) (model.Value, error) {
	// The common cases first: a declared string, a declared integer in
	// plain decimal (anything else takes the general way below, which
	// says what is wrong).
	if !hasXSIType {
		switch {
		case t == model.TypeString:
			return model.String(d.Keep(raw)), nil
		case t.IsInteger():
			if v, ok := plainInteger(t, raw); ok {
				return v, nil
			}
		}
	}
	et := t
	if et == model.TypeUnknown && hasXSIType {
		et, _ = typeFromXSI(xsiLocal)
	}
	number := isNumber(et)
	var s string
	if number {
		s = viewString(raw) // parsed into a number, not kept
	} else {
		s = d.Keep(raw)
	}
	if decl != nil && decl.Array && t == model.TypeUint8 && isOctetString(decl) {
		// An octet string without xsi:type: base64 when it is not a
		// plain number.
		if v, err := model.ParseOctets(s); err == nil && !isDecimal(s) {
			return v, nil
		}
	}
	v, err := typedText(s, t, xsiLocal, hasXSIType)
	if number {
		if tm, ok := err.(*typeMismatch); ok {
			tm.text = strings.Clone(tm.text) // s is a view of the reply
		}
		v = keepText(d, v)
	}
	return v, err
}

// plainInteger parses an integer of type t written as plain decimal
// digits (a minus sign for signed types) that fits t; ok is false for
// anything else, which model.ParseScalar judges.
func plainInteger(t model.Type, b []byte) (model.Value, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' && t.IsSigned() {
		neg, b = true, b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return model.Value{}, false
	}
	var n uint64
	// Eight digits at a time (SWAR), then one at a time.
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		if nonDigit(x) != 8 {
			return model.Value{}, false // a byte that is not a digit
		}
		n = n*100000000 + digits8(x-0x3030303030303030)
		b = b[8:]
	}
	for _, c := range b {
		c -= '0'
		if c > 9 {
			return model.Value{}, false
		}
		n = n*10 + uint64(c)
	}
	bits := t.Bits()
	if !t.IsSigned() {
		if bits < 64 && n >= 1<<bits {
			return model.Value{}, false
		}
		return model.Uint(t, n), true
	}
	limit := uint64(1) << (bits - 1) // |min|; max is limit-1
	if n > limit || (!neg && n == limit) {
		return model.Value{}, false
	}
	i := int64(n)
	if neg {
		i = -i
	}
	return model.Sint(t, i), true
}

// scanInteger reads an integer of type t written in b from pos as
// plainInteger accepts one (an optional '-' for a signed type, then 1 to
// 19 digits), eight bytes at a time: its value and the offset of the
// first byte after the digits. ok is false when there is no such
// integer there, when it is out of t's range, or when fewer than 16
// bytes follow (the caller then reads the text another way; a hole is
// followed by at least the end of its item).
func scanInteger(t model.Type, b []byte, pos int) (v model.Value, end int, ok bool) {
	neg := false
	if pos < len(b) && b[pos] == '-' && t.IsSigned() {
		neg = true
		pos++
	}
	// Most integers are up to 16 digits: two words, unrolled.
	if len(b)-pos < 16 {
		return model.Value{}, 0, false
	}
	x := binary.LittleEndian.Uint64(b[pos:])
	var n uint64
	k := nonDigit(x)
	switch {
	case k == 0:
		return model.Value{}, 0, false
	case k < 8:
		n = digits8((x - 0x3030303030303030) << ((64 - 8*k) & 63))
		end = pos + k
	default:
		n = digits8(x - 0x3030303030303030)
		y := binary.LittleEndian.Uint64(b[pos+8:])
		k = nonDigit(y)
		if k == 8 {
			// 16 digits and more: the rest one at a time, up to 19 as
			// plainInteger (19 fit in 64 bits, 20 may not).
			n = n*100000000 + digits8(y-0x3030303030303030)
			end = pos + 16
			for end < len(b) && b[end]-'0' <= 9 {
				if end-pos == 19 {
					return model.Value{}, 0, false
				}
				n = n*10 + uint64(b[end]-'0')
				end++
			}
			if end == len(b) {
				return model.Value{}, 0, false
			}
			break
		}
		if k > 0 {
			n = n*pow10[k&7] + digits8((y-0x3030303030303030)<<((64-8*k)&63))
		}
		end = pos + 8 + k
	}
	// plainInteger's range check, written out again: made a function
	// for both, the call cost 400 instructions an instance of
	// Win32_Process (about 2% of decoding by shape).
	width := t.Bits()
	if !t.IsSigned() {
		if width < 64 && n >= 1<<width {
			return model.Value{}, 0, false
		}
		return model.Uint(t, n), end, true
	}
	limit := uint64(1) << (width - 1) // |min|; max is limit-1
	if n > limit || (!neg && n == limit) {
		return model.Value{}, 0, false
	}
	i := int64(n)
	if neg {
		i = -i
	}
	return model.Sint(t, i), end, true
}

// nonDigit returns the index of the first byte of x (read little endian)
// that is not an ASCII digit, 8 if all are. The high nibble of such a
// byte ends up non-zero below: a digit is 0x30..0x39, its high nibble 3,
// and 3 still after adding 6; a carry out of a byte from 0xFA up goes
// into the bytes above it, which come after it.
func nonDigit(x uint64) int {
	nd := ((x & 0xF0F0F0F0F0F0F0F0) ^ 0x3030303030303030) | (((x + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) ^ 0x3030303030303030)
	return bits.TrailingZeros64(nd) >> 3
}

// digits8 converts eight digit values (0..9, one a byte, the first the
// most significant: little endian as read) to their number. Digits
// shifted to the top with zero bytes below read as the same number with
// leading zeros.
func digits8(x uint64) uint64 {
	x = (x*10 + x>>8) & 0x00FF00FF00FF00FF
	x = (x*100 + x>>16) & 0x0000FFFF0000FFFF
	return (x*10000 + x>>32) & 0xFFFFFFFF
}

var pow10 = [8]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000}

// isNumber reports the types whose values hold no text once parsed.
func isNumber(t model.Type) bool {
	switch t {
	case model.TypeUint8, model.TypeUint16, model.TypeUint32, model.TypeUint64,
		model.TypeSint8, model.TypeSint16, model.TypeSint32, model.TypeSint64,
		model.TypeReal32, model.TypeReal64, model.TypeBoolean, model.TypeChar16:
		return true
	}
	return false
}

// keepText copies a value that stayed text (a number that did not parse)
// out of the reply's memory.
func keepText(d *xml.Decoder, v model.Value) model.Value {
	s, ok := v.AsString()
	if !ok {
		return v
	}
	k := d.Keep(unsafe.Slice(unsafe.StringData(s), len(s)))
	if v.Type() == model.TypeUnknown {
		return model.Untyped(k)
	}
	return model.String(k)
}

// viewString returns a string sharing b's memory, for text that is
// looked at and not kept.
func viewString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// decodeComplex decodes a property whose first child is an element.
func decodeComplex(d *xml.Decoder, child xml.StartElement, decl *model.PropertyDecl, lookup SchemaFunc, depth int) (model.Value, error) {
	switch {
	case child.Name.Local == "Datetime" || child.Name.Local == "Interval" ||
		child.Name.Local == "Date" || child.Name.Local == "Time":
		s, err := readTrimmed(d)
		if err != nil {
			return model.Value{}, err
		}
		if err := skipRest(d); err != nil {
			return model.Value{}, err
		}
		// The wrapper declares the type: text that is not a datetime
		// is an error, whatever the schema says.
		dt, perr := model.ParseDatetime(s)
		if perr != nil {
			return model.Value{}, &typeMismatch{text: s, typ: model.TypeDatetime}
		}
		return model.DatetimeValue(dt), nil
	case child.Name.Space == NsAddressing && (child.Name.Local == "Address" || child.Name.Local == "ReferenceParameters" || child.Name.Local == "ReferenceProperties"):
		ref := &model.Reference{}
		if err := decodeEPRChild(d, child, ref); err != nil {
			return model.Value{}, err
		}
		if err := decodeEPRBody(d, ref); err != nil {
			return model.Value{}, err
		}
		return model.Ref(ref), nil
	case child.Name.Space == NsAddressing && child.Name.Local == "EndpointReference":
		ref, err := DecodeEPR(d, child)
		if err != nil {
			return model.Value{}, err
		}
		if err := skipRest(d); err != nil {
			return model.Value{}, err
		}
		return model.Ref(ref), nil
	}
	// An embedded instance without xsi:type: the property element holds
	// the properties (DSP0230), the first of which is child.
	if depth >= maxDepth {
		return model.Value{}, errTooDeep
	}
	emb := &model.Instance{}
	if decl != nil && decl.EmbeddedClass != "" {
		emb.ClassName = decl.EmbeddedClass
	}
	var sch *model.Class
	if lookup != nil && emb.ClassName != "" {
		sch = lookup(emb.ClassName)
	}
	if err := decodePropertiesFrom(d, emb, sch, lookup, depth+1, propsAtStart); err != nil {
		return model.Value{}, err
	}
	return model.Embedded(emb), nil
}

// skipRest consumes the remainder of the current element (ignoring any
// further children) through its end tag.
func skipRest(d *xml.Decoder) error {
	depth := 0
	for {
		k, err := nextKind(d)
		if err != nil {
			return err
		}
		switch k {
		case xml.StartTag:
			depth++
		case xml.EndTag:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// typedText types the text of a simple property element by its declared
// type: the schema's, else the xsi:type's. Text that does not fit the
// type (uint8 300, boolean "maybe", a datetime that is not one) is a
// *typeMismatch: a value is never silently kept as a string under a
// declared type. Without either, text stays untyped. The encodings real
// servers use parse (model.ParseScalar): TRUE/FALSE, char16 as a number,
// DMTF datetimes with wildcards, bare OMI datetimes and intervals.
func typedText(text string, t model.Type, xsiLocal string, hasXSIType bool) (model.Value, error) {
	base64 := hasXSIType && (strings.EqualFold(xsiLocal, "cimBase64Binary") || strings.EqualFold(xsiLocal, "base64Binary"))
	if t == model.TypeUnknown && hasXSIType {
		if base64 {
			v, err := model.ParseOctets(text)
			if err != nil {
				return model.Value{}, &typeMismatch{text: text, typ: model.TypeUint8, what: "base64 octet string"}
			}
			return v, nil
		}
		t, _ = typeFromXSI(xsiLocal)
	}
	switch t {
	case model.TypeUnknown:
		return model.Untyped(text), nil
	case model.TypeString:
		return model.String(text), nil
	case model.TypeInstance, model.TypeReference:
		// Old servers send embedded objects as CIM-XML text.
		return model.String(text), nil
	case model.TypeUint8:
		if base64 {
			if v, err := model.ParseOctets(text); err == nil {
				return v, nil
			}
		}
	}
	v, err := model.ParseScalar(t, text)
	if err != nil {
		return model.Value{}, &typeMismatch{text: text, typ: t}
	}
	return v, nil
}

// typeMismatch is a value's text that does not fit its declared type;
// decodeProperties names the class and property (ValueError).
type typeMismatch struct {
	text string
	typ  model.Type
	what string // the type in words, when not typ's name
}

func (e *typeMismatch) Error() string {
	return "wsman: " + quoteValue(e.text) + " is not a valid " + e.typeName()
}

func (e *typeMismatch) typeName() string {
	if e.what != "" {
		return e.what
	}
	return e.typ.String()
}

// ValueError is a property value that does not fit its declared CIM type
// (from the class schema or xsi:type): the reply is refused rather than
// the value kept as a string.
type ValueError struct {
	Class    string // the instance's class ("" when the server named none)
	Property string
	Value    string // the text the server sent
	Type     string // the declared type, such as "uint8"
}

func (e *ValueError) Error() string { return "wsman: " + e.Reason() }

// Reason says what is wrong in a user's words (no package prefix), with
// the server's names and value quoted and bounded.
func (e *ValueError) Reason() string {
	where := quoteName(e.Property)
	if e.Class != "" {
		where = "class " + quoteName(e.Class) + " property " + where
	} else {
		where = "property " + where
	}
	return where + ": the server sent " + quoteValue(e.Value) + ", which is not a valid " + e.Type
}

func isDecimal(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// typeFromXSI maps an xsi:type (cim: or xs: names, any prefix) to a CIM
// type.
func typeFromXSI(xsiType string) (model.Type, bool) {
	if i := strings.IndexByte(xsiType, ':'); i >= 0 {
		xsiType = xsiType[i+1:]
	}
	s := strings.ToLower(xsiType)
	s = strings.TrimPrefix(s, "cim")
	switch s {
	case "boolean":
		return model.TypeBoolean, true
	case "byte":
		return model.TypeSint8, true
	case "unsignedbyte":
		return model.TypeUint8, true
	case "short":
		return model.TypeSint16, true
	case "unsignedshort":
		return model.TypeUint16, true
	case "int":
		return model.TypeSint32, true
	case "unsignedint":
		return model.TypeUint32, true
	case "long":
		return model.TypeSint64, true
	case "unsignedlong":
		return model.TypeUint64, true
	case "float":
		return model.TypeReal32, true
	case "double":
		return model.TypeReal64, true
	case "char16":
		return model.TypeChar16, true
	case "string":
		return model.TypeString, true
	case "datetime":
		return model.TypeDatetime, true
	case "reference", "endpointreferencetype":
		return model.TypeReference, true
	}
	return model.TypeUnknown, false
}
