package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestConvert(t *testing.T) {
	dt, _ := ParseDatetime("20240301083015.000000+060")
	ref := &Reference{ClassName: "Win32_Service", Selectors: []Selector{{Name: "Name", Value: "WinRM"}}}
	emb := NewInstance("Win32_Service", "")
	tests := []struct {
		name  string
		v     Value
		t     Type
		array bool
		want  Value
	}{
		// Text to every scalar type.
		{"text to uint8", String("255"), TypeUint8, false, Uint(TypeUint8, 255)},
		{"text to uint64 max", String("18446744073709551615"), TypeUint64, false, Uint(TypeUint64, math.MaxUint64)},
		{"text to sint64 min", String("-9223372036854775808"), TypeSint64, false, Sint(TypeSint64, math.MinInt64)},
		{"text to sint16", String(" -300 "), TypeSint16, false, Sint(TypeSint16, -300)},
		{"text to real32", String("1.5"), TypeReal32, false, Real(TypeReal32, 1.5)},
		{"text to real64", String("-2.5e10"), TypeReal64, false, Real(TypeReal64, -2.5e10)},
		{"text to boolean", String("TRUE"), TypeBoolean, false, Bool(true)},
		{"text to boolean false", String("false"), TypeBoolean, false, Bool(false)},
		{"text to char16", String("A"), TypeChar16, false, Char16('A')},
		{"text to datetime", String("20240301083015.000000+060"), TypeDatetime, false, DatetimeValue(dt)},
		{"text to string", String("x"), TypeString, false, String("x")},
		// Integers between widths.
		{"uint8 to sint64", Uint(TypeUint8, 200), TypeSint64, false, Sint(TypeSint64, 200)},
		{"sint64 to uint32", Sint(TypeSint64, 4000000000), TypeUint32, false, Uint(TypeUint32, 4000000000)},
		{"sint32 -128 to sint8", Sint(TypeSint32, -128), TypeSint8, false, Sint(TypeSint8, -128)},
		{"uint64 2^63-1 to sint64", Uint(TypeUint64, math.MaxInt64), TypeSint64, false, Sint(TypeSint64, math.MaxInt64)},
		{"sint64 min stays", Sint(TypeSint64, math.MinInt64), TypeSint64, false, Sint(TypeSint64, math.MinInt64)},
		{"uint to char16", Uint(TypeUint32, 65), TypeChar16, false, Char16('A')},
		{"char16 to uint16", Char16(0xFFFF), TypeUint16, false, Uint(TypeUint16, 0xFFFF)},
		// Integer <-> real.
		{"uint64 to real64", Uint(TypeUint64, 1<<53), TypeReal64, false, Real(TypeReal64, 1<<53)},
		{"sint to real32", Sint(TypeSint32, -3), TypeReal32, false, Real(TypeReal32, -3)},
		{"integral real to uint32", Real(TypeReal64, 42), TypeUint32, false, Uint(TypeUint32, 42)},
		{"integral real to sint64", Real(TypeReal64, -42), TypeSint64, false, Sint(TypeSint64, -42)},
		{"real 2^63 to uint64", Real(TypeReal64, 1<<63), TypeUint64, false, Uint(TypeUint64, 1<<63)},
		{"real -2^63 to sint64", Real(TypeReal64, -(1 << 63)), TypeSint64, false, Sint(TypeSint64, math.MinInt64)},
		{"real64 to real32", Real(TypeReal64, 0.1), TypeReal32, false, Real(TypeReal32, float64(float32(0.1)))},
		{"real32 to real64", Real(TypeReal32, 2.5), TypeReal64, false, Real(TypeReal64, 2.5)},
		{"NaN stays NaN", Real(TypeReal64, math.NaN()), TypeReal32, false, Real(TypeReal32, math.NaN())},
		// Booleans.
		{"bool to uint8", Bool(true), TypeUint8, false, Uint(TypeUint8, 1)},
		{"bool to sint32", Bool(false), TypeSint32, false, Sint(TypeSint32, 0)},
		{"uint to bool", Uint(TypeUint32, 0), TypeBoolean, false, Bool(false)},
		{"sint to bool", Sint(TypeSint32, -1), TypeBoolean, false, Bool(true)},
		{"real 1 to bool", Real(TypeReal64, 1), TypeBoolean, false, Bool(true)},
		{"bool to string", Bool(true), TypeString, false, String("true")},
		// To string.
		{"uint64 to string", Uint(TypeUint64, math.MaxUint64), TypeString, false, String("18446744073709551615")},
		{"sint to string", Sint(TypeSint8, -5), TypeString, false, String("-5")},
		{"real to string", Real(TypeReal64, 0.5), TypeString, false, String("0.5")},
		{"char16 to string", Char16('Z'), TypeString, false, String("Z")},
		{"datetime to string", DatetimeValue(dt), TypeString, false, String("20240301083015.000000+060")},
		{"reference to string", Ref(ref), TypeString, false, String(`Win32_Service.Name="WinRM"`)},
		// Same kinds.
		{"datetime", DatetimeValue(dt), TypeDatetime, false, DatetimeValue(dt)},
		{"reference", Ref(ref), TypeReference, false, Ref(ref)},
		{"instance", Embedded(emb), TypeInstance, false, Embedded(emb)},
		// Arrays.
		{"scalar to array of one", String("7"), TypeUint16, true, Array(TypeUint16, []Value{Uint(TypeUint16, 7)})},
		{"array element-wise", Array(TypeString, []Value{String("1"), Null(TypeString), String("-2")}), TypeSint32, true,
			Array(TypeSint32, []Value{Sint(TypeSint32, 1), Null(TypeSint32), Sint(TypeSint32, -2)})},
		{"empty array", Array(TypeString, nil), TypeUint8, true, Array(TypeUint8, nil)},
		// NULL and unknown.
		{"NULL keeps NULL, takes the type", Null(TypeString), TypeUint32, false, Null(TypeUint32)},
		{"NULL to array", Null(TypeUnknown), TypeUint32, true, NullArray(TypeUint32)},
		{"NULL array", NullArray(TypeString), TypeBoolean, true, NullArray(TypeBoolean)},
		{"unknown target keeps v", Uint(TypeUint8, 3), TypeUnknown, false, Uint(TypeUint8, 3)},
		{"unknown target keeps arrays", Array(TypeString, []Value{String("a")}), TypeUnknown, false, Array(TypeString, []Value{String("a")})},
		{"untyped text", Untyped("12"), TypeUint32, false, Uint(TypeUint32, 12)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Convert(tt.v, tt.t, tt.array)
			if err != nil {
				t.Fatal(err)
			}
			if !Equal(got, tt.want) {
				t.Fatalf("Convert(%s %s, %s, %v) = %s %s (array %v), want %s %s", tt.v.Type(), tt.v, tt.t, tt.array, got.Type(), got, got.IsArray(), tt.want.Type(), tt.want)
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name  string
		v     Value
		t     Type
		array bool
		msgs  []string
	}{
		{"uint8 overflow", Uint(TypeUint32, 256), TypeUint8, false, []string{"256", "uint8", "out of range"}},
		{"unchecked constructor value", Uint(TypeUint8, 300), TypeUint8, false, []string{"300", "uint8"}},
		{"sint8 underflow", Sint(TypeSint64, -129), TypeSint8, false, []string{"-129", "sint8"}},
		{"negative to unsigned", Sint(TypeSint32, -1), TypeUint64, false, []string{"-1", "uint64"}},
		{"uint64 max to sint64", Uint(TypeUint64, math.MaxUint64), TypeSint64, false, []string{"18446744073709551615", "sint64"}},
		{"negative to char16", Sint(TypeSint32, -1), TypeChar16, false, []string{"-1", "char16"}},
		{"big to char16", Uint(TypeUint32, 70000), TypeChar16, false, []string{"70000", "char16"}},
		{"fractional real", Real(TypeReal64, 1.5), TypeUint32, false, []string{"1.5", "uint32", "not an integer"}},
		{"infinite real", Real(TypeReal64, math.Inf(1)), TypeSint64, false, []string{"INF", "sint64"}},
		{"NaN to integer", Real(TypeReal64, math.NaN()), TypeUint8, false, []string{"NaN", "uint8"}},
		{"real beyond uint64", Real(TypeReal64, 1<<64), TypeUint64, false, []string{"uint64", "out of range"}},
		{"real beyond sint64", Real(TypeReal64, -(1 << 64)), TypeSint64, false, []string{"sint64"}},
		{"real to sint8", Real(TypeReal64, 128), TypeSint8, false, []string{"128", "sint8"}},
		{"real overflows real32", Real(TypeReal64, 1e300), TypeReal32, false, []string{"1e+300", "real32"}},
		{"real 0.5 to bool", Real(TypeReal64, 0.5), TypeBoolean, false, []string{"0.5", "boolean"}},
		{"text not a number", String("abc"), TypeUint32, false, []string{`"abc"`, "uint32"}},
		{"text out of range", String("65536"), TypeUint16, false, []string{"65536", "uint16"}},
		{"text not a bool", String("yes"), TypeBoolean, false, []string{`"yes"`, "boolean"}},
		{"text not a datetime", String("tomorrow"), TypeDatetime, false, []string{"tomorrow", "datetime"}},
		{"text to reference", String("X.K=1"), TypeReference, false, []string{"reference"}},
		{"bool to datetime", Bool(true), TypeDatetime, false, []string{"boolean", "datetime"}},
		{"datetime to uint32", DatetimeValue(NewTimestamp(time.Unix(0, 0))), TypeUint32, false, []string{"datetime", "uint32"}},
		{"instance to string", Embedded(NewInstance("X", "")), TypeString, false, []string{"instance", "string"}},
		{"array to scalar", Array(TypeUint8, []Value{Uint(TypeUint8, 1)}), TypeUint8, false, []string{"array", "scalar"}},
		{"array element", Array(TypeString, []Value{String("1"), String("x")}), TypeUint8, true, []string{`"x"`, "element 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Convert(tt.v, tt.t, tt.array)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), "model: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
			for _, m := range tt.msgs {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func FuzzConvertText(f *testing.F) {
	for _, s := range []string{"0", "-1", "18446744073709551615", "1.5", "true", "20240301083015.000000+060", "x"} {
		f.Add(s, uint8(TypeUint64))
	}
	f.Fuzz(func(t *testing.T, s string, typ uint8) {
		ty := Type(typ % uint8(TypeInstance+1))
		v, err := Convert(String(s), ty, false)
		if err != nil {
			return
		}
		if ty != TypeUnknown && v.Type() != ty {
			t.Fatalf("Convert(%q, %s) gave a %s", s, ty, v.Type())
		}
		// What converted converts back to its text and again to itself.
		if ty.IsInteger() {
			back, err := Convert(v, TypeString, false)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Convert(back, ty, false)
			if err != nil || !Equal(again, v) {
				t.Fatalf("%q -> %s -> %s -> %s (%v)", s, v, back, again, err)
			}
		}
	})
}
