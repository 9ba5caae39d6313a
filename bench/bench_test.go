package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// TestMain lets the test binary serve as the harness's floor and decode
// children, as the command does.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == "floor" || os.Args[1] == "decode") {
		main()
		return
	}
	testenv.Main(m)
}

// The harness runs end to end on a small workload: every row's child
// checks what it got (instance counts, printed results), so a broken row
// fails here rather than on the next person to run the benchmark.
func TestHarnessSmallRun(t *testing.T) {
	if testing.Short() {
		testenv.Skip(t, "-short: the harness builds cimsh")
	}
	python := debianPython
	if _, err := os.Stat(python); err != nil && os.Getenv("CIMSH_STRICT") != "1" {
		python = ""
	}
	out := filepath.Join(t.TempDir(), "table.md")
	cfg := &config{rounds: 1, bigRounds: 1, n: 450, big: 650, python: python, fanout: true, out: out,
		rows: regexp.MustCompile(`^(floor|decode|iterator|get|pywinrm|big|small|start|fanout200)`)}
	if err := run(cfg); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	table := string(data)
	for _, want := range []string{"transport floor", "cimsh decode alone", "s:instances", "s:get_instance", "650 instances", "200 small queries", "print(1)", "200 sessions"} {
		if !strings.Contains(table, want) {
			t.Errorf("the table has no %q row:\n%s", want, table)
		}
	}
	if python != "" && !strings.Contains(table, "pywinrm") {
		t.Errorf("no pywinrm row:\n%s", table)
	}
	// 450 instances at 200 a page: the schema Get, the Enumerate and two
	// Pulls, for the floor and for cimsh alike.
	for _, line := range strings.Split(table, "\n") {
		if strings.Contains(line, "transport floor") || strings.Contains(line, "s:instances(") {
			if !strings.Contains(line, "| 4 |") {
				t.Errorf("requests of %q: want 4", line)
			}
		}
	}
}
