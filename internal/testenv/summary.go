package testenv

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/term"
)

var (
	running atomic.Bool // Main is running this binary's tests

	mu      sync.Mutex
	reasons []string       // in the order first seen
	counts  map[string]int // skipped tests per reason
)

func record(reason string) {
	mu.Lock()
	defer mu.Unlock()
	if counts == nil {
		counts = map[string]int{}
	}
	if counts[reason] == 0 {
		reasons = append(reasons, reason)
	}
	counts[reason]++
}

// Main runs the tests of a package (call it from TestMain) and exits:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m.Run)) }

// Run runs the tests with run (m.Run, or a wrapper of it such as
// testscript.RunMain), prints the skip summary, and returns run's code.
func Run(run func() int) int {
	running.Store(true)
	code := run()
	if line := Summary(); line != "" {
		printSummary(line)
	}
	return code
}

// Summary is the line Run prints: the package, how many tests were
// skipped, and why; "" when none was.
//
//	skip	github.com/cimsh/cimsh/cim/wsman	38 tests: CIMSH_FIXTURES is not set (...)
func Summary() string {
	mu.Lock()
	defer mu.Unlock()
	if len(reasons) == 0 {
		return ""
	}
	total := 0
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		total += counts[r]
		parts[i] = r
		if len(reasons) > 1 {
			parts[i] = fmt.Sprintf("%d %s", counts[r], r)
		}
	}
	noun := "tests"
	if total == 1 {
		noun = "test"
	}
	return fmt.Sprintf("skip\t%s\t%d %s: %s", packagePath(), total, noun, strings.Join(parts, "; "))
}

// printSummary shows the line where the person running the tests sees
// it. go test shows a passing package's output only with -v (or when run
// in the package's directory without arguments, on the terminal itself);
// otherwise it keeps just its "ok" line, so the summary goes to the
// controlling terminal when there is one. Without a terminal (CI) it goes
// to standard output, kept with the test log.
func printSummary(line string) {
	line += "\n"
	if testing.Verbose() || term.IsTerminal(int(os.Stdout.Fd())) {
		io.WriteString(os.Stdout, line)
		return
	}
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		io.WriteString(tty, line)
		tty.Close()
		return
	}
	io.WriteString(os.Stdout, line)
}

// packagePath is the import path of the package under test: go test runs
// a test binary in its package's directory.
func packagePath() string {
	root, err := ModuleRoot()
	if err != nil {
		return "?"
	}
	module := moduleName(filepath.Join(root, "go.mod"))
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(root, wd)
	if err != nil || rel == "." {
		return module
	}
	return module + "/" + filepath.ToSlash(rel)
}

func moduleName(gomod string) string {
	f, err := os.Open(gomod)
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	return "?"
}
