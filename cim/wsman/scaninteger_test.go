package wsman

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// integerTypes are the CIM integer types, for the tests of plainInteger
// and scanInteger.
var integerTypes = []model.Type{model.TypeUint8, model.TypeUint16, model.TypeUint32, model.TypeUint64,
	model.TypeSint8, model.TypeSint16, model.TypeSint32, model.TypeSint64}

// scanIntegerDisagrees reads text (followed by tail, markup) with
// scanInteger and compares it with plainInteger on text alone: the same
// value, or scanInteger declines, or it stops at digits that are not
// followed by '<' (match then reads the hole as text). Where
// plainInteger takes the text and sixteen bytes follow the sign,
// scanInteger must take it too, or integer holes would silently go the
// slow way. It returns what is wrong, or "".
func scanIntegerDisagrees(typ model.Type, text, tail string) string {
	b := []byte("<p:X>" + text + tail)
	pos := len("<p:X>")
	v, end, ok := scanInteger(typ, b, pos)
	want, wantOK := plainInteger(typ, []byte(text))
	switch {
	case ok && b[end] != '<':
		// Digits and then not the end of the text: read as text.
	case ok && end != pos+len(text):
		return fmt.Sprintf("%s %q%q: ended at %d, before a '<' that is not the text's end", typ, text, tail, end)
	case ok && (!wantOK || !model.Equal(v, want) || v.Type() != want.Type()):
		return fmt.Sprintf("%s %q: scanInteger %v (%s), plainInteger %v %v", typ, text, v, v.Type(), want, wantOK)
	case !ok && wantOK && len(b)-pos >= max(17, len(text)+1): // 16 bytes after a sign
		return fmt.Sprintf("%s %q%q: scanInteger declined what plainInteger reads as %v", typ, text, tail, want)
	}
	return ""
}

// TestScanIntegerAgreesWithPlainInteger: edge texts (ranges, signs, 1 to
// 20 digits, bytes from 0xFA up, white space) before several tails.
func TestScanIntegerAgreesWithPlainInteger(t *testing.T) {
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
	for _, typ := range integerTypes {
		for _, text := range texts {
			for _, tail := range tails {
				if msg := scanIntegerDisagrees(typ, text, tail); msg != "" {
					t.Error(msg)
				}
			}
		}
	}
}

// FuzzScanIntegerAgreesWithPlainInteger: any text without a '<', before
// the end of its element and the next one's start.
func FuzzScanIntegerAgreesWithPlainInteger(f *testing.F) {
	for _, s := range []string{"0", "-1", "123456789", "18446744073709551615", "1234567890123456789", "12345678901234567890",
		"-9223372036854775808", "1 ", "1a", "\xfa1", "1\xff", "+1", ""} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, which uint8) {
		if strings.IndexByte(text, '<') >= 0 {
			return
		}
		if msg := scanIntegerDisagrees(integerTypes[int(which)%len(integerTypes)], text, "</p:X><p:NextProperty>"); msg != "" {
			t.Fatal(msg)
		}
	})
}
