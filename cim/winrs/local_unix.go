//go:build !windows

package winrs

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// powershellExe is PowerShell 7's name.
const powershellExe = "pwsh"

// shellArgv runs a command line through /bin/sh.
func shellArgv(line string) []string { return []string{"/bin/sh", "-c", line} }

// quoteShell quotes an argument for sh: in single quotes, each single
// quote inside ending the quoted part, escaped, and starting another.
func quoteShell(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", errNUL
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'", nil
}

// platformCommand puts the child in a process group of its own, so that
// the terminal's Ctrl-C reaches cimsh only, and cancelling kills the
// whole group (a shell's children too).
func platformCommand(cmd *exec.Cmd, _ []string) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// exitCode is the child's exit status; killed by a signal, 128 plus the
// signal's number, as shells report it.
func exitCode(ps *os.ProcessState) int64 {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int64(ws.Signal())
	}
	return int64(ps.ExitCode())
}

func envNameEqual(a, b string) bool { return a == b }
