// Command bench is cimsh's performance harness. It starts the project's
// WS-Man test server (cim/wsmantest) on loopback serving Win32_Process
// instances shaped like a Windows server's (the real property set,
// datetimes, uint64 values, NULLs; about 2.4 KB of XML each, 200 per
// Pull), and runs, as separate processes, the same enumeration through a
// transport floor (a Go client that reads the pages and parses nothing),
// cimsh's decoder alone (replies replayed from memory), cimsh's Lua
// iterator, get_instance and pywinrm with ElementTree; then the small
// query, fan-out and start-up rows. Rows run in rounds (each row once a
// round, so that load on the machine falls on all of them alike) and the
// table gives medians:
//
//	go run ./bench                # from the module root; builds cimsh
//	go run ./bench -rounds 3 -rows 'floor|iterator'
//	go run ./bench -before /tmp/old   # old cimsh and bench beside the new
//
// Targets are read off the table; nothing here passes or fails on time.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
)

// benchUser is the account the harness's servers accept (Basic).
const benchUser = "bench"

func main() {
	if len(os.Args) > 1 {
		var err error
		switch os.Args[1] {
		case "floor":
			err = runFloor(os.Args[2:])
		case "decode":
			err = runDecode(os.Args[2:])
		default:
			err = harness(os.Args[1:])
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if err := harness(nil); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is the harness's command line.
type config struct {
	rounds, bigRounds int
	n, big            int
	cimsh, python     string
	rows              *regexp.Regexp
	fanout            bool
	out               string
	verbose           bool
	before            string
	warmup            bool
	valgrind          bool
}

func harness(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var c config
	fs.IntVar(&c.rounds, "rounds", 10, "rounds (each row runs once a round; the table gives medians)")
	fs.IntVar(&c.bigRounds, "big-rounds", 3, "rounds of the long flat-memory row")
	fs.IntVar(&c.n, "n", 19800, "Win32_Process instances of the main workload")
	fs.IntVar(&c.big, "big", 100000, "instances of the flat-memory row")
	fs.StringVar(&c.cimsh, "cimsh", "", "cimsh binary to measure (default: go build the module)")
	fs.StringVar(&c.python, "python", debianPython, "Python with python3-winrm (empty: skip the pywinrm row)")
	rows := fs.String("rows", "", "run only the rows whose key matches this regexp")
	fs.BoolVar(&c.fanout, "fanout", true, "run the fan-out rows (1,000 loopback addresses)")
	fs.StringVar(&c.out, "o", "", "also write the table to this file")
	fs.BoolVar(&c.verbose, "v", false, "print every sample")
	fs.BoolVar(&c.warmup, "warmup", true, "run every row once before the measured rounds (else only the start-up and pywinrm rows)")
	fs.BoolVar(&c.valgrind, "valgrind", false, "also count the instructions of the floor, decode, iterator, get_instance and start-up rows under valgrind (one run each; minutes)")
	fs.StringVar(&c.before, "before", "", "directory with cimsh and bench built from an older tree: each cimsh row also runs with them (before and after in one run)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q (flags only)", fs.Args())
	}
	if *rows != "" {
		re, err := regexp.Compile(*rows)
		if err != nil {
			return fmt.Errorf("-rows: %w", err)
		}
		c.rows = re
	}
	if c.rounds < 1 || c.bigRounds < 1 || c.n < 1 || c.big < 1 {
		return fmt.Errorf("-rounds, -big-rounds, -n and -big must be positive")
	}
	return run(&c)
}
