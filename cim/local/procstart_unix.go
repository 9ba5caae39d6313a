//go:build !windows

package local

import (
	"os/exec"
	"syscall"
)

// shellCommand runs cmdline through /bin/sh with exec, so the shell
// replaces itself by the program and the pid is the program's.
func shellCommand(cmdline string) *exec.Cmd {
	return exec.Command("/bin/sh", "-c", "exec "+cmdline)
}

// detach puts the child in a session of its own, so it outlives cimsh
// and a Ctrl-C in the shell does not reach it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
}
