package shell

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/luabind/luatest"
)

var update = flag.Bool("update", false, "rewrite golden files and transcripts from the current output")

// testEnv returns an in-process environment over the luatest world,
// with XDG directories in a temporary directory.
func testEnv(t *testing.T, stdin string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"HOME":            dir,
		"XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_STATE_HOME":  filepath.Join(dir, "state"),
	}
	var out, errb bytes.Buffer
	env := &Env{
		Stdin:       strings.NewReader(stdin),
		Stdout:      &out,
		Stderr:      &errb,
		Getenv:      func(k string) string { return vars[k] },
		NewProvider: luatest.Factory(),
		Exit:        func(code int) { t.Fatalf("os.exit(%d) called in-process", code) },
	}
	return env, &out, &errb
}

// transcriptInput extracts the input lines of a transcript: the lines
// shown after a prompt.
func transcriptInput(text string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(text, "\n") {
		switch {
		case strings.HasPrefix(l, prompt2):
			b.WriteString(strings.TrimPrefix(l, prompt2))
		case strings.HasPrefix(l, prompt1):
			b.WriteString(strings.TrimPrefix(l, prompt1))
		}
	}
	return b.String()
}

// TestTranscripts runs each testdata/transcripts file through the real
// REPL loop (colors off) and compares the session with the file.
func TestTranscripts(t *testing.T) {
	files, _ := filepath.Glob("testdata/transcripts/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			env, out, errb := testEnv(t, "")
			if strings.Contains(string(want), "hostile()") {
				hostileServer(t, env)
			}
			pr := NewPlainReader(strings.NewReader(transcriptInput(string(want))))
			pr.Echo = out
			env.LineReader = pr
			if code := Main(env); code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, errb)
			}
			got := out.String()
			if *update {
				os.WriteFile(f, []byte(got), 0o644)
				return
			}
			if got != string(want) {
				t.Errorf("transcript differs\n--- got\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

// hostileServer serves luatest's hostile world over real HTTP (the OMI
// dialect, which sends control characters as character references) and
// gives the transcript a function hostile() that returns a session to
// it (defined by the startup file, so the transcript stays the same
// whatever the port). Sessions to it come from connectedEnvs, not the
// luatest factory.
func hostileServer(t *testing.T, env *Env) {
	t.Helper()
	srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: wsmantest.OMI, Provider: luatest.Hostile("EVIL" + luatest.SetTitle),
		BasicUsers: map[string]string{"admin": "Hostile-Pa55"}, AllowUnencrypted: true})
	env.NewProvider = nil
	init := fmt.Sprintf(`function hostile()
  return cim.new_session{computer_name = %q, port = %d, authentication = "basic",
    credential = cim.credential("admin", "Hostile-Pa55"), session_option = cim.new_session_option{no_encryption = true}}
end
`, srv.Host(), srv.Port())
	if err := os.MkdirAll(filepath.Dir(env.initFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env.initFile(), []byte(init), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestColorOutput checks errors print in red and table headers in bold
// when stdout is a terminal, and plain with NO_COLOR.
func TestColorOutput(t *testing.T) {
	for _, noColor := range []bool{false, true} {
		env, out, _ := testEnv(t, "")
		env.StdoutTTY = true
		base := env.Getenv
		env.Getenv = func(k string) string {
			if k == "NO_COLOR" && noColor {
				return "1"
			}
			return base(k)
		}
		env.LineReader = NewPlainReader(strings.NewReader("error('boom')\ncim.get_instance('Win32_Service')\ncim.get_instance('Nope')\n"))
		Main(env)
		got := out.String()
		red := strings.Contains(got, "\x1b[31mstdin:1: boom\x1b[0m") && strings.Contains(got, "\x1b[31mcim.get_instance: localhost: ")
		bold := strings.Contains(got, "\x1b[1mProcessId\x1b[22m")
		if noColor && (red || bold || strings.Contains(got, "\x1b[")) {
			t.Errorf("NO_COLOR output has escapes: %q", got)
		}
		if !noColor && (!red || !bold) {
			t.Errorf("color output lacks red errors or bold headers: %q", got)
		}
	}
}

// TestTableFitsTerminal checks that the REPL prints a list of instances
// within the terminal's width (no wrapped rows) and at full width when
// stdout is not a terminal.
func TestTableFitsTerminal(t *testing.T) {
	for _, tty := range []bool{true, false} {
		env, out, _ := testEnv(t, "")
		env.StdoutTTY = tty
		env.Width = func() int { return 40 }
		base := env.Getenv
		env.Getenv = func(k string) string {
			if k == "NO_COLOR" {
				return "1" // count characters, not escapes
			}
			return base(k)
		}
		env.LineReader = NewPlainReader(strings.NewReader("cim.get_instance('Win32_Service')\n"))
		Main(env)
		widest := 0
		for _, l := range strings.Split(out.String(), "\n") {
			widest = max(widest, len(l))
		}
		if tty && (widest > 40 || !strings.Contains(out.String(), "Spooler")) {
			t.Errorf("on a 40-column terminal a line is %d wide:\n%s", widest, out)
		}
		if !tty && widest <= 40 {
			t.Errorf("without a terminal the table was cut:\n%s", out)
		}
	}
}
