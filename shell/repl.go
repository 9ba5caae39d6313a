package shell

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/luabind"
	lua "github.com/yuin/gopher-lua"
)

// Prompts, as lua's.
const (
	prompt1 = "> "
	prompt2 = ">> "
)

// repl runs the interactive loop until Ctrl-D or os.exit. banner
// prints the version line first.
func (in *interp) repl(banner bool) int {
	r := in.env.LineReader
	if r == nil {
		if in.env.StdinTTY {
			rl, err := newReadline(in.env)
			if err != nil {
				fmt.Fprintf(in.env.Stderr, "cimsh: %v\n", err)
				return ExitError
			}
			r = rl
		} else {
			pr := NewPlainReader(in.env.Stdin)
			pr.Prompt = in.env.Stdout
			r = pr
		}
	}
	defer r.Close()
	in.setLineReader(r)
	defer in.setLineReader(nil)
	in.passwordReader = r.ReadPassword
	defer func() { in.passwordReader = nil }()
	if in.signals != nil {
		in.signals.repl.Store(true)
		defer in.signals.repl.Store(false)
	}
	hist := loadHistory(in.env.historyFile())
	r.SetHistory(hist.lines)

	var pendingMu sync.Mutex
	var pending []string
	r.SetCompleter(func(text string) (cands []string, n int) {
		defer func() {
			if recover() != nil { // completion must never take the shell down
				cands, n = nil, 0
			}
		}()
		pendingMu.Lock()
		prefix := strings.Join(pending, "\n")
		pendingMu.Unlock()
		if prefix != "" {
			text = prefix + "\n" + text
		}
		if !in.luaMu.TryLock() {
			return nil, 0 // Lua is running: complete nothing rather than race
		}
		defer in.luaMu.Unlock()
		return in.mod.Complete(text)
	})
	if banner {
		fmt.Fprintf(in.env.Stdout, "cimsh %s (Lua 5.1) -- help() lists the cim functions\n", luabind.Version)
	}
	for {
		pendingMu.Lock()
		p := prompt1
		if len(pending) > 0 {
			p = prompt2
		}
		pendingMu.Unlock()
		line, err := r.ReadLine(p)
		if errors.Is(err, ErrInterrupt) {
			pendingMu.Lock()
			pending = nil
			pendingMu.Unlock()
			continue
		}
		if err != nil {
			if in.interrupted() {
				return ExitInterrupted // SIGTERM closed the reader
			}
			if err != io.EOF {
				fmt.Fprintf(in.env.Stderr, "cimsh: %v\n", err)
			}
			if in.env.StdinTTY {
				io.WriteString(in.env.Stdout, "\n")
			}
			return ExitOK
		}
		pendingMu.Lock()
		pending = append(pending, line)
		lines := append([]string(nil), pending...)
		pendingMu.Unlock()
		chunk := strings.Join(lines, "\n")
		fn, perr := in.compileLine(chunk)
		if perr != nil && incomplete(perr) {
			continue
		}
		pendingMu.Lock()
		pending = nil
		pendingMu.Unlock()
		if perr != nil {
			in.printError(syntaxMessage(perr, chunk))
		} else {
			in.evalLine(fn)
		}
		if in.interrupted() {
			return ExitInterrupted // SIGTERM during the line
		}
		added, purged := hist.add(lines, in.mod.Secrets())
		if purged {
			r.SetHistory(hist.lines)
		} else {
			for _, l := range added {
				r.AddHistory(l)
			}
		}
		if code, ok := in.exiting(); ok {
			return code
		}
	}
}

// compileLine compiles a REPL chunk: as an expression to print when it
// is one ("1+1", or lua's "=expr"), else as statements.
func (in *interp) compileLine(chunk string) (*lua.LFunction, error) {
	src := chunk
	if strings.HasPrefix(src, "=") {
		src = "return " + src[1:]
	}
	if fn, err := in.L.Load(strings.NewReader("return "+src), "stdin"); err == nil {
		return fn, nil
	}
	return in.L.Load(strings.NewReader(src), "stdin")
}

// evalLine runs one REPL chunk and prints its values or its error.
// Printing is part of the chunk: a value's __tostring is user code, so
// it runs under the chunk's context (Ctrl-C stops a __tostring that
// loops) and lock (completion never reads the state meanwhile).
func (in *interp) evalLine(fn *lua.LFunction) {
	var err error
	in.chunk(func() {
		var vals []lua.LValue
		if vals, err = in.pcall(fn); err == nil {
			in.printResults(vals)
		}
	})
	switch {
	case in.exit.requested:
	case in.mod.Interrupted():
		in.printError("interrupted")
	case err != nil:
		msg := in.errorMessage(err)
		if strings.HasSuffix(msg, "context canceled") {
			msg = "interrupted"
		}
		in.printError(msg)
	}
}
