package luabind

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/luabind/luatest"
)

func TestEscapeControls(t *testing.T) {
	for _, c := range []struct{ in, text, cell string }{
		{"plain text, ünïcödé, 日本", "plain text, ünïcödé, 日本", "plain text, ünïcödé, 日本"},
		{"a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`, `\x1b]0;title\x07`},
		{"x\u009b31my", `x\x9b31my`, `x\x9b31my`},
		{"x\x9by", `x\x9by`, `x\x9by`}, // a lone byte, not UTF-8
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"one\ntwo\tthree", "one\ntwo\tthree", `one\ntwo\tthree`},
		{"ok\rFAIL", `ok\rFAIL`, `ok\rFAIL`},
		{"\u202etxt.exe\u202c", `\u202etxt.exe\u202c`, `\u202etxt.exe\u202c`},
		{"\u2066x\u2069\u200f\u061c", `\u2066x\u2069\u200f\u061c`, `\u2066x\u2069\u200f\u061c`},
		{`already \x1b escaped`, `already \x1b escaped`, `already \x1b escaped`},
		{"nul\x00", `nul\x00`, `nul\x00`},
	} {
		if got := EscapeControls(c.in, false); got != c.text {
			t.Errorf("EscapeControls(%q, false) = %q, want %q", c.in, got, c.text)
		}
		if got := EscapeControls(c.in, true); got != c.cell {
			t.Errorf("EscapeControls(%q, true) = %q, want %q", c.in, got, c.cell)
		}
	}
}

// terminalSafe reports the first character of s a terminal would act
// on (newline and tab allowed where allowLayout), or "".
func terminalSafe(s string, allowLayout bool) string {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return s[i : i+1]
		}
		if isControl(r, !allowLayout) {
			return string(r)
		}
	}
	return ""
}

func FuzzEscapeControls(f *testing.F) {
	f.Add("a\x1b[2J\u009b\u202e\r\n\t\xff", true)
	f.Fuzz(func(t *testing.T, s string, oneLine bool) {
		out := EscapeControls(s, oneLine)
		if bad := terminalSafe(out, !oneLine); bad != "" {
			t.Fatalf("EscapeControls(%q) = %q keeps %q", s, out, bad)
		}
		if again := EscapeControls(out, oneLine); again != out {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
	})
}

// TestHostileServerText reads a hostile server's values and fault over
// real HTTP (the OMI dialect sends control characters as character
// references) and checks that every display form shows them escaped
// while the data forms (fields, to_json, to_csv) keep them exact.
func TestHostileServerText(t *testing.T) {
	e, _ := newWSManEnv(t, wsmantest.Options{Dialect: wsmantest.OMI, Provider: luatest.Hostile("EVIL" + luatest.SetTitle)})
	e.ok(`
		os_ = assert(s:get_instance("Win32_OperatingSystem"))[1]
		svcs = assert(s:get_instance("Win32_Service"))
		none, err = s:get_instance("Cimsh_Hostile")
		assert(none == nil and err)
		display = {
			table = cim.format_table(svcs, {"Name", "DisplayName", "Status", "Description"}),
			os_table = cim.format_table({os_}, {"Caption", "Version", "BuildNumber", "OSArchitecture"}),
			list = cim.format_list(os_),
			svc_list = cim.format_list(svcs[1]),
			err = tostring(err),
			concat = "failed: " .. err,
			inst = tostring(svcs[1]),
			json = cim.to_json(os_),
			escaped = cim.escape_controls(os_.Caption),
		}
		raw_caption, raw_message, csv = os_.Caption, err.message, cim.to_csv({os_}, {"Caption"})`)
	display := e.L.GetGlobal("display")
	for _, k := range []string{"table", "os_table", "list", "svc_list", "err", "concat", "inst", "json", "escaped"} {
		s := e.L.GetField(display, k).String()
		if bad := terminalSafe(s, true); bad != "" {
			t.Errorf("%s shows %q raw:\n%q", k, bad, s)
		}
	}
	get := func(k string) string { return e.L.GetField(display, k).String() }
	for k, want := range map[string]string{
		"table":    `evil\x1b[2J\x1b[H`,
		"os_table": `\u202etxt.exe\u202c`,
		"list":     `Windows\x1b[2J\x1b[H`,
		"err":      `access failed\x1b[2J\x1b[H\x1b]0;pwned\x07\x9b31m\u202etxt.exe\u202c`,
		"inst":     `evil\x1b[2J\x1b[H`,
		"json":     `"Windows\u001b[2J\u001b[H"`,
		"escaped":  `Windows\x1b[2J\x1b[H`,
	} {
		if !strings.Contains(get(k), want) {
			t.Errorf("%s lacks %s:\n%s", k, want, get(k))
		}
	}
	// A table cell shows even a newline escaped; a list value keeps it.
	if !strings.Contains(get("table"), `line one\nline two\x9b31m\tend`) {
		t.Errorf("table cell:\n%s", get("table"))
	}
	if !strings.Contains(get("svc_list"), "line one\n") || !strings.Contains(get("svc_list"), `line two\x9b31m`+"\tend") {
		t.Errorf("list value:\n%s", get("svc_list"))
	}
	if !strings.Contains(get("json"), `10.0\u009b31m`) || !strings.Contains(get("json"), `\u202etxt.exe\u202c`) {
		t.Errorf("to_json does not escape C1 and bidi controls:\n%s", get("json"))
	}
	// The data stays exact.
	if got := e.L.GetGlobal("raw_caption").String(); got != "Windows"+luatest.ClearScreen {
		t.Errorf("os_.Caption = %q", got)
	}
	if got := e.L.GetGlobal("raw_message").String(); !strings.Contains(got, luatest.HostileFaultText) {
		t.Errorf("err.message = %q", got)
	}
	if got := e.L.GetGlobal("csv").String(); !strings.Contains(got, "Windows"+luatest.ClearScreen) {
		t.Errorf("to_csv = %q", got)
	}
}
