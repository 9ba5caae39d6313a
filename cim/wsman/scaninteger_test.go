package wsman

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// TestScanIntegerAgreesWithPlainInteger reads integers followed by markup
// with scanInteger and checks it against plainInteger on the text up to
// the '<': the same value, or scanInteger declines (the shape then reads
// the hole as text, which plainInteger reads the same way it always did).
// Where plainInteger takes the text and eight bytes follow, scanInteger
// must take it too, or integer holes would silently go the slow way.
func TestScanIntegerAgreesWithPlainInteger(t *testing.T) {
	types := []model.Type{model.TypeUint8, model.TypeUint16, model.TypeUint32, model.TypeUint64,
		model.TypeSint8, model.TypeSint16, model.TypeSint32, model.TypeSint64}
	texts := []string{"0", "7", "-7", "-0", "255", "256", "-128", "-129", "127", "128", "65535", "65536",
		"4294967295", "4294967296", "-2147483648", "-2147483649", "2147483647",
		"18446744073709551615", "18446744073709551616", "9999999999999999999", "0000000000000000001",
		"00000000000000000001", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"12345678", "123456789", "1234567890123456", "12345678901234567", "", "-", "+5", " 5", "5 ", "1a", "1\xfa2", "\xff",
		"12\x0034", "٣", "1e3", "0x10", "--1", "1-"}
	for i := 1; i <= 20; i++ {
		texts = append(texts, strings.Repeat("9", i), strings.Repeat("1", i), "-"+strings.Repeat("8", i))
	}
	tails := []string{"</p:X><p:Y>", "<", "</p:X>", "</p:LongerName><p:Next>"}
	for _, typ := range types {
		for _, text := range texts {
			for _, tail := range tails {
				b := []byte("<p:X>" + text + tail)
				pos := len("<p:X>")
				v, end, ok := scanInteger(typ, b, pos)
				want, wantOK := plainInteger(typ, []byte(text))
				switch {
				case ok && b[end] != '<':
					// Digits and then not the end of the text: match
					// reads the hole as text instead.
				case ok && end != pos+len(text):
					t.Errorf("%s %q%q: ended at %d, before a '<' that is not the text's end", typ, text, tail, end)
				case ok && (!wantOK || !model.Equal(v, want) || v.Type() != want.Type()):
					t.Errorf("%s %q: scanInteger %v (%s), plainInteger %v %v", typ, text, v, v.Type(), want, wantOK)
				case !ok && wantOK && len(b)-pos >= max(17, len(text)+1): // 16 bytes after a sign
					t.Errorf("%s %q%q: scanInteger declined what plainInteger reads as %v", typ, text, tail, want)
				}
			}
		}
	}
}

// FuzzScanIntegerAgreesWithPlainInteger: for any bytes followed by a
// '<' and markup, scanInteger either declines or reads what plainInteger
// reads from the text up to the '<'; and where plainInteger reads the
// text and sixteen bytes follow the sign, scanInteger reads it too.
func FuzzScanIntegerAgreesWithPlainInteger(f *testing.F) {
	for _, s := range []string{"0", "-1", "123456789", "18446744073709551615", "1234567890123456789", "12345678901234567890",
		"-9223372036854775808", "1 ", "1a", "\xfa1", "1\xff", "+1", ""} {
		f.Add(s, uint8(0))
	}
	types := []model.Type{model.TypeUint8, model.TypeUint16, model.TypeUint32, model.TypeUint64,
		model.TypeSint8, model.TypeSint16, model.TypeSint32, model.TypeSint64}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		if strings.IndexByte(text, '<') >= 0 {
			return
		}
		typ := types[int(which)%len(types)]
		b := []byte("<p:X>" + text + "</p:X><p:NextProperty>")
		pos := len("<p:X>")
		v, end, ok := scanInteger(typ, b, pos)
		want, wantOK := plainInteger(typ, []byte(text))
		switch {
		case ok && b[end] != '<':
			// Read as text by match.
		case ok && end != pos+len(text):
			t.Fatalf("%s %q: ended at %d, before a '<' that is not the text's end", typ, text, end)
		case ok && (!wantOK || !model.Equal(v, want) || v.Type() != want.Type()):
			t.Fatalf("%s %q: scanInteger %v (%s), plainInteger %v %v", typ, text, v, v.Type(), want, wantOK)
		case !ok && wantOK && len(b)-pos >= max(17, len(text)+1):
			t.Fatalf("%s %q: scanInteger declined what plainInteger reads as %v", typ, text, want)
		}
	})
}
