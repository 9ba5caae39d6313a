package shell

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// markWriter writes to w and closes seen once what was written holds
// mark: the event a test acts on, written by the Lua code itself.
type markWriter struct {
	mu   sync.Mutex
	w    *bytes.Buffer
	mark string
	seen chan struct{}
	once sync.Once
}

func (m *markWriter) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.w.Write(p)
	if strings.Contains(m.w.String(), m.mark) {
		m.once.Do(func() { close(m.seen) })
	}
	return n, err
}

var _ io.Writer = (*markWriter)(nil)

// TestInterruptLoopingToString checks that printing a value is part of
// the line: Ctrl-C stops a __tostring that never returns, and the REPL
// goes on. The interrupt goes once the __tostring has said it loops.
func TestInterruptLoopingToString(t *testing.T) {
	env, out, _ := testEnv(t, "")
	mw := &markWriter{w: out, mark: "looping\n", seen: make(chan struct{})}
	env.Stdout = mw
	env.LineReader = NewPlainReader(strings.NewReader("setmetatable({}, {__tostring = function() print('looping') while true do end end})\n'after'\n"))
	in := newInterp(env, &options{})
	defer in.close()
	done := make(chan int, 1)
	go func() { done <- in.repl(false) }()
	select {
	case <-mw.seen: // the __tostring loops
	case <-time.After(30 * time.Second):
		t.Fatal("the __tostring never ran")
	}
	in.mod.Interrupt() // Ctrl-C
	// The loop is forever: a generous bound still tells it apart.
	select {
	case <-done:
		mw.mu.Lock()
		got := out.String()
		mw.mu.Unlock()
		if got != "looping\ninterrupted\nafter\n" {
			t.Errorf("output %q", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the REPL hangs in a __tostring that loops")
	}
}
