package shell

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/luabind"
	"github.com/fatih/color"
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"
)

// interp is one Lua state with the cim module and the shell's output.
type interp struct {
	env  *Env
	opts *options
	L    *lua.LState
	mod  *luabind.Module

	red, bold *color.Color
	color     bool

	// luaMu is held while Lua runs, so completion (readline's goroutine)
	// never reads the state at the same time.
	luaMu sync.Mutex

	signals *signalHandler
	// exit is set by os.exit: the running chunk unwinds (its context is
	// cancelled, so no pcall can keep it alive) and the runner returns
	// exit.code after releasing everything.
	exit struct {
		requested bool
		code      int
	}
	// cancelChunk cancels the running chunk (set while luaMu is held).
	cancelChunk func()
	// passwordReader is the REPL's (readline's) password prompt when set.
	passwordReader func(prompt string) (string, error)
	closed         bool

	rmu    sync.Mutex
	reader LineReader // the REPL's line reader while it runs
}

func (in *interp) lineReader() LineReader {
	in.rmu.Lock()
	defer in.rmu.Unlock()
	return in.reader
}

func (in *interp) setLineReader(r LineReader) {
	in.rmu.Lock()
	in.reader = r
	in.rmu.Unlock()
}

func newInterp(env *Env, o *options) *interp {
	in := &interp{env: env, opts: o}
	in.color = env.StdoutTTY && !o.noColor && env.getenv("NO_COLOR") == ""
	in.red = color.New(color.FgRed)
	in.bold = color.New(color.Bold)
	if in.color {
		in.red.EnableColor()
		in.bold.EnableColor()
	} else {
		in.red.DisableColor()
		in.bold.DisableColor()
	}
	L := lua.NewState()
	in.L = L
	in.mod = luabind.New(L, luabind.Options{
		NewProvider:  env.NewProvider,
		ReadPassword: in.readPassword(),
		Getenv:       env.getenv,
		Stdout:       env.Stdout,
		Width:        in.width,
		Trace:        in.traceWriter(),
	})
	in.replaceStdlib()
	in.preloadLibrary()
	if env.Signals {
		in.signals = startSignals(in)
	}
	return in
}

// width is the terminal's width for tables and help; 0 when stdout is
// not a terminal.
func (in *interp) width() int {
	if !in.env.StdoutTTY || in.env.Width == nil {
		return 0
	}
	return in.env.Width()
}

// readPassword returns the password prompt for credential(): readline's
// in the REPL, the environment's outside it; without a terminal it
// says so, and credential() reads CIMSH_PASSWORD.
func (in *interp) readPassword() func(string) (string, error) {
	return func(prompt string) (string, error) {
		if in.passwordReader != nil {
			return in.passwordReader(prompt)
		}
		if in.env.ReadPassword != nil {
			return in.env.ReadPassword(prompt)
		}
		return "", luabind.ErrNoTerminal
	}
}

// close releases every session and the state; safe to call twice.
func (in *interp) close() {
	if in.closed {
		return
	}
	in.closed = true
	in.mod.CloseAll()
	in.L.Close()
}

// setArg sets the global arg as lua does: arg[0] the script, arg[1..]
// its arguments, negative indexes the interpreter and its options.
func (in *interp) setArg(o *options, script string) {
	t := in.L.NewTable()
	t.RawSetInt(-len(o.preArgs)-1, lua.LString("cimsh"))
	for i, a := range o.preArgs {
		t.RawSetInt(i-len(o.preArgs), lua.LString(a))
	}
	t.RawSetInt(0, lua.LString(script))
	for i, a := range o.scriptArgs {
		t.RawSetInt(i+1, lua.LString(a))
	}
	in.L.SetGlobal("arg", t)
}

// runInit runs the startup file when it exists.
func (in *interp) runInit() (int, bool) {
	path := in.env.initFile()
	if path == "" {
		return 0, true
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, true
	}
	return in.runSource(string(src), path, nil)
}

// require runs -l NAME: require(NAME) into the global of its last
// component; a failure is reported as -l's, not at a line of code the
// user did not write.
func (in *interp) require(name string) (int, bool) {
	fn := in.L.NewFunction(func(L *lua.LState) int {
		L.Push(L.GetGlobal("require"))
		L.Push(lua.LString(name))
		L.Call(1, 1)
		L.SetGlobal(globalName(name), L.Get(-1))
		return 0
	})
	_, err := in.call(fn)
	if code, ok := in.exiting(); ok {
		return code, false
	}
	if err != nil {
		if in.interrupted() {
			return ExitInterrupted, false
		}
		msg := in.errorMessage(err)
		// The error is raised inside require, which has no line of its own.
		msg = strings.TrimSuffix(strings.TrimPrefix(msg, "<string>:1: "), ",")
		fmt.Fprintf(in.env.Stderr, "cimsh: -l %s: %s\n", name, luabind.EscapeControls(msg, false))
		return ExitError, false
	}
	return ExitOK, true
}

// runStdin runs the script read from stdin.
func (in *interp) runStdin(args []string) (int, bool) {
	src, err := io.ReadAll(in.env.Stdin)
	if err != nil {
		fmt.Fprintf(in.env.Stderr, "cimsh: reading stdin: %v\n", err)
		return ExitError, false
	}
	return in.runSource(stripShebang(string(src)), "stdin", args)
}

// runSource compiles and runs a script; on failure it prints
// "cimsh: FILE:LINE: message" and returns the exit code and false.
func (in *interp) runSource(src, name string, args []string) (int, bool) {
	fn, err := in.L.Load(strings.NewReader(src), name)
	if err != nil {
		fmt.Fprintf(in.env.Stderr, "cimsh: %s\n", luabind.EscapeControls(syntaxMessage(err, src), false))
		return ExitError, false
	}
	vals := make([]lua.LValue, len(args))
	for i, a := range args {
		vals[i] = lua.LString(a)
	}
	_, err = in.call(fn, vals...)
	if in.interrupted() {
		// A signal ends cimsh with 130, even when the script, seeing its
		// operation cancelled, chose another code on the way out.
		if _, exiting := in.exiting(); err != nil && !exiting {
			fmt.Fprintln(in.env.Stderr, "cimsh: interrupted")
		}
		return ExitInterrupted, false
	}
	if code, ok := in.exiting(); ok {
		return code, false
	}
	if err != nil {
		// The message may quote a server (an assert on nil, err): its
		// control characters are shown, not executed.
		fmt.Fprintf(in.env.Stderr, "cimsh: %s\n", luabind.EscapeControls(in.errorMessage(err), false))
		return ExitError, false
	}
	return ExitOK, true
}

func (in *interp) interrupted() bool {
	return in.signals != nil && in.signals.fired.Load()
}

// call runs fn as one chunk with a fresh context, and releases what the
// chunk left open.
func (in *interp) call(fn *lua.LFunction, args ...lua.LValue) (out []lua.LValue, err error) {
	in.chunk(func() { out, err = in.pcall(fn, args...) })
	return out, err
}

// chunk runs f as one chunk: holding luaMu (completion waits), with a
// fresh context that Ctrl-C and os.exit cancel, releasing on the way
// out what the chunk left open.
func (in *interp) chunk(f func()) {
	in.luaMu.Lock()
	defer in.luaMu.Unlock()
	cancel := in.mod.BeginChunk(context.Background())
	in.cancelChunk = cancel
	defer func() { in.cancelChunk = nil }()
	defer cancel()
	defer in.mod.EndChunk()
	f()
}

// pcall calls fn and returns its results.
func (in *interp) pcall(fn *lua.LFunction, args ...lua.LValue) ([]lua.LValue, error) {
	L := in.L
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	err := L.PCall(len(args), lua.MultRet, nil)
	if err != nil {
		L.SetTop(top)
		return nil, err
	}
	n := L.GetTop() - top
	out := make([]lua.LValue, n)
	for i := 0; i < n; i++ {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return out, nil
}

// errorMessage renders a runtime error: the message with its position,
// never a Go stack trace.
func (in *interp) errorMessage(err error) string {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if ae.Type == lua.ApiErrorSyntax {
			return syntaxMessage(err, "")
		}
		obj := ae.Object
		switch obj.(type) {
		case lua.LString, lua.LNumber:
			return strings.TrimSpace(obj.String())
		case *lua.LNilType:
			return "nil"
		}
		if _, ok := obj.(*lua.LUserData); ok {
			return in.L.ToStringMeta(obj).String()
		}
		return fmt.Sprintf("(error object is a %s value)", obj.Type())
	}
	return err.Error()
}

// syntaxMessage turns gopher-lua's parse error into lua's form:
// FILE:LINE: message near 'token'.
func syntaxMessage(err error, src string) string {
	var pe *parse.Error
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if p, ok := ae.Cause.(*parse.Error); ok {
			pe = p
		}
	}
	if pe == nil && !errors.As(err, &pe) {
		return strings.TrimSpace(err.Error())
	}
	if pe.Pos.Line == parse.EOF {
		line := strings.Count(src, "\n") + 1
		if strings.HasSuffix(src, "\n") {
			line--
		}
		return fmt.Sprintf("%s:%d: %s near <eof>", pe.Pos.Source, max(line, 1), pe.Message)
	}
	return fmt.Sprintf("%s:%d: %s near '%s'", pe.Pos.Source, pe.Pos.Line, pe.Message, pe.Token)
}

// incomplete reports whether a chunk failed to compile only because it
// ended too soon (the REPL then reads a continuation line).
func incomplete(err error) bool {
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		if p, ok := ae.Cause.(*parse.Error); ok {
			return p.Pos.Line == parse.EOF
		}
		return strings.Contains(ae.Object.String(), "at EOF")
	}
	return false
}

// preloadLibrary makes the bundled scripts' library (lib/NAME.lua)
// loadable as require("cimsh.NAME").
func (in *interp) preloadLibrary() {
	if in.env.Scripts == nil {
		return
	}
	pkg, ok := in.L.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	preload, ok := pkg.RawGetString("preload").(*lua.LTable)
	if !ok {
		return
	}
	names, _ := fs.Glob(in.env.Scripts, "lib/*.lua")
	for _, n := range names {
		file := n
		mod := "cimsh." + strings.TrimSuffix(path.Base(n), ".lua")
		preload.RawSetString(mod, in.L.NewFunction(func(L *lua.LState) int {
			src, err := fs.ReadFile(in.env.Scripts, file)
			if err != nil {
				L.RaiseError("cimsh: cannot read %s: %v", file, err)
			}
			fn, err := L.Load(strings.NewReader(string(src)), mod)
			if err != nil {
				L.RaiseError("%s", syntaxMessage(err, string(src)))
			}
			L.Push(fn)
			L.Push(lua.LString(mod))
			L.Call(1, 1)
			return 1
		}))
	}
}
