package shell

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
