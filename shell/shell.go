package shell

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/luabind"
	"github.com/cimsh/cimsh/scripts"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitInterrupted = 130
)

// Env is everything Main takes from the process, so tests can run it
// in-process.
type Env struct {
	Args   []string // without the program name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// StdinTTY and StdoutTTY say whether stdin and stdout are terminals.
	StdinTTY, StdoutTTY bool
	// Width returns the terminal's width in columns (asked again for each
	// table, so a resized window counts); nil or 0: no limit.
	Width func() int
	// Exit ends the process when a signal arrives while the REPL waits
	// for a line; os.Exit when nil. (os.exit in Lua does not call it: the
	// chunk unwinds and Main returns the code.)
	Exit func(code int)
	// Signals enables SIGINT/SIGTERM handling (the binary; not tests).
	Signals bool
	// Scripts holds the bundled *.lua scripts.
	Scripts fs.FS
	// NewProvider, when set, serves every session (tests).
	NewProvider func(cim.Config) (model.Provider, error)
	// LineReader, when set, is the REPL's line source (tests); otherwise
	// readline on a terminal, plain lines otherwise.
	LineReader LineReader
	// ReadPassword prompts without echo outside the REPL; nil means no
	// terminal.
	ReadPassword func(prompt string) (string, error)
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return os.Getenv(k)
	}
	return e.Getenv(k)
}

func (e *Env) exit(code int) {
	if e.Exit != nil {
		e.Exit(code)
		return
	}
	os.Exit(code)
}

// Main runs cimsh with env and returns the exit code. It never panics:
// an internal error is reported as a message.
func Main(env *Env) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "cimsh: internal error: %s\n", luabind.EscapeControls(fmt.Sprint(r), false))
			code = ExitError
		}
	}()
	o, err := parseArgs(env.Args)
	if err != nil {
		fmt.Fprintf(env.Stderr, "cimsh: %v\n%s", err, usageText)
		return ExitError
	}
	switch {
	case o.help:
		io.WriteString(env.Stdout, usageText)
		return ExitOK
	case o.version:
		fmt.Fprintf(env.Stdout, "cimsh %s (Lua 5.1 on gopher-lua)\n", luabind.Version)
		return ExitOK
	case o.listScripts:
		return listScripts(env)
	}
	in := newInterp(env, o)
	defer in.close()
	if in.signals != nil {
		defer in.signals.stop()
	}
	if code, ok := in.runInit(); !ok {
		return code
	}
	for _, a := range o.actions {
		var code int
		var ok bool
		if a.kind == "e" {
			code, ok = in.runSource(a.arg, "(command line)", nil)
		} else {
			code, ok = in.require(a.arg)
		}
		if !ok {
			return code
		}
	}
	switch {
	case o.bundled != "":
		src, err := fs.ReadFile(env.Scripts, scriptFile(o.bundled))
		if err != nil || env.Scripts == nil {
			fmt.Fprintf(env.Stderr, "cimsh: no bundled script %q (cimsh --list-scripts lists them)\n", o.bundled)
			return ExitError
		}
		in.setArg(o, "@"+o.bundled)
		if code, ok := in.runSource(string(src), o.bundled+".lua", o.scriptArgs); !ok {
			return code
		}
	case o.hasScript && o.script == "-":
		in.setArg(o, "-")
		if code, ok := in.runStdin(o.scriptArgs); !ok {
			return code
		}
	case o.hasScript:
		src, err := os.ReadFile(o.script)
		if err != nil {
			fmt.Fprintf(env.Stderr, "cimsh: cannot open %s\n", o.script)
			return ExitError
		}
		in.setArg(o, o.script)
		if code, ok := in.runSource(stripShebang(string(src)), o.script, o.scriptArgs); !ok {
			return code
		}
	case len(o.actions) == 0 && !o.interactive:
		if env.StdinTTY || env.LineReader != nil {
			return in.repl(env.StdinTTY)
		}
		in.setArg(o, "")
		if code, ok := in.runStdin(nil); !ok {
			return code
		}
	}
	if o.interactive {
		return in.repl(true) // as lua -i, which implies -v
	}
	return ExitOK
}

// globalName is the global -l NAME assigns: the name's last component.
func globalName(name string) string {
	if i := strings.LastIndexAny(name, "./"); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ReplaceAll(name, "-", "_")
	if name == "" {
		return "_"
	}
	return name
}

func stripShebang(src string) string {
	if strings.HasPrefix(src, "#") {
		if i := strings.IndexByte(src, '\n'); i >= 0 {
			return "--" + src[i:] // keep line numbers
		}
		return ""
	}
	return src
}

func scriptFile(name string) string {
	if strings.HasSuffix(name, ".lua") {
		return name
	}
	return name + ".lua"
}

// listScripts prints the bundled scripts with their descriptions.
func listScripts(env *Env) int {
	if env.Scripts == nil {
		return ExitOK
	}
	list := scripts.List(env.Scripts)
	w := 0
	for _, s := range list {
		w = max(w, len(s.Name))
	}
	for _, s := range list {
		fmt.Fprintf(env.Stdout, "%-*s  %s\n", w, s.Name, s.Description)
	}
	return ExitOK
}

// initFile is $XDG_CONFIG_HOME/cimsh/init.lua (~/.config when unset).
func (e *Env) initFile() string { return e.xdgFile("XDG_CONFIG_HOME", ".config", "init.lua") }

// historyFile is $XDG_STATE_HOME/cimsh/history (~/.local/state when unset).
func (e *Env) historyFile() string {
	return e.xdgFile("XDG_STATE_HOME", filepath.Join(".local", "state"), "history")
}

// xdgFile is $VAR/cimsh/name, or ~/fallback/cimsh/name when VAR is
// unset; "" without a home directory.
func (e *Env) xdgFile(variable, fallback, name string) string {
	dir := e.getenv(variable)
	if dir == "" {
		home := e.getenv("HOME")
		if home == "" {
			return ""
		}
		dir = filepath.Join(home, fallback)
	}
	return filepath.Join(dir, "cimsh", name)
}
