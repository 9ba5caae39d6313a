package winrs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// Local runs commands on this machine: a command line through the
// platform shell (/bin/sh -c, or cmd /c on Windows), a PowerShell script
// through pwsh (powershell.exe on Windows). It fills the same result as
// Runner, so that scripts work the same locally and remotely.
type Local struct {
	// LookPath finds programs (exec.LookPath when nil).
	LookPath func(string) (string, error)
}

var _ model.CommandRunner = (*Local)(nil)

// passwordEnv is never passed on to a child: cimsh reads a password
// from it.
const passwordEnv = "CIMSH_PASSWORD"

// localScriptLimit is how long an encoded script may be on a local
// command line before it goes through stdin (Linux takes at most 128 KB
// in one argument).
const localScriptLimit = 100000

// RunCommand runs req as a child process and waits for it.
func (l *Local) RunCommand(ctx context.Context, req *model.CommandRequest) (*model.CommandResult, error) {
	argv, stdin, codepage, err := l.argv(req)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if req.TimeLimit > 0 {
		var c context.CancelFunc
		runCtx, c = context.WithTimeoutCause(runCtx, req.TimeLimit, errTimeLimit)
		defer c()
	}
	cmd := exec.CommandContext(runCtx, argv[0], argv[1:]...)
	platformCommand(cmd, argv)
	cmd.WaitDelay = 2 * time.Second
	cmd.Dir = req.WorkingDirectory
	cmd.Env = childEnv(os.Environ(), req.Environment)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	events := make(chan chunk, 8)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, localFault(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, localFault(err)
	}
	if err := cmd.Start(); err != nil {
		return nil, &model.Fault{Category: model.CategoryFailed, Reason: "cannot start " + argv[0] + ": " + startCause(err), Err: err}
	}
	go pump(model.StreamStdout, stdout, events)
	go pump(model.StreamStderr, stderr, events)
	out := newOutput(req, codepage, req.Script != "")
	var readErr error
	for open := 2; open > 0; {
		c := <-events
		switch {
		case c.err != nil:
			readErr = c.err
			open--
		case c.data == nil:
			open--
		default:
			out.add(c.stream, c.data)
		}
	}
	werr := cmd.Wait()
	switch cause := context.Cause(runCtx); {
	case errors.Is(cause, errTimeLimit):
		return nil, &model.Fault{Category: model.CategoryTimeout,
			Reason: fmt.Sprintf("the command ran longer than its time limit (%s) and was terminated", req.TimeLimit)}
	case ctx.Err() != nil:
		return nil, &model.Fault{Category: model.CategoryCanceled, Reason: "cancelled", Err: ctx.Err()}
	case readErr != nil:
		return nil, localFault(readErr)
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return nil, localFault(werr)
	}
	out.close()
	code := exitCode(cmd.ProcessState)
	return out.result(&code), nil
}

// argv builds the child's argument vector, stdin and code page.
func (l *Local) argv(req *model.CommandRequest) ([]string, []byte, int, error) {
	look := l.LookPath
	if look == nil {
		look = exec.LookPath
	}
	bad := func(err error) ([]string, []byte, int, error) {
		return nil, nil, 0, &model.Fault{Category: model.CategoryInvalidParameter, Reason: err.Error(), Err: err}
	}
	if err := checkEnvironment(req.Environment); err != nil {
		return bad(err)
	}
	if req.Script == "" {
		line, args, stdin, cp, err := prepare(req, "", 0, quoteShell)
		if err != nil {
			return bad(err)
		}
		if len(args) > 0 {
			line += " " + strings.Join(args, " ")
		}
		return shellArgv(line), stdin, cp, nil
	}
	exe, err := look(powershellExe)
	if err != nil {
		err := fmt.Errorf("PowerShell (%s) is not installed on this machine", powershellExe)
		return nil, nil, 0, &model.Fault{Category: model.CategoryNotSupported, Reason: err.Error(), Err: err}
	}
	line, _, stdin, cp, err := prepare(req, "x", localScriptLimit, nil)
	if err != nil {
		return bad(err)
	}
	// prepare's line is "x -NoProfile -NonInteractive -EncodedCommand B64".
	return append([]string{exe}, strings.Fields(line)[1:]...), stdin, cp, nil
}

// childEnv is this process's environment without the password cimsh may
// have read, with the request's variables set.
func childEnv(base []string, set []model.EnvVar) []string {
	out := make([]string, 0, len(base)+len(set))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if name == passwordEnv {
			continue
		}
		overridden := false
		for _, v := range set {
			if envNameEqual(name, v.Name) {
				overridden = true
			}
		}
		if !overridden {
			out = append(out, kv)
		}
	}
	for _, v := range set {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// chunk is one read from a child's pipe; data nil and err nil is the end.
type chunk struct {
	stream string
	data   []byte
	err    error
}

func pump(stream string, r io.Reader, events chan<- chunk) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			events <- chunk{stream: stream, data: append([]byte(nil), buf[:n]...)}
		}
		if err == io.EOF || errors.Is(err, os.ErrClosed) {
			events <- chunk{stream: stream}
			return
		}
		if err != nil {
			events <- chunk{stream: stream, err: err}
			return
		}
	}
}

func localFault(err error) *model.Fault {
	return &model.Fault{Category: model.CategoryFailed, Reason: err.Error(), Err: err}
}

// startCause is why a program did not start, without Go's prefixes.
func startCause(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
