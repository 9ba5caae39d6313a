// Command cimsh is a Lua-scriptable CIM/WMI shell: CIM sessions and the
// CimCmdlets operations over WS-Management, from a REPL, script files
// and bundled inventory scripts. It follows the lua interpreter's
// command-line conventions; see `cimsh --help`.
package main

import (
	"os"

	"github.com/cimsh/cimsh/internal/gctune"
	"github.com/cimsh/cimsh/luabind"
	"github.com/cimsh/cimsh/scripts"
	"github.com/cimsh/cimsh/shell"
	"golang.org/x/term"
)

func main() {
	gctune.Start()
	os.Exit(shell.Main(processEnv()))
}

// processEnv describes this process to the shell.
func processEnv() *shell.Env {
	password := takePassword()
	env := &shell.Env{
		Args:   os.Args[1:],
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: func(k string) string {
			if k == luabind.PasswordEnv {
				return password
			}
			return os.Getenv(k)
		},
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		Signals:   true,
		Scripts:   scripts.FS,
		Width: func() int {
			w, _, err := term.GetSize(int(os.Stdout.Fd()))
			if err != nil {
				return 0
			}
			return w - 1 // a full last column makes some terminals wrap
		},
	}
	if env.StdinTTY {
		env.ReadPassword = func(prompt string) (string, error) {
			os.Stderr.WriteString(prompt)
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			os.Stderr.WriteString("\n")
			return string(b), err
		}
	}
	return env
}

// takePassword reads CIMSH_PASSWORD once and removes it from the
// process's environment: cim.credential gets it from memory, and no child
// (os.execute, io.popen, a local Win32_Process.Create or s:run) inherits
// it.
func takePassword() string {
	pw := os.Getenv(luabind.PasswordEnv)
	os.Unsetenv(luabind.PasswordEnv)
	return pw
}
