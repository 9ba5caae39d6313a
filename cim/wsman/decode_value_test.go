package wsman

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// valueCases are texts servers send for values of each CIM type: what
// must decode (with its text after decoding) and what must be refused.
// They exercise the value layer alone (typedText), whatever tokenizer
// reads the XML.
var valueCases = []struct {
	typ  model.Type
	text string
	want string // the value's Text(); "" with bad
	bad  bool
}{
	{model.TypeUint8, "0", "0", false},
	{model.TypeUint8, "255", "255", false},
	{model.TypeUint8, " 7\n", "7", false},
	{model.TypeUint8, "+5", "5", false},
	{model.TypeUint8, "300", "", true},
	{model.TypeUint8, "256", "", true},
	{model.TypeUint8, "-1", "", true},
	{model.TypeUint8, "", "", true},
	{model.TypeUint8, "1.5", "", true},
	{model.TypeUint8, "0x10", "", true},
	{model.TypeUint16, "65535", "65535", false},
	{model.TypeUint16, "65536", "", true},
	{model.TypeUint32, "4294967295", "4294967295", false},
	{model.TypeUint32, "-1", "", true},
	{model.TypeUint32, "4294967296", "", true},
	{model.TypeUint32, "twelve", "", true},
	{model.TypeUint64, "18446744073709551615", "18446744073709551615", false},
	{model.TypeUint64, "18446744073709551616", "", true}, // 2^64
	{model.TypeUint64, "-0", "", true},
	{model.TypeSint8, "-128", "-128", false},
	{model.TypeSint8, "127", "127", false},
	{model.TypeSint8, "-129", "", true},
	{model.TypeSint8, "128", "", true},
	{model.TypeSint16, "-32768", "-32768", false},
	{model.TypeSint16, "32768", "", true},
	{model.TypeSint32, "-2147483648", "-2147483648", false},
	{model.TypeSint32, "2147483648", "", true},
	{model.TypeSint64, "-9223372036854775808", "-9223372036854775808", false},
	{model.TypeSint64, "9223372036854775808", "", true},
	{model.TypeBoolean, "true", "true", false},
	{model.TypeBoolean, "false", "false", false},
	{model.TypeBoolean, "TRUE", "true", false}, // OMI
	{model.TypeBoolean, "FALSE", "false", false},
	{model.TypeBoolean, "1", "true", false}, // xs:boolean
	{model.TypeBoolean, "0", "false", false},
	{model.TypeBoolean, "maybe", "", true},
	{model.TypeBoolean, "yes", "", true},
	{model.TypeBoolean, "", "", true},
	{model.TypeReal32, "3.5", "3.5", false},
	{model.TypeReal32, "3.4028235e38", "3.4028235e+38", false},
	{model.TypeReal32, "INF", "INF", false},
	{model.TypeReal32, "-INF", "-INF", false},
	{model.TypeReal32, "NaN", "NaN", false},
	{model.TypeReal32, "3.5e38", "", true}, // overflows a real32
	{model.TypeReal32, "1e39", "", true},
	{model.TypeReal32, "abc", "", true},
	{model.TypeReal64, "1.7976931348623157e308", "1.7976931348623157e+308", false},
	{model.TypeReal64, "1e309", "", true},
	{model.TypeChar16, "65", "65", false}, // OMI: a number (Text is the code)
	{model.TypeChar16, "A", "65", false},
	{model.TypeChar16, "é", "233", false},
	{model.TypeChar16, "65536", "", true},
	{model.TypeChar16, "AB", "", true},
	{model.TypeChar16, "\U0001F600", "", true}, // not one UTF-16 unit
	{model.TypeChar16, "", "", true},
	{model.TypeDatetime, "2013-04-15T16:28:43.488171Z", "", false},
	{model.TypeDatetime, "2001-01-01T01:01:01.000001+13:50", "", false}, // OMI, bare
	{model.TypeDatetime, "P2000D", "", false},                           // OMI interval, bare
	{model.TypeDatetime, "P0DT0H1M40S", "", false},
	{model.TypeDatetime, "20130415162843.488171+060", "", false}, // DMTF
	{model.TypeDatetime, "20231231******.******+000", "", false}, // DMTF wildcards
	{model.TypeDatetime, "00000001020304.000000:000", "", false}, // DMTF interval
	{model.TypeDatetime, "2013-04-15", "", false},
	{model.TypeDatetime, "16:28:43Z", "", false},
	{model.TypeDatetime, "2001-25-00", "", true},
	{model.TypeDatetime, "yesterday", "", true},
	{model.TypeDatetime, "P1Q", "", true},
	{model.TypeDatetime, "", "", true},
	{model.TypeString, "anything \x01 at all", "anything \x01 at all", false},
	{model.TypeUnknown, "300", "300", false},
}

func TestTypedTextChecksValues(t *testing.T) {
	for _, c := range valueCases {
		v, err := typedText(c.text, c.typ, "", false)
		switch {
		case c.bad && err == nil:
			t.Errorf("%s %q: accepted as %v (%v)", c.typ, c.text, v, v.Type())
		case c.bad:
			var tm *typeMismatch
			if !errors.As(err, &tm) || tm.typ != c.typ || tm.text != c.text {
				t.Errorf("%s %q: error %v", c.typ, c.text, err)
			}
		case err != nil:
			t.Errorf("%s %q: %v", c.typ, c.text, err)
		case c.typ != model.TypeUnknown && v.Type() != c.typ:
			t.Errorf("%s %q: typed %v", c.typ, c.text, v.Type())
		case c.want != "" && v.Text() != c.want:
			t.Errorf("%s %q: text %q, want %q", c.typ, c.text, v.Text(), c.want)
		}
	}
}

// TestTypedTextByXSIType: without a schema the xsi:type declares the
// type, and is checked the same way; an xsi:type this package does not
// map leaves the text untyped.
func TestTypedTextByXSIType(t *testing.T) {
	tests := []struct {
		xsi, text string
		typ       model.Type
		bad       bool
	}{
		{"cimUnsignedByte", "300", model.TypeUint8, true},
		{"unsignedByte", "200", model.TypeUint8, false},
		{"cimUnsignedInt", "-1", model.TypeUint32, true},
		{"cimBoolean", "maybe", model.TypeBoolean, true},
		{"boolean", "TRUE", model.TypeBoolean, false},
		{"cimDateTime", "not a date", model.TypeDatetime, true},
		{"cimChar16", "65", model.TypeChar16, false},
		{"cimBase64Binary", "AQID", model.TypeUint8, false},
		{"cimBase64Binary", "!!not base64!!", model.TypeUint8, true},
		{"anyURI", "not checked", model.TypeUnknown, false},
		{"cimString", "x", model.TypeString, false},
	}
	for _, tt := range tests {
		v, err := typedText(tt.text, model.TypeUnknown, tt.xsi, true)
		if (err != nil) != tt.bad {
			t.Errorf("xsi:type %s %q: err %v, want bad=%v", tt.xsi, tt.text, err, tt.bad)
			continue
		}
		if err == nil && v.Type() != tt.typ {
			t.Errorf("xsi:type %s %q: typed %v, want %v", tt.xsi, tt.text, v.Type(), tt.typ)
		}
	}
}

// decodeOne decodes one instance element with a schema.
func decodeOne(xmlText string, schema *model.Class, lookup SchemaFunc) (*model.Instance, error) {
	d := NewDecoder([]byte(xmlText))
	se, ok, err := findStart(d)
	if err != nil || !ok {
		return nil, err
	}
	return DecodeInstanceWith(d, se, schema, lookup)
}

const valueNS = ` xmlns:p="` + PrefixDMTFClass + `X_Values" xmlns:xsi="` + NsXSI + `" xmlns:cim="` + NsCIMCommon + `"`

// TestDecodeInstanceRefusesBadValues: every bad text of valueCases,
// sent as a property typed by the class schema, fails the instance with
// a *ValueError naming class, property, value and type; every good one
// decodes.
func TestDecodeInstanceRefusesBadValues(t *testing.T) {
	for _, c := range valueCases {
		if c.typ == model.TypeUnknown {
			continue
		}
		schema := &model.Class{Name: "X_Values", Properties: []model.PropertyDecl{{Name: "Key", Type: model.TypeString, Key: true}, {Name: "V", Type: c.typ}}}
		doc := `<p:X_Values` + valueNS + `><p:Key>k</p:Key><p:V>` + string(appendText(nil, c.text)) + `</p:V></p:X_Values>`
		inst, err := decodeOne(doc, schema, nil)
		if !c.bad {
			if err != nil {
				t.Errorf("%s %q: %v", c.typ, c.text, err)
			} else if v, _ := inst.Get("V"); v.Type() != c.typ {
				t.Errorf("%s %q: typed %v", c.typ, c.text, v.Type())
			}
			continue
		}
		var ve *ValueError
		if !errors.As(err, &ve) || inst != nil {
			t.Errorf("%s %q: got %v, %v", c.typ, c.text, inst, err)
			continue
		}
		if ve.Class != "X_Values" || ve.Property != "V" || ve.Value != c.text || ve.Type != c.typ.String() {
			t.Errorf("%s %q: %+v", c.typ, c.text, ve)
		}
		msg := err.Error()
		for _, want := range []string{`"X_Values"`, `"V"`, quoteValue(c.text), c.typ.String()} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q does not name %s", msg, want)
			}
		}
	}
}

func TestDecodeInstanceValueShapes(t *testing.T) {
	inner := &model.Class{Name: "X_Inner", Properties: []model.PropertyDecl{{Name: "Small", Type: model.TypeUint8}}}
	schema := &model.Class{Name: "X_Values", Properties: []model.PropertyDecl{
		{Name: "Bytes", Type: model.TypeUint8, Array: true},
		{Name: "When", Type: model.TypeDatetime},
		{Name: "Flag", Type: model.TypeBoolean},
		{Name: "Inner", Type: model.TypeInstance, EmbeddedClass: "X_Inner"},
	}}
	lookup := func(name string) *model.Class {
		if strings.EqualFold(name, "X_Inner") {
			return inner
		}
		return nil
	}
	tests := []struct {
		name, body       string
		class, prop, typ string // the ValueError; "" when the instance decodes
		value            string
	}{
		{"array element", `<p:Bytes>1</p:Bytes><p:Bytes>300</p:Bytes>`, "X_Values", "Bytes", "uint8", "300"},
		{"wrapped datetime", `<p:When><cim:Datetime>someday</cim:Datetime></p:When>`, "X_Values", "When", "datetime", "someday"},
		{"wrapped interval", `<p:When><cim:Interval>P1Q</cim:Interval></p:When>`, "X_Values", "When", "datetime", "P1Q"},
		{"embedded with xsi:type", `<p:Inner xsi:type="p:X_Inner_Type"><p:Small>999</p:Small></p:Inner>`, "X_Inner", "Small", "uint8", "999"},
		{"schema-less xsi:type", `<p:Other xsi:type="cim:cimBoolean">maybe</p:Other>`, "X_Values", "Other", "boolean", "maybe"},
		{"good values", `<p:Bytes>1</p:Bytes><p:Bytes>255</p:Bytes><p:When><cim:Datetime>2013-04-15T16:28:43Z</cim:Datetime></p:When><p:Flag>TRUE</p:Flag><p:Inner xsi:type="p:X_Inner_Type"><p:Small>9</p:Small></p:Inner><p:Free>any text</p:Free>`, "", "", "", ""},
		{"null", `<p:Flag xsi:nil="true"/>`, "", "", "", ""},
	}
	for _, tt := range tests {
		inst, err := decodeOne(`<p:X_Values`+valueNS+`>`+tt.body+`</p:X_Values>`, schema, lookup)
		if tt.class == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Class != tt.class || ve.Property != tt.prop || ve.Type != tt.typ || ve.Value != tt.value {
			t.Errorf("%s: got %v, %#v", tt.name, inst, err)
		}
	}
}

// TestValueErrorQuotesBounded: a hostile value appears quoted, its
// control characters escaped, at most ~200 characters of it.
func TestValueErrorQuotesBounded(t *testing.T) {
	long := "\x1b]0;pwned\x07" + strings.Repeat("9", 5000)
	err := &ValueError{Class: "X_Values", Property: "V", Value: long, Type: "uint8"}
	msg := err.Error()
	if strings.ContainsAny(msg, "\x1b\x07") || !strings.Contains(msg, `\x1b]0;pwned\a`) {
		t.Errorf("control characters not escaped: %q", msg)
	}
	if len(msg) > 400 || !strings.Contains(msg, "(4810 bytes cut)") {
		t.Errorf("%d bytes: %q", len(msg), msg)
	}
	if got := quoteValue(strings.Repeat("é", 300)); !strings.HasSuffix(got, "(200 bytes cut)") || strings.Count(got, "é") != 200 {
		t.Errorf("runes: %q", got)
	}
}

// plainInteger reads exactly the plain decimal integers that fit their
// type, as strconv does: eight digits at a time must change nothing.
func FuzzPlainInteger(f *testing.F) {
	for _, s := range []string{"0", "7", "-1", "255", "256", "65535", "12345678", "123456789", "-9223372036854775808",
		"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "1234567890123456789",
		"12345678901234567890", "0000000000000000001", "1234567:", "1234567/", "12345678a", "+1", " 1", "", "-", "1e3", "١"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain := len(s) > 0
		for i, c := range []byte(s) {
			if (c < '0' || c > '9') && (i > 0 || c != '-') {
				plain = false
			}
		}
		for _, typ := range integerTypes {
			v, ok := plainInteger(typ, []byte(s))
			var want uint64
			var err error
			if typ.IsSigned() {
				var n int64
				n, err = strconv.ParseInt(s, 10, typ.Bits())
				want = uint64(n)
			} else {
				want, err = strconv.ParseUint(s, 10, typ.Bits())
			}
			wantOK := err == nil && plain && len(strings.TrimPrefix(s, "-")) <= 19
			if ok != wantOK {
				t.Fatalf("plainInteger(%v, %q) ok = %v, strconv: %v", typ, s, ok, err)
			}
			if !ok {
				continue
			}
			var got uint64
			if typ.IsSigned() {
				n, _ := v.AsInt()
				got = uint64(n)
			} else {
				got, _ = v.AsUint()
			}
			if got != want || v.Type() != typ {
				t.Fatalf("plainInteger(%v, %q) = %v (%v), strconv %d", typ, s, got, v.Type(), want)
			}
		}
	})
}
