package local

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_Process method return values, as Windows documents them.
const (
	rvSuccess        = 0
	rvAccessDenied   = 2
	rvUnknownFailure = 8
	rvPathNotFound   = 9
	rvInvalidParam   = 21
)

func returnValue(rv uint64) *model.Instance {
	out := model.NewInstance("__PARAMETERS", "")
	out.Set("ReturnValue", u32(rv))
	return out
}

// targetProcess returns the process of the instance a method is invoked
// on (its ProcessId, else its Handle), a not-found fault when it has gone.
func targetProcess(ctx context.Context, target *model.Instance) (*process.Process, error) {
	pid, ok := targetPID(target)
	if !ok {
		return nil, model.NewFault(model.CIMInvalidParameter, "local: Win32_Process: the method needs a process instance with a process id")
	}
	p, err := process.NewProcessWithContext(ctx, pid)
	if err != nil {
		return nil, model.NewFault(model.CIMNotFound, "local: Win32_Process: no process with Handle \"%d\"", pid)
	}
	return p, nil
}

// targetPID reads the pid of a method's target instance; ok is false
// when it has none.
func targetPID(target *model.Instance) (pid int32, ok bool) {
	if target == nil {
		return 0, false
	}
	if v, ok := target.Get("ProcessId"); ok {
		if u, ok := v.AsUint(); ok && u <= 1<<31-1 {
			return int32(u), true
		}
	}
	if v, ok := target.Get("Handle"); ok {
		if s, ok := v.AsString(); ok {
			if pid, err := strconv.ParseInt(s, 10, 32); err == nil && pid >= 0 {
				return int32(pid), true
			}
		}
	}
	return 0, false
}

// terminateProcess is Win32_Process.Terminate: it kills the process
// (SIGKILL: Windows' TerminateProcess cannot be caught either). Reason,
// which Windows makes the exit code, cannot be imposed on Unix and is
// ignored. ReturnValue is 0 on success and 2 when the process belongs to
// someone this user may not signal.
func terminateProcess(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
	p, err := targetProcess(ctx, target)
	if err != nil {
		return nil, err
	}
	if err := p.KillWithContext(ctx); err != nil {
		switch {
		case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EPERM):
			return returnValue(rvAccessDenied), nil
		case errors.Is(err, os.ErrProcessDone), errors.Is(err, syscall.ESRCH):
			return nil, model.NewFault(model.CIMNotFound, "local: Win32_Process: process %d has exited", p.Pid)
		}
		return returnValue(rvUnknownFailure), nil
	}
	return returnValue(rvSuccess), nil
}

// getOwner is Win32_Process.GetOwner: the user name of the process's real
// owner, and the host name as its domain (Windows gives the computer name
// for local accounts).
func getOwner(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
	p, err := targetProcess(ctx, target)
	if err != nil {
		return nil, err
	}
	user, err := p.UsernameWithContext(ctx)
	if err != nil || user == "" {
		return returnValue(rvAccessDenied), nil
	}
	out := returnValue(rvSuccess)
	out.Set("Domain", str(hostname()))
	out.Set("User", model.String(user))
	return out, nil
}

// createProcess is the static Win32_Process.Create: it starts
// CommandLine detached from cimsh (in its own session, standard streams
// on the null device) in CurrentDirectory, and returns its ProcessId once
// the program runs. A plain command line is split into words as a shell
// would and run directly; one that needs a shell (pipes, variables,
// globs) is run by the system shell with exec, so the pid is still the
// program's. ReturnValue is 9 when the program or the directory does not
// exist and 21 when no command line is given. ProcessStartupInformation
// is accepted and ignored: its fields are Windows window and priority
// settings.
func createProcess(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
	var cmdline, dir string
	if v, ok := in.Get("CommandLine"); ok {
		cmdline, _ = v.AsString()
	}
	if v, ok := in.Get("CurrentDirectory"); ok {
		dir, _ = v.AsString()
	}
	cmdline = strings.TrimSpace(cmdline)
	if cmdline == "" {
		return returnValue(rvInvalidParam), nil
	}
	if dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return returnValue(rvPathNotFound), nil
		}
	}
	cmd, ok := directCommand(cmdline)
	if !ok {
		cmd = shellCommand(cmdline)
	}
	cmd.Dir = dir
	detach(cmd)
	if err := cmd.Start(); err != nil {
		switch {
		case errors.Is(err, exec.ErrNotFound), errors.Is(err, os.ErrNotExist):
			return returnValue(rvPathNotFound), nil
		case errors.Is(err, os.ErrPermission):
			return returnValue(rvAccessDenied), nil
		}
		return returnValue(rvUnknownFailure), nil
	}
	pid := cmd.Process.Pid
	// Reap the child when it exits, so it does not linger as a zombie of
	// the cimsh process.
	go func() { _ = cmd.Wait() }()
	out := returnValue(rvSuccess)
	out.Set("ProcessId", u32(uint64(pid)))
	return out, nil
}

// directCommand builds the command for a plain command line, ok false
// when it needs a shell.
func directCommand(cmdline string) (*exec.Cmd, bool) {
	words, ok := splitCommandLine(cmdline)
	if !ok || isShellBuiltin(words[0]) {
		return nil, false
	}
	// A program that is not found makes Start fail with exec.ErrNotFound.
	return exec.Command(words[0], words[1:]...), true
}

// isShellBuiltin reports whether w is a command only the shell has (no
// program of that name exists to run directly).
func isShellBuiltin(w string) bool {
	switch w {
	case "cd", "exec", "exit", "export", "set", ":", ".", "eval", "read", "trap", "wait", "ulimit", "umask", "unset", "source", "alias":
		return true
	}
	return false
}
