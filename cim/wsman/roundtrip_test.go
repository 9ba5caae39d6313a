package wsman

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/cimsh/cimsh/cim/model"
)

// allKindsSchema declares one property of every kind.
func allKindsSchema() *model.Class {
	return &model.Class{Name: "X_AllKinds", Namespace: "root/test", Properties: []model.PropertyDecl{
		{Name: "Key", Type: model.TypeString, Key: true},
		{Name: "B", Type: model.TypeBoolean},
		{Name: "U8", Type: model.TypeUint8},
		{Name: "S8", Type: model.TypeSint8},
		{Name: "U16", Type: model.TypeUint16},
		{Name: "S16", Type: model.TypeSint16},
		{Name: "U32", Type: model.TypeUint32},
		{Name: "S32", Type: model.TypeSint32},
		{Name: "U64", Type: model.TypeUint64},
		{Name: "S64", Type: model.TypeSint64},
		{Name: "R32", Type: model.TypeReal32},
		{Name: "R64", Type: model.TypeReal64},
		{Name: "C16", Type: model.TypeChar16},
		{Name: "Str", Type: model.TypeString},
		{Name: "When", Type: model.TypeDatetime},
		{Name: "Span", Type: model.TypeDatetime},
		{Name: "DMTF", Type: model.TypeDatetime},
		{Name: "Nothing", Type: model.TypeUint32},
		{Name: "One", Type: model.TypeUint16, Array: true},
		{Name: "Many", Type: model.TypeSint64, Array: true},
		{Name: "NullArr", Type: model.TypeString, Array: true},
		{Name: "Ref", Type: model.TypeReference, RefClass: "Win32_Service"},
		{Name: "Emb", Type: model.TypeInstance, EmbeddedClass: "X_Small"},
		{Name: "Strs", Type: model.TypeString, Array: true},
	}}
}

func allKindsInstance(t *testing.T) *model.Instance {
	when, err := model.ParseDatetime("2001-01-01T01:01:01.000001+13:50")
	if err != nil {
		t.Fatal(err)
	}
	span, _ := model.ParseDatetime("P1DT2H3M4.5S")
	dmtf, _ := model.ParseDatetime("20130415162843.488171+060")
	small := &model.Instance{ClassName: "X_Small", ResourceURI: PrefixDMTFClass + "X_Small"}
	small.Set("Value", model.Uint(model.TypeUint32, 7))
	small.Set("Name", model.String("seven & <7>"))
	inst := model.NewInstance("X_AllKinds", "root/test")
	inst.SetKey("Key", model.String(`a"b'c<d>&e`))
	inst.Set("B", model.Bool(true))
	inst.Set("U8", model.Uint(model.TypeUint8, 255))
	inst.Set("S8", model.Sint(model.TypeSint8, -128))
	inst.Set("U16", model.Uint(model.TypeUint16, 65535))
	inst.Set("S16", model.Sint(model.TypeSint16, -32768))
	inst.Set("U32", model.Uint(model.TypeUint32, 4294967295))
	inst.Set("S32", model.Sint(model.TypeSint32, math.MinInt32))
	inst.Set("U64", model.Uint(model.TypeUint64, math.MaxUint64))
	inst.Set("S64", model.Sint(model.TypeSint64, math.MinInt64))
	inst.Set("R32", model.Real(model.TypeReal32, float64(float32(3.25))))
	inst.Set("R64", model.Real(model.TypeReal64, 1.0000000000000002))
	inst.Set("C16", model.Char16('A'))
	inst.Set("Str", model.String("line1\nline2\ttab\r ]]> \x01ctl é"))
	inst.Set("When", model.DatetimeValue(when))
	inst.Set("Span", model.DatetimeValue(span))
	inst.Set("DMTF", model.DatetimeValue(dmtf))
	inst.Set("Nothing", model.Null(model.TypeUint32))
	inst.Set("One", model.Array(model.TypeUint16, []model.Value{model.Uint(model.TypeUint16, 5)}))
	inst.Set("Many", model.Array(model.TypeSint64, []model.Value{model.Sint(model.TypeSint64, math.MinInt64), model.Sint(model.TypeSint64, math.MaxInt64)}))
	inst.Set("NullArr", model.NullArray(model.TypeString))
	inst.Set("Ref", model.Ref(&model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2",
		Selectors: []model.Selector{{Name: "Name", Value: "WinRM & co"}}}))
	inst.Set("Emb", model.Embedded(small))
	inst.Set("Strs", model.Array(model.TypeString, []model.Value{model.String("x"), model.Null(model.TypeString), model.String("")}))
	return inst
}

func decodeXMLInstance(t *testing.T, b []byte, schema *model.Class, lookup SchemaFunc) *model.Instance {
	t.Helper()
	d := NewDecoder(b)
	se, ok, err := findStart(d)
	if err != nil || !ok {
		t.Fatalf("findStart: %v\n%s", err, b)
	}
	inst, err := DecodeInstanceWith(d, se, schema, lookup)
	if err != nil {
		t.Fatalf("DecodeInstance: %v\n%s", err, b)
	}
	return inst
}

func TestRoundTripWithSchema(t *testing.T) {
	schema := allKindsSchema()
	in := allKindsInstance(t)
	x1 := AppendInstance(nil, in, "")
	small := &model.Class{Name: "X_Small", Properties: []model.PropertyDecl{{Name: "Value", Type: model.TypeUint32}, {Name: "Name", Type: model.TypeString}}}
	lookup := func(class string) *model.Class {
		if class == "X_Small" {
			return small
		}
		return nil
	}
	out := decodeXMLInstance(t, x1, schema, lookup)
	for _, p := range in.All() {
		got, ok := out.Get(p.Name)
		if !ok {
			t.Errorf("%s missing after round trip", p.Name)
			continue
		}
		if !model.Equal(got, p.Value) {
			t.Errorf("%s: got %v (%v, array %v), want %v (%v)", p.Name, got, got.Type(), got.IsArray(), p.Value, p.Value.Type())
		}
	}
	if u, _ := prop(t, out, "U64").AsUint(); u != math.MaxUint64 {
		t.Errorf("U64 = %d", u)
	}
	if i, _ := prop(t, out, "S64").AsInt(); i != math.MinInt64 {
		t.Errorf("S64 = %d", i)
	}
	if s, _ := prop(t, out, "Str").AsString(); s != "line1\nline2\ttab\r ]]> \x01ctl é" {
		t.Errorf("Str = %q", s)
	}
	// Byte for byte: decode -> AppendInstance -> decode -> AppendInstance.
	x2 := AppendInstance(nil, out, "")
	if !bytes.Equal(x1, x2) {
		t.Errorf("second encoding differs:\n%s\n%s", x1, x2)
	}
	for _, want := range []string{
		`<p:U64>18446744073709551615</p:U64>`, `<p:S64>-9223372036854775808</p:S64>`,
		`<p:When><cim:Datetime>2001-01-01T01:01:01.000001+13:50</cim:Datetime></p:When>`,
		`<p:Span><cim:Interval>P1DT2H3M4.5S</cim:Interval></p:Span>`,
		`<p:DMTF>20130415162843.488171+060</p:DMTF>`,
		`<p:Nothing xsi:nil="true"/>`, `<p:NullArr xsi:nil="true"/>`,
		`<p:Key>a"b'c&lt;d&gt;&amp;e</p:Key>`, `&#1;ctl`, `&#13;`,
		`xsi:type="p1:X_Small_Type"`, `<a:Address>` + AnonymousAddress + `</a:Address>`,
		`<w:Selector Name="__cimnamespace">root/cimv2</w:Selector><w:Selector Name="Name">WinRM &amp; co</w:Selector>`,
	} {
		if !bytes.Contains(x1, []byte(want)) {
			t.Errorf("encoding lacks %s", want)
		}
	}
	if bytes.Contains(x1, []byte(">\n")) || bytes.Contains(x1, []byte("> <")) {
		t.Errorf("encoding is indented")
	}
}

func TestRoundTripSchemaLessWithValueTypes(t *testing.T) {
	in := allKindsInstance(t)
	x := AppendInstanceWith(nil, in, "", EncodeOptions{ValueTypes: true})
	out := decodeXMLInstance(t, x, nil, nil)
	for _, name := range []string{"B", "U8", "S8", "U16", "S16", "U32", "S32", "U64", "S64", "R32", "R64", "C16", "Str", "When", "Span", "Many", "Ref"} {
		got, want := prop(t, out, name), prop(t, in, name)
		if !model.Equal(got, want) {
			t.Errorf("%s: got %v (%v), want %v (%v)", name, got, got.Type(), want, want.Type())
		}
	}
	emb, ok := prop(t, out, "Emb").AsInstance()
	if !ok || emb.ClassName != "X_Small" || emb.ResourceURI != PrefixDMTFClass+"X_Small" {
		t.Fatalf("Emb = %v", prop(t, out, "Emb"))
	}
	if u, _ := prop(t, emb, "Value").AsUint(); u != 7 {
		t.Errorf("Emb.Value = %v", prop(t, emb, "Value"))
	}
	wantText(t, emb, "Name", "seven & <7>")
	// Without a schema a one-element array reads as a scalar: the
	// schema is what keeps it an array.
	wantType(t, out, "One", model.TypeUint16, false)
}

func TestSchemaLessTyping(t *testing.T) {
	x := `<p:C xmlns:p="` + PrefixDMTFClass + `C" xmlns:xsi="` + NsXSI + `" xmlns:cim="` + NsCIMCommon + `">` +
		`<p:Bin xsi:type="cim:cimBase64Binary">AQL/</p:Bin>` +
		`<p:U xsi:type="cim:cimUnsignedLong">18446744073709551615</p:U>` +
		`<p:Up xsi:type="xs:unsignedInt">42</p:Up>` +
		`<p:Bo xsi:type="cim:cimBoolean">TRUE</p:Bo>` +
		`<p:D><cim:Date>2020-02-29</cim:Date></p:D>` +
		`<p:T><cim:Time>12:30:00Z</cim:Time></p:T>` +
		`<p:Arr p2:IsNullArray="true" xmlns:p2="` + NsWSManMS + `" xsi:nil="true"/>` +
		`<p:Text>plain</p:Text></p:C>`
	inst := decodeXMLInstance(t, []byte(x), nil, nil)
	bin := prop(t, inst, "Bin")
	if !bin.IsArray() || bin.Type() != model.TypeUint8 || bin.Len() != 3 || bin.Elems()[2].Text() != "255" {
		t.Errorf("Bin = %v (%v)", bin, bin.Type())
	}
	if u, _ := prop(t, inst, "U").AsUint(); u != math.MaxUint64 {
		t.Errorf("U = %v", prop(t, inst, "U"))
	}
	wantType(t, inst, "Up", model.TypeUint32, false)
	if b, _ := prop(t, inst, "Bo").AsBool(); !b {
		t.Errorf("Bo = %v", prop(t, inst, "Bo"))
	}
	if d, _ := prop(t, inst, "D").AsDatetime(); d.Kind != model.DateOnly {
		t.Errorf("D = %v", prop(t, inst, "D"))
	}
	if d, _ := prop(t, inst, "T").AsDatetime(); d.Kind != model.TimeOnly {
		t.Errorf("T = %v", prop(t, inst, "T"))
	}
	arr := prop(t, inst, "Arr")
	if !arr.IsArray() || !arr.IsNull() {
		t.Errorf("Arr = %v, want a NULL array", arr)
	}
	wantType(t, inst, "Text", model.TypeUnknown, false)
	// Octets written back as base64.
	out := AppendOctets(nil, "p:Bin", bin)
	if string(out) != `<p:Bin xsi:type="cim:cimBase64Binary">AQL/</p:Bin>` {
		t.Errorf("AppendOctets = %s", out)
	}
}

func TestOMIControlCharacterReferences(t *testing.T) {
	x := `<p:C xmlns:p="` + PrefixDMTFClass + `C"><p:S>a&#1;b&#x1F;c&#9;d&amp;</p:S><p:R>x` + "\x02" + `y</p:R></p:C>`
	inst := decodeXMLInstance(t, []byte(x), nil, nil)
	if s, _ := prop(t, inst, "S").AsString(); s != "a\x01b\x1fc\td&" {
		t.Errorf("S = %q", s)
	}
	if s, _ := prop(t, inst, "R").AsString(); s != "x\x02y" {
		t.Errorf("R = %q", s)
	}
}

func TestEscaping(t *testing.T) {
	tests := []struct{ in, text, attr string }{
		{`<a&b>`, `&lt;a&amp;b&gt;`, `&lt;a&amp;b&gt;`},
		{`"q"`, `"q"`, `&quot;q&quot;`},
		{"t\tn\nr\r", "t\tn\nr&#13;", "t&#9;n&#10;r&#13;"},
		{"\x00\x1f", "&#0;&#31;", "&#0;&#31;"},
		{"bad\xffutf8", "bad\uFFFDutf8", "bad\uFFFDutf8"},
		{"é€𝄞", "é€𝄞", "é€𝄞"},
	}
	for _, tc := range tests {
		if got := string(appendText(nil, tc.in)); got != tc.text {
			t.Errorf("appendText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := string(appendAttr(nil, tc.in)); got != tc.attr {
			t.Errorf("appendAttr(%q) = %q, want %q", tc.in, got, tc.attr)
		}
	}
}

func TestDatetimeLocalValuesEncode(t *testing.T) {
	inst := model.NewInstance("C", "")
	inst.Set("T", model.DatetimeValue(model.NewTimestamp(time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC))))
	inst.Set("I", model.DatetimeValue(model.NewInterval(100*time.Second)))
	x := string(AppendInstance(nil, inst, ""))
	for _, want := range []string{"<cim:Datetime>2024-02-29T23:59:58.123456Z</cim:Datetime>", "<cim:Interval>P0DT0H1M40S</cim:Interval>"} {
		if !strings.Contains(x, want) {
			t.Errorf("%s lacks %s", x, want)
		}
	}
}

func TestOctetStringBySchema(t *testing.T) {
	schema := &model.Class{Name: "C", Properties: []model.PropertyDecl{{Name: "Octets", Type: model.TypeUint8, Array: true,
		Qualifiers: []model.Qualifier{{Name: "OctetString", Value: model.Bool(true)}}}, {Name: "Plain", Type: model.TypeUint8, Array: true}}}
	inst := model.NewInstance("C", "")
	octets := model.Array(model.TypeUint8, []model.Value{model.Uint(model.TypeUint8, 0), model.Uint(model.TypeUint8, 255)})
	inst.Set("Octets", octets)
	inst.Set("Plain", octets)
	x := AppendInstanceWith(nil, inst, "", EncodeOptions{Schema: schema})
	if !bytes.Contains(x, []byte(`<p:Octets xsi:type="cim:cimBase64Binary">AP8=</p:Octets>`)) || !bytes.Contains(x, []byte(`<p:Plain>0</p:Plain><p:Plain>255</p:Plain>`)) {
		t.Errorf("encoding = %s", x)
	}
	// Base64 without xsi:type, typed by the qualifier.
	bare := `<p:C xmlns:p="u"><p:Octets>AP8=</p:Octets><p:Plain>7</p:Plain></p:C>`
	out := decodeXMLInstance(t, []byte(bare), schema, nil)
	if !model.Equal(prop(t, out, "Octets"), octets) {
		t.Errorf("Octets = %v", prop(t, out, "Octets"))
	}
	if p := prop(t, out, "Plain"); !p.IsArray() || p.Len() != 1 || p.Elems()[0].Text() != "7" {
		t.Errorf("Plain = %v", p)
	}
}

func TestUTF16AndLatin1Bodies(t *testing.T) {
	doc := `<?xml version="1.0" encoding="utf-16"?><p:C xmlns:p="u"><p:S>Grüße ✓</p:S></p:C>`
	units := utf16.Encode([]rune(doc))
	le := []byte{0xFF, 0xFE}
	for _, u := range units {
		le = append(le, byte(u), byte(u>>8))
	}
	inst := decodeXMLInstance(t, le, nil, nil)
	wantText(t, inst, "S", "Grüße ✓")
	latin := append([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><p:C xmlns:p="u"><p:S>Gr`), 0xFC, 'n')
	latin = append(latin, []byte(`</p:S></p:C>`)...)
	inst = decodeXMLInstance(t, latin, nil, nil)
	wantText(t, inst, "S", "Grün")
}
