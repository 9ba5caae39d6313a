package shell

import (
	"strings"
	"testing"
	"time"
)

// TestInterruptLoopingToString checks that printing a value is part of
// the line: Ctrl-C stops a __tostring that never returns, and the REPL
// goes on.
func TestInterruptLoopingToString(t *testing.T) {
	env, out, _ := testEnv(t, "")
	env.LineReader = NewPlainReader(strings.NewReader("setmetatable({}, {__tostring = function() while true do end end})\n'after'\n"))
	in := newInterp(env, &options{})
	defer in.close()
	done := make(chan int, 1)
	go func() { done <- in.repl(false) }()
	for !in.mod.Running() { // the looping line has started
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	in.mod.Interrupt() // Ctrl-C
	select {
	case <-done:
		if got := out.String(); got != "interrupted\nafter\n" {
			t.Errorf("output %q", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the REPL hangs in a __tostring that loops")
	}
}
