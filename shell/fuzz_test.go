package shell

import (
	"strings"
	"testing"
)

// FuzzParseArgs checks the command-line parser never panics and keeps
// the script's arguments intact.
func FuzzParseArgs(f *testing.F) {
	for _, s := range []string{"-e x -i f.lua a b", "-", "--", "-s n --x", "-lfoo -eprint(1)", "-e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		argv := strings.Fields(line)
		o, err := parseArgs(argv)
		if err != nil {
			return
		}
		if o.hasScript && len(o.preArgs)+1+len(o.scriptArgs) > len(argv)+1 {
			t.Fatalf("%q: args do not add up: %+v", argv, o)
		}
	})
}

// FuzzSecret checks the history filter never panics.
func FuzzSecret(f *testing.F) {
	f.Add(`cim.credential("u", "p")`, "p")
	f.Fuzz(func(t *testing.T, line, pw string) {
		if pw != "" && strings.Contains(line, pw) && !secret(line, []string{pw}) {
			t.Fatalf("%q holds %q but is not secret", line, pw)
		}
	})
}
