//go:build windows

package local

import (
	"os/exec"
	"syscall"
)

// shellCommand runs cmdline through cmd.exe. (Real local WMI, whose
// Win32_Process.Create calls CreateProcess itself, is later work.)
func shellCommand(cmdline string) *exec.Cmd {
	return exec.Command("cmd.exe", "/C", cmdline)
}

// detach starts the child in a new process group, so a Ctrl-C in the
// shell does not reach it.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
