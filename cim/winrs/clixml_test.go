package winrs

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const objsStart = `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`

func TestCLIXMLDecode(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain text passes", "just an error\r\n", "just an error\r\n"},
		{"hash but not the header", "#<not clixml\n", "#<not clixml\n"},
		{"errors", "#< CLIXML\r\n" + objsStart + `<S S="Error">boom_x000D__x000A_</S><S S="Error">second line_x000D__x000A_</S></Objs>`, "boom\r\nsecond line\r\n"},
		{"progress skipped", "#< CLIXML\r\n" + objsStart + `<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Object</T></TN><MS><PR N="Record"><AV>Preparing modules for first use.</AV><Nil /></PR></MS></Obj><S S="Error">x</S></Objs>`, "x"},
		{"other streams labelled", "#< CLIXML\n" + objsStart + `<S S="warning">careful</S><S S="verbose">v</S><S S="debug">d</S><S S="Information">i</S></Objs>`, "WARNING: carefulVERBOSE: vDEBUG: di"},
		{"escapes", "#< CLIXML\r\n" + objsStart + `<S S="Error">a &lt;b&gt; &amp; _x005F_x _x0009_tab _xD83D__xDE00_ _xZZZZ_</S></Objs>`, "a <b> & _x \ttab 😀 _xZZZZ_"},
		{"two documents", "#< CLIXML\r\n" + objsStart + `<S S="Error">one</S></Objs>` + "\r\n#< CLIXML\r\n" + objsStart + `<S S="Error">two</S></Objs>`, "onetwo"},
		{"text after a document", "#< CLIXML\r\n" + objsStart + `<S S="Error">one</S></Objs>and then plain`, "oneand then plain"},
		{"unfinished document kept", "#< CLIXML\r\n" + objsStart + `<S S="Error">one</S><S S="Err`, "one" + `<S S="Err`},
		{"broken markup kept", "#< CLIXML\r\n" + objsStart + `<S S="Error">one</S></Wrong>rest`, "one</Wrong>rest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// whole, and byte by byte: the result is the same
			for _, step := range []int{len(tc.in) + 1, 1, 7} {
				var d clixmlDecoder
				var got []byte
				for i := 0; i < len(tc.in); i += step {
					got = append(got, d.Write([]byte(tc.in[i:min(i+step, len(tc.in))]))...)
				}
				got = append(got, d.Close()...)
				if string(got) != tc.want {
					t.Fatalf("step %d: got %q, want %q", step, got, tc.want)
				}
			}
		})
	}
}

// Nothing is lost: whatever goes in, the decoder ends, and plain text
// comes out unchanged whatever the pieces.
func FuzzCLIXML(f *testing.F) {
	f.Add("#< CLIXML\r\n"+objsStart+`<S S="Error">boom_x000D__x000A_</S></Objs>`, 3)
	f.Add("plain", 1)
	f.Add("#< CLIXML\n<Objs><S>_x", 2)
	f.Fuzz(func(t *testing.T, in string, step int) {
		if step <= 0 || step > 64 {
			step = 1
		}
		var d clixmlDecoder
		var got []byte
		for i := 0; i < len(in); i += step {
			got = append(got, d.Write([]byte(in[i:min(i+step, len(in))]))...)
		}
		got = append(got, d.Close()...)
		if !strings.HasPrefix(in, "#") && string(got) != in {
			t.Fatalf("plain text changed: %q -> %q", in, got)
		}
		if utf8.ValidString(in) && len(got) > 4*len(in)+16 {
			t.Fatalf("output grew: %d -> %d", len(in), len(got))
		}
	})
}

func TestTextDecoderSplits(t *testing.T) {
	d := newTextDecoder(932)
	var got []byte
	for _, b := range []byte{0x93, 0xfa, 0x96, 0x7b} {
		got = append(got, d.Write([]byte{b})...)
	}
	got = append(got, d.Close()...)
	if string(got) != "日本" {
		t.Fatalf("%q", got)
	}
	// a dangling lead byte at the end is not lost silently
	d = newTextDecoder(932)
	got = append(d.Write([]byte{'a', 0x93}), d.Close()...)
	if !strings.HasPrefix(string(got), "a") || len(got) < 2 {
		t.Fatalf("%q", got)
	}
	if err := CheckCodepage(65001); err != nil {
		t.Fatal(err)
	}
	if err := CheckCodepage(437); err != nil {
		t.Fatal(err)
	}
}

// Quoting round-trips through cmd.exe's caret rule and
// CommandLineToArgvW's splitting, for any argument.
func FuzzCmdArgument(f *testing.F) {
	for _, s := range []string{"", "a b", `a"b`, `a\`, `a\\"`, "%PATH%", "^&|<>()!", `\\server\share\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := cmdArgument(s)
		if err != nil {
			if !strings.ContainsAny(s, "\r\n\x00") {
				t.Fatalf("%q refused: %v", s, err)
			}
			return
		}
		argv := splitArgv(uncaret(q))
		if len(argv) != 1 || argv[0] != s {
			t.Fatalf("%q -> %q -> %q", s, q, argv)
		}
	})
}

func TestCDATASafe(t *testing.T) {
	got, err := cdataSafe("a]]>b]]>")
	if err != nil || "<![CDATA["+got+"]]>" != "<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>]]>" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := cdataSafe("bell\x07"); err == nil {
		t.Fatal("control character accepted")
	}
}

// uncaret is what cmd.exe does to a line whose every metacharacter
// carries a caret: drops each caret and keeps the character after it.
func uncaret(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '^' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitArgv splits a command line by CommandLineToArgvW's rules (as
// documented for the C runtime's argument parsing): white space separates
// outside quotes; 2n backslashes before a quote are n and the quote
// toggles quoting, 2n+1 are n and a literal quote; other backslashes are
// literal.
func splitArgv(s string) []string {
	var out []string
	var cur strings.Builder
	inQuotes, has := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case (c == ' ' || c == '\t') && !inQuotes:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		case c == '\\':
			n := 0
			for i < len(s) && s[i] == '\\' {
				n++
				i++
			}
			if i < len(s) && s[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
				} else {
					inQuotes = !inQuotes
				}
			} else {
				cur.WriteString(strings.Repeat(`\`, n))
				i--
			}
			has = true
		case c == '"':
			inQuotes = !inQuotes
			has = true
		default:
			cur.WriteByte(c)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}
