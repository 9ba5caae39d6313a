package shell

import (
	"errors"
	"io"
	"reflect"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestParseArgs(t *testing.T) {
	cases := []struct {
		argv []string
		want options
		err  string
	}{
		{[]string{}, options{preArgs: []string{}}, ""},
		{[]string{"x.lua", "a", "-e"}, options{script: "x.lua", hasScript: true, preArgs: []string{}, scriptArgs: []string{"a", "-e"}}, ""},
		{[]string{"-e", "print(1)", "-i"}, options{actions: []action{{"e", "print(1)"}}, interactive: true, preArgs: []string{"-e", "print(1)", "-i"}}, ""},
		{[]string{"-eprint(1)", "-lfoo"}, options{actions: []action{{"e", "print(1)"}, {"l", "foo"}}, preArgs: []string{"-eprint(1)", "-lfoo"}}, ""},
		{[]string{"-", "a"}, options{script: "-", hasScript: true, preArgs: []string{}, scriptArgs: []string{"a"}}, ""},
		{[]string{"--", "-x.lua"}, options{script: "-x.lua", hasScript: true, preArgs: []string{"--"}, scriptArgs: []string{}}, ""},
		{[]string{"--no-color", "-s", "os_summary", "--computer", "h"}, options{noColor: true, bundled: "os_summary", preArgs: []string{"--no-color", "-s", "os_summary"}, scriptArgs: []string{"--computer", "h"}}, ""},
		{[]string{"-v"}, options{version: true, preArgs: []string{"-v"}}, ""},
		{[]string{"-z"}, options{}, "unrecognized option '-z'"},
		{[]string{"-l"}, options{}, "'-l' needs argument"},
	}
	for _, c := range cases {
		got, err := parseArgs(c.argv)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: err %v, want %q", c.argv, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%q:\n got %+v %v\nwant %+v", c.argv, got, err, c.want)
		}
	}
}

func TestColorDecision(t *testing.T) {
	for _, c := range []struct {
		tty, flag bool
		noColor   string
		want      bool
	}{{true, false, "", true}, {false, false, "", false}, {true, true, "", false}, {true, false, "1", false}} {
		env, _, _ := testEnv(t, "")
		env.StdoutTTY = c.tty
		vars := map[string]string{"NO_COLOR": c.noColor}
		env.Getenv = func(k string) string { return vars[k] }
		in := newInterp(env, &options{noColor: c.flag})
		if in.color != c.want {
			t.Errorf("tty=%v --no-color=%v NO_COLOR=%q: color %v", c.tty, c.flag, c.noColor, in.color)
		}
		in.close()
	}
}

func TestSyntaxMessage(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	for src, want := range map[string]string{
		"local = 1":           "chunk:1: syntax error near '='",
		"x = 1\nfor i=1,2 do": "chunk:2: syntax error near <eof>",
	} {
		_, err := L.Load(stringsReader(src), "chunk")
		if got := syntaxMessage(err, src); got != want {
			t.Errorf("%q: %q, want %q", src, got, want)
		}
	}
	if syntaxMessage(errors.New("x"), "") != "x" {
		t.Error("plain errors pass through")
	}
}

func stringsReader(s string) *stringReader { return &stringReader{s: s} }

type stringReader struct{ s string }

func (r *stringReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := copy(p, r.s)
	r.s = r.s[n:]
	return n, nil
}

func TestXDGFiles(t *testing.T) {
	cases := []struct {
		vars          map[string]string
		init, history string
	}{
		{map[string]string{"HOME": "/h"}, "/h/.config/cimsh/init.lua", "/h/.local/state/cimsh/history"},
		{map[string]string{"HOME": "/h", "XDG_CONFIG_HOME": "/c", "XDG_STATE_HOME": "/s"}, "/c/cimsh/init.lua", "/s/cimsh/history"},
		{map[string]string{}, "", ""},
	}
	for _, c := range cases {
		env := &Env{Getenv: func(k string) string { return c.vars[k] }}
		if env.initFile() != c.init || env.historyFile() != c.history {
			t.Errorf("%v: %q %q", c.vars, env.initFile(), env.historyFile())
		}
	}
}
