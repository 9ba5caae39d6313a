package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The README names the Go version go.mod requires.
func TestReadmeGoVersion(t *testing.T) {
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	readme := readFile(t, "README.md")
	if !strings.Contains(readme, "Go "+m[1]+" or later") {
		t.Errorf("README.md does not say %q", "Go "+m[1]+" or later")
	}
	for _, v := range regexp.MustCompile(`Go (1\.\d+(\.\d+)?) or later`).FindAllStringSubmatch(readme, -1) {
		if v[1] != m[1] {
			t.Errorf("README.md says Go %s or later; go.mod says go %s", v[1], m[1])
		}
	}
}

// A fenced code block of the README.
type readmeBlock struct {
	lang, code string
	line       int    // of the opening fence
	notRun     string // the reason given in a <!-- not run: ... --> line just before it
}

var notRunMark = regexp.MustCompile(`^<!-- not run: (.+) -->$`)

func readmeBlocks(t *testing.T) []readmeBlock {
	lines := strings.Split(readFile(t, "README.md"), "\n")
	var out []readmeBlock
	for i := 0; i < len(lines); i++ {
		lang, ok := strings.CutPrefix(lines[i], "```")
		if !ok {
			continue
		}
		b := readmeBlock{lang: lang, line: i + 1}
		if i > 0 {
			if m := notRunMark.FindStringSubmatch(lines[i-1]); m != nil {
				b.notRun = m[1]
			}
		}
		var code []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			code = append(code, lines[i])
		}
		b.code = strings.Join(code, "\n") + "\n"
		out = append(out, b)
	}
	return out
}

// readmeGo stands in for the go command in the README's examples: go run
// of cimsh, wsmanserve and dcomserve runs the binaries under test; the toolchain's
// own commands (test, install, build) are what this test runs inside of.
const readmeGo = `#!/bin/sh
case "$1 $2" in
"run .") shift 2; exec cimsh "$@" ;;
"run ./cim/wsmantest/wsmanserve") shift 2; exec wsmanserve "$@" ;;
"run ./cim/dcomtest/dcomserve") shift 2; exec dcomserve "$@" ;;
"test "*|"install "*|"build "*) echo "(go $1: not run by the README test, which go test runs)"; exit 0 ;;
esac
echo "go $*: the README test does not know this command; teach it (readme_test.go) or mark the block <!-- not run: why -->" >&2
exit 1
`

// The README's examples run (and so cannot drift from what cimsh does):
// every sh block under sh -e, with go run standing for the binaries
// under test; every lua block with cimsh-fixture, whose sessions, local
// or named, the in-memory test world serves, so remote examples run with
// no Windows host. A block that cannot run here says why in a
// <!-- not run: ... --> line above it; other languages (powershell) are
// for Windows.
func TestReadmeExamples(t *testing.T) {
	dir := t.TempDir()
	ran := 0
	for _, b := range readmeBlocks(t) {
		if b.lang != "sh" && b.lang != "lua" {
			continue
		}
		if b.notRun != "" {
			t.Logf("README.md:%d: not run: %s", b.line, b.notRun)
			continue
		}
		var ts strings.Builder
		fmt.Fprintf(&ts, "# README.md line %d\n", b.line)
		if b.lang == "sh" {
			ts.WriteString("[!exec:sh] skip 'the sh examples need a POSIX shell'\n")
			ts.WriteString("chmod 755 bin/go\nenv PATH=$WORK/bin${:}$PATH\nexec sh -e block.sh\n")
			ts.WriteString("-- block.sh --\n" + b.code + "-- bin/go --\n" + readmeGo)
			// The files the Install block names.
			ts.WriteString("-- script.lua --\nprint(\"script.lua:\", ...)\n")
		} else {
			ts.WriteString("env CIMSH_PASSWORD=readme-Pa55\nexec cimsh-fixture block.lua\n-- block.lua --\n" + b.code)
		}
		name := filepath.Join(dir, fmt.Sprintf("readme_line%03d.txtar", b.line))
		if err := os.WriteFile(name, []byte(ts.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		ran++
	}
	if ran < 5 {
		t.Fatalf("only %d README blocks to run", ran)
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		Setup: func(e *testscript.Env) error {
			e.Setenv("XDG_CONFIG_HOME", e.WorkDir+"/.config")
			e.Setenv("XDG_STATE_HOME", e.WorkDir+"/.state")
			e.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
