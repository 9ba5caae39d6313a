package winrs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/masterzen/winrm"
)

// Options configure a Runner.
type Options struct {
	// Endpoint is the server's URL (http://host:5985/wsman).
	Endpoint string
	// ComputerName is put on every fault.
	ComputerName string
	// MaxEnvelopeSize is w:MaxEnvelopeSize (default 512000).
	MaxEnvelopeSize int
	// Locale is w:Locale (default en-US).
	Locale string
	// OperationTimeout is w:OperationTimeout, how long the server may
	// hold a Receive with no output (default and maximum 60 s); each
	// request's client deadline is this plus a grace period.
	OperationTimeout time.Duration
	// CleanupTimeout bounds the Signal and the Delete that end a run,
	// which go out even when the run was cancelled (default 5 s).
	CleanupTimeout time.Duration
}

const (
	maxOperationTimeout = 60 * time.Second
	requestGrace        = 15 * time.Second
)

// Runner runs commands in WinRS shells on one server, one shell per
// command, deleted when the command ends (also on error and
// cancellation). It is safe for concurrent use.
type Runner struct {
	tr       Transport
	opts     Options
	endpoint winrm.Endpoint

	base context.Context // cancelled by Close
	stop context.CancelFunc
	wg   sync.WaitGroup
	mu   sync.Mutex
	done bool
}

var _ model.CommandRunner = (*Runner)(nil)

// New returns a runner posting through tr. It opens nothing.
func New(tr Transport, opts Options) (*Runner, error) {
	if opts.MaxEnvelopeSize <= 0 {
		opts.MaxEnvelopeSize = 512000
	}
	if opts.MaxEnvelopeSize < 8192 {
		return nil, fmt.Errorf("winrs: MaxEnvelopeSize %d is below 8192", opts.MaxEnvelopeSize)
	}
	if opts.Locale == "" {
		opts.Locale = "en-US"
	}
	for _, r := range opts.Locale {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return nil, fmt.Errorf("winrs: locale %q is not a language tag", opts.Locale)
		}
	}
	if opts.OperationTimeout <= 0 || opts.OperationTimeout > maxOperationTimeout {
		opts.OperationTimeout = maxOperationTimeout
	}
	if opts.CleanupTimeout <= 0 {
		opts.CleanupTimeout = 5 * time.Second
	}
	u, err := url.Parse(opts.Endpoint)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("winrs: endpoint %q is not a URL", opts.Endpoint)
	}
	port, _ := strconv.Atoi(u.Port())
	r := &Runner{tr: tr, opts: opts, endpoint: winrm.Endpoint{Host: u.Hostname(), Port: port, HTTPS: u.Scheme == "https"}}
	r.base, r.stop = context.WithCancel(context.Background())
	return r, nil
}

// Close cancels the commands still running and waits until their shells
// are deleted (each Signal and Delete bounded by CleanupTimeout). Later
// runs fail.
func (r *Runner) Close() error {
	r.mu.Lock()
	r.done = true
	r.mu.Unlock()
	r.stop()
	r.wg.Wait()
	return nil
}

// operationTimeout is a request's w:OperationTimeout: the request's own
// (operation_timeout_sec), else the runner's, at most 60 s.
func (r *Runner) operationTimeout(req *model.CommandRequest) time.Duration {
	if d := req.OperationTimeout; d > 0 {
		return min(d, maxOperationTimeout)
	}
	return r.opts.OperationTimeout
}

func (r *Runner) begin() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return false
	}
	r.wg.Add(1)
	return true
}

// RunCommand runs req in a new shell and deletes the shell.
func (r *Runner) RunCommand(ctx context.Context, req *model.CommandRequest) (*model.CommandResult, error) {
	line, args, stdin, codepage, err := prepare(req, "powershell.exe", maxCommandLine, cmdArgument)
	if err != nil {
		return nil, &model.Fault{Category: model.CategoryInvalidParameter, ComputerName: r.opts.ComputerName, Reason: err.Error(), Err: err}
	}
	if err := checkEnvironment(req.Environment); err != nil {
		return nil, &model.Fault{Category: model.CategoryInvalidParameter, ComputerName: r.opts.ComputerName, Reason: err.Error(), Err: err}
	}
	for i, s := range append([]string{line, req.WorkingDirectory}, args...) {
		if _, err := cdataSafe(s); err != nil {
			what := "the command"
			if i == 1 {
				what = "working_directory"
			} else if i > 1 {
				what = fmt.Sprintf("argument %d", i-1)
			}
			return nil, &model.Fault{Category: model.CategoryInvalidParameter, ComputerName: r.opts.ComputerName, Reason: what + " " + err.Error()}
		}
	}
	if !r.begin() {
		return nil, &model.Fault{Category: model.CategoryFailed, ComputerName: r.opts.ComputerName, Reason: "the session is closed"}
	}
	defer r.wg.Done()

	runCtx, cancelCause := context.WithCancelCause(ctx)
	defer cancelCause(nil)
	cancel := func() { cancelCause(errAborted) }
	stopOnClose := context.AfterFunc(r.base, func() { cancelCause(errClosed) })
	defer stopOnClose()
	if req.TimeLimit > 0 {
		var cancelLimit context.CancelFunc
		runCtx, cancelLimit = context.WithTimeoutCause(runCtx, req.TimeLimit, errTimeLimit)
		defer cancelLimit()
	}

	opTimeout := r.operationTimeout(req)
	t := newRunTransport(r, runCtx, opTimeout+requestGrace)
	params := winrm.Parameters{
		Timeout:      fmt.Sprintf("PT%.3fS", opTimeout.Seconds()),
		Locale:       r.opts.Locale,
		EnvelopeSize: r.opts.MaxEnvelopeSize,
		// The session's transport, bound to each request's context.
		TransportDecorator: func() winrm.Transporter { return t },
	}
	client, err := winrm.NewClientWithParameters(&r.endpoint, "", "", &params)
	if err != nil {
		return nil, r.protocolFault(err)
	}
	shellID, err := t.createShell(client, req, codepage)
	if err != nil {
		return nil, r.runError(ctx, runCtx, req, t, err)
	}
	shell := client.NewShell(shellID)
	// The shell is always deleted (Delete terminates what still runs in
	// it), under the cleanup deadline even when the run was cancelled. A
	// failed Delete does not undo the command's result.
	defer shell.Close()

	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i], _ = cdataSafe(a)
	}
	safeLine, _ := cdataSafe(line)
	// context.Background: the library's own reaction to a cancelled
	// context is a Signal through the cancelled transport and one more
	// Receive; runTransport's context ends the Receive instead, and the
	// Signal is sent below.
	cmd, err := shell.ExecuteWithContext(context.Background(), safeLine, quoted...)
	if err != nil {
		return nil, r.runError(ctx, runCtx, req, t, err)
	}
	res, err := r.collect(runCtx, cancel, req, t, client, shellID, cmd, stdin, codepage)
	if err != nil {
		return nil, r.runError(ctx, runCtx, req, t, err)
	}
	return res, nil
}

// The causes of a run's end other than the caller's context.
var (
	errTimeLimit = errors.New("time limit")
	errAborted   = errors.New("aborted")
	errClosed    = errors.New("session closed")
)

// collect reads the command's output until it ends, feeding stdin
// alongside. On failure or cancellation the command is terminated.
func (r *Runner) collect(ctx context.Context, cancel context.CancelFunc, req *model.CommandRequest, t *runTransport,
	client *winrm.Client, shellID string, cmd *winrm.Command, stdin []byte, codepage int) (*model.CommandResult, error) {
	ended := make(chan struct{})
	go func() { cmd.Wait(); close(ended) }()
	var stdinDone chan error
	if stdin != nil {
		stdinDone = make(chan error, 1)
		id := t.command()
		go func() { stdinDone <- t.sendStdin(client, shellID, id, stdin) }()
	}
	out := newOutput(req, codepage, req.Script != "")
	var failure error
loop:
	for {
		select {
		case rc := <-t.receipts:
			if err := readReceipt(cmd, rc, out); err != nil {
				failure = err
				break loop
			}
		case err := <-stdinDone:
			stdinDone = nil
			if err != nil && t.done() == nil {
				failure = fmt.Errorf("sending stdin: %w", err)
				break loop
			}
		case <-ended:
			break loop
		}
	}
	if failure == nil {
		failure = ctx.Err()
	}
	if failure == nil {
		// The library closes its pipes with the Receive's error, or at
		// the end of the output.
		var one [1]byte
		if _, err := cmd.Stdout.Read(one[:]); err != io.EOF {
			failure = err
			if failure == nil {
				failure = errors.New("output after the end of the command")
			}
		}
	}
	if failure == nil && t.done() == nil {
		failure = errors.New("the output ended before the command did")
	}
	if failure != nil {
		// Stop the Receives, let the library's goroutine finish (it may
		// be writing to a pipe), then terminate the command: Close sends
		// Signal terminate.
		cancel()
		go io.Copy(io.Discard, cmd.Stdout)
		go io.Copy(io.Discard, cmd.Stderr)
		<-ended
		if t.done() == nil {
			cmd.Close()
		}
		if stdinDone != nil {
			<-stdinDone
		}
		return nil, failure
	}
	if stdinDone != nil {
		<-stdinDone
	}
	out.close()
	return out.result(t.done().exitCode), nil
}

// readReceipt reads what one Receive reply brought from the library's
// pipes (stdout first, as it writes them) and passes it on.
func readReceipt(cmd *winrm.Command, rc receipt, out *output) error {
	for _, s := range []struct {
		name string
		n    int
		r    io.Reader
	}{{model.StreamStdout, rc.stdout, cmd.Stdout}, {model.StreamStderr, rc.stderr, cmd.Stderr}} {
		if s.n == 0 {
			continue
		}
		buf := make([]byte, s.n)
		if _, err := io.ReadFull(s.r, buf); err != nil {
			return fmt.Errorf("reading %s: %w", s.name, err)
		}
		out.add(s.name, buf)
	}
	return nil
}

// runError is the error a run returns: the time limit, the caller's
// cancellation, the session's close, or else the transport's typed fault
// when there is one.
func (r *Runner) runError(caller, run context.Context, req *model.CommandRequest, t *runTransport, err error) error {
	switch cause := context.Cause(run); {
	case errors.Is(cause, errTimeLimit):
		return &model.Fault{Category: model.CategoryTimeout, ComputerName: r.opts.ComputerName,
			Reason: fmt.Sprintf("the command ran longer than its time limit (%s) and was terminated", req.TimeLimit), Err: err}
	case errors.Is(caller.Err(), context.DeadlineExceeded):
		return &model.Fault{Category: model.CategoryTimeout, ComputerName: r.opts.ComputerName, Reason: "timed out", Err: caller.Err()}
	case caller.Err() != nil:
		return &model.Fault{Category: model.CategoryCanceled, ComputerName: r.opts.ComputerName, Reason: "cancelled", Err: caller.Err()}
	case errors.Is(cause, errClosed):
		return &model.Fault{Category: model.CategoryFailed, ComputerName: r.opts.ComputerName, Reason: "the session was closed while the command ran", Err: err}
	}
	if f := t.failure(); f != nil {
		return f
	}
	if f, ok := model.AsFault(err); ok {
		return f
	}
	return &model.Fault{Category: model.CategoryProtocol, ComputerName: r.opts.ComputerName, Reason: err.Error(), Err: err}
}
