package wsman

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16Bytes(s string, big, bom bool) []byte {
	var out []byte
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	for _, u := range units {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

// charsetCases are bodies holding one property S, in the encodings a
// reply may come in, with the text S must decode to (or the error).
func charsetCases() []struct {
	name string
	body []byte
	want string
	bad  string // a word the error names
} {
	doc := func(decl string, s ...byte) []byte {
		b := []byte(decl + `<p:C xmlns:p="u"><p:S>`)
		b = append(b, s...)
		return append(b, `</p:S></p:C>`...)
	}
	const inner = `<p:C xmlns:p="u"><p:S>Grüße “€” ✓ a&#1;b</p:S></p:C>`
	return []struct {
		name string
		body []byte
		want string
		bad  string
	}{
		{"utf-8", []byte(inner), "Grüße “€” ✓ a\x01b", ""},
		{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, inner...), "Grüße “€” ✓ a\x01b", ""},
		{"utf-8 declared", []byte(`<?xml version="1.0" encoding="UTF-8"?>` + inner), "Grüße “€” ✓ a\x01b", ""},
		{"utf-16le bom", utf16Bytes(`<?xml version="1.0" encoding="utf-16"?>`+inner, false, true), "Grüße “€” ✓ a\x01b", ""},
		{"utf-16be bom", utf16Bytes(`<?xml version="1.0" encoding="utf-16"?>`+inner, true, true), "Grüße “€” ✓ a\x01b", ""},
		{"utf-16le no bom", utf16Bytes(`<?xml version="1.0" encoding="UTF-16LE"?>`+inner, false, false), "Grüße “€” ✓ a\x01b", ""},
		{"utf-16be no bom", utf16Bytes(`<?xml version="1.0" encoding="UTF-16BE"?>`+inner, true, false), "Grüße “€” ✓ a\x01b", ""},
		// 0x80-0x9F are letters and punctuation in Windows-1252, C1
		// controls in ISO-8859-1.
		{"windows-1252", doc(`<?xml version="1.0" encoding="windows-1252"?>`, 'G', 'r', 0xFC, 0xDF, 'e', ' ', 0x93, 0x80, 0x94, ' ', 0x8A, 0x9F, 0x01), "Grüße “€” ŠŸ\x01", ""},
		{"cp1252 single quotes", doc(`<?xml version='1.0' encoding='cp1252'?>`, 0x91, 'x', 0x92, 0x85), "‘x’…", ""},
		{"iso-8859-1", doc(`<?xml version="1.0" encoding="ISO-8859-1"?>`, 'G', 'r', 0xFC, 'n', 0x80, 0x9F), "Grün\u0080\u009F", ""},
		{"latin1", doc(`<?xml version="1.0" encoding="latin1"?>`, 0xE9), "é", ""},
		{"us-ascii", doc(`<?xml version="1.0" encoding="us-ascii"?>`, 'o', 'k'), "ok", ""},
		{"us-ascii with a high byte", doc(`<?xml version="1.0" encoding="US-ASCII"?>`, 'n', 0xE9), "", "0xE9"},
		{"koi8-r", doc(`<?xml version="1.0" encoding="KOI8-R"?>`, 0xC1), "", `"KOI8-R"`},
		{"utf-32", doc(`<?xml version="1.0" encoding="UTF-32"?>`, 'x'), "", `"UTF-32"`},
		{"ebcdic", doc(`<?xml version="1.0" encoding="ibm037"?>`, 'x'), "", "not supported"},
	}
}

func TestCharsets(t *testing.T) {
	for _, c := range charsetCases() {
		d := NewDecoder(c.body)
		se, ok, err := findStart(d)
		if err == nil && ok {
			got, derr := DecodeInstance(d, se, nil)
			if derr == nil {
				if c.bad != "" {
					t.Errorf("%s: decoded, want an error naming %s", c.name, c.bad)
					continue
				}
				v, _ := got.Get("S")
				if v.Text() != c.want {
					t.Errorf("%s: S = %q, want %q", c.name, v.Text(), c.want)
				}
				continue
			}
			err = derr
		}
		var ce *CharsetError
		switch {
		case c.bad == "":
			t.Errorf("%s: %v", c.name, err)
		case !errors.As(err, &ce) || !strings.Contains(err.Error(), c.bad):
			t.Errorf("%s: error %v, want a CharsetError naming %s", c.name, err, c.bad)
		}
	}
}

// TestCharsetStreams: the streaming form (faults) reads the same bodies
// the same way.
func TestCharsetStreams(t *testing.T) {
	for _, c := range charsetCases() {
		r, err := utf8Reader(bytes.NewReader(c.body))
		var out []byte
		if err == nil {
			out, err = io.ReadAll(r)
		}
		want, werr := toUTF8(c.body)
		if (err != nil) != (c.bad != "") || (werr != nil) != (c.bad != "") {
			t.Errorf("%s: stream err %v, bytes err %v", c.name, err, werr)
			continue
		}
		if err == nil && !bytes.Equal(dropDeclaration(out), dropDeclaration(want)) {
			t.Errorf("%s: stream %q, bytes %q", c.name, out, want)
		}
	}
}

func TestDeclaredEncoding(t *testing.T) {
	for in, want := range map[string]string{
		`<?xml version="1.0" encoding="windows-1252"?>`:     "windows-1252",
		`<?xml version='1.0' encoding = 'ISO-8859-1' ?>`:    "ISO-8859-1",
		`<?xml version="1.0"?>`:                             "",
		`<?xml version="1.0" standalone="yes"?><x/>`:        "",
		`<x encoding="koi8-r"/>`:                            "",
		`<?xml version="1.0" encoding="utf-8" standalone?>`: "utf-8",
	} {
		if got, _ := declaredEncoding([]byte(in)); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
}
