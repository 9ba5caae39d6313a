package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseScalar(t *testing.T) {
	tests := []struct {
		t    Type
		text string
		want Value
	}{
		{TypeBoolean, "true", Bool(true)},
		{TypeBoolean, "TRUE", Bool(true)},
		{TypeBoolean, "True", Bool(true)},
		{TypeBoolean, "false", Bool(false)},
		{TypeBoolean, "FALSE", Bool(false)},
		{TypeBoolean, " 1 ", Bool(true)},
		{TypeBoolean, "0", Bool(false)},
		{TypeUint8, "0", Uint(TypeUint8, 0)},
		{TypeUint8, "255", Uint(TypeUint8, 255)},
		{TypeUint8, "+7", Uint(TypeUint8, 7)},
		{TypeSint8, "-128", Sint(TypeSint8, -128)},
		{TypeSint8, "127", Sint(TypeSint8, 127)},
		{TypeUint16, "65535", Uint(TypeUint16, 65535)},
		{TypeSint16, "-32768", Sint(TypeSint16, -32768)},
		{TypeUint32, "4294967295", Uint(TypeUint32, 4294967295)},
		{TypeSint32, "-2147483648", Sint(TypeSint32, -2147483648)},
		{TypeUint64, "18446744073709551615", Uint(TypeUint64, math.MaxUint64)},
		{TypeSint64, "-9223372036854775808", Sint(TypeSint64, math.MinInt64)},
		{TypeSint64, "9223372036854775807", Sint(TypeSint64, math.MaxInt64)},
		{TypeUint64, "\n 42\t", Uint(TypeUint64, 42)},
		{TypeReal32, "3.5", Real(TypeReal32, 3.5)},
		{TypeReal64, "-1.25E-3", Real(TypeReal64, -1.25e-3)},
		{TypeReal64, "INF", Real(TypeReal64, math.Inf(1))},
		{TypeReal64, "-INF", Real(TypeReal64, math.Inf(-1))},
		{TypeReal32, "NaN", Real(TypeReal32, math.NaN())},
		{TypeChar16, "65", Char16(65)},
		{TypeChar16, "x", Char16('x')},
		{TypeChar16, "é", Char16(0xE9)},
		{TypeString, "  keep spaces ", String("  keep spaces ")},
		{TypeUnknown, "anything", String("anything")},
		{TypeDatetime, "2013-04-15T16:28:43.488171Z", DatetimeValue(NewTimestamp(time.Date(2013, 4, 15, 16, 28, 43, 488171000, time.UTC)))},
		{TypeDatetime, "P1D", DatetimeValue(NewInterval(24 * time.Hour))},
	}
	for _, tt := range tests {
		got, err := ParseScalar(tt.t, tt.text)
		if err != nil {
			t.Errorf("ParseScalar(%s, %q): %v", tt.t, tt.text, err)
			continue
		}
		if !Equal(got, tt.want) {
			t.Errorf("ParseScalar(%s, %q) = %s %s, want %s %s", tt.t, tt.text, got.Type(), got, tt.want.Type(), tt.want)
		}
	}
}

func TestParseScalarErrors(t *testing.T) {
	tests := []struct {
		t    Type
		text string
		msg  string
	}{
		{TypeBoolean, "yes", `"yes" is not a valid boolean`},
		{TypeBoolean, "", "boolean"},
		{TypeUint8, "256", "256 is out of range for uint8"},
		{TypeUint8, "-1", "-1 is out of range for uint8"},
		{TypeSint64, "99999999999999999999", "99999999999999999999 is out of range for sint64"},
		{TypeUint8, "+-1", "uint8"},
		{TypeSint8, "128", "sint8"},
		{TypeSint8, "-129", "sint8"},
		{TypeUint64, "18446744073709551616", "uint64"},
		{TypeSint64, "-9223372036854775809", "sint64"},
		{TypeSint64, "9223372036854775808", "sint64"},
		{TypeUint32, "1.0", "uint32"},
		{TypeUint32, "0x10", "uint32"},
		{TypeReal64, "1e400", "real64"},
		{TypeReal64, "abc", "real64"},
		{TypeChar16, "ab", "char16"},
		{TypeChar16, "65536", "char16"},
		{TypeChar16, "😀", "char16"}, // needs a surrogate pair
		{TypeDatetime, "yesterday", "not a CIM datetime"},
		{TypeReference, "X.K=1", "cannot parse a reference"},
		{TypeInstance, "<x/>", "cannot parse a instance"},
	}
	for _, tt := range tests {
		_, err := ParseScalar(tt.t, tt.text)
		if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "model: ") {
			t.Errorf("ParseScalar(%s, %q) error %v, want one containing %q", tt.t, tt.text, err, tt.msg)
		}
	}
}

func TestParseOctets(t *testing.T) {
	v, err := ParseOctets(" AAH/gA== ")
	if err != nil {
		t.Fatal(err)
	}
	if v.Type() != TypeUint8 || !v.IsArray() || v.Text() != "{0, 1, 255, 128}" {
		t.Fatalf("got %s %s", v.Type(), v)
	}
	if _, err := ParseOctets("!!"); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Fatalf("bad base64: %v", err)
	}
}

func TestTypeNames(t *testing.T) {
	for ty := TypeBoolean; ty <= TypeInstance; ty++ {
		got, ok := ParseType(strings.ToUpper(ty.String()))
		if !ok || got != ty {
			t.Errorf("ParseType(%s) = %s, %v", strings.ToUpper(ty.String()), got, ok)
		}
	}
	if got, ok := ParseType("object"); !ok || got != TypeInstance {
		t.Error("object is an embedded instance")
	}
	if _, ok := ParseType("unknown"); ok {
		t.Error("unknown is not a type name")
	}
	if Type(200).String() != "invalid" {
		t.Error("invalid type name")
	}
	if !TypeSint8.IsSigned() || TypeUint8.IsSigned() || !TypeUint64.IsInteger() || TypeChar16.IsInteger() || !TypeReal32.IsReal() {
		t.Error("type predicates")
	}
	if TypeSint16.Bits() != 16 || TypeReal64.Bits() != 64 || TypeString.Bits() != 0 {
		t.Error("Bits")
	}
}

func FuzzParseScalar(f *testing.F) {
	for _, s := range []string{"1", "-1", "true", "1.5", "20240301083015.000000+060", "P1D", "x"} {
		f.Add(uint8(TypeSint64), s)
	}
	f.Fuzz(func(t *testing.T, typ uint8, s string) {
		ty := Type(typ % uint8(TypeInstance+1))
		v, err := ParseScalar(ty, s)
		if err != nil {
			return
		}
		if ty != TypeUnknown && v.Type() != ty {
			t.Fatalf("ParseScalar(%s, %q) gave a %s", ty, s, v.Type())
		}
		// The text form parses back to an equal value.
		if ty.IsInteger() || ty == TypeBoolean || ty == TypeString {
			again, err := ParseScalar(ty, v.Text())
			if err != nil || !Equal(again, v) {
				t.Fatalf("%s %q -> %q -> %v (%v)", ty, s, v.Text(), again, err)
			}
		}
	})
}
