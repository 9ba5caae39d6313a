package wsmantest

import (
	"context"
	"io"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// Program is what a WinRS command does on the test server: it reads
// p.Stdin, writes p.Stdout and p.Stderr, and returns the exit code. ctx
// is cancelled when the client signals terminate (or ctrl_c) or deletes
// the shell; a Program must then return.
type Program func(ctx context.Context, p *Process) int

// Process is one command running in a test server's shell.
type Process struct {
	ShellID, CommandID string
	// Command and Arguments are the rsp:Command and rsp:Arguments texts
	// as received; CommandLine joins them with spaces, as WinRS builds
	// the command line it hands to cmd.exe.
	Command     string
	Arguments   []string
	CommandLine string
	// SkipCmdShell is WINRS_SKIP_CMD_SHELL (run without cmd.exe).
	SkipCmdShell bool
	// The shell's settings (rsp:WorkingDirectory, rsp:Environment,
	// WINRS_CODEPAGE) and the authenticated user.
	WorkingDirectory string
	Environment      map[string]string
	Codepage         int
	User             string
	ComputerName     string
	// Provider is the server's provider, so that a command can change
	// what CIM shows (EmulateWindows' net start and net stop do).
	Provider model.Provider

	// Stdin reads what the client Sends; it ends (io.EOF) after a Send
	// with End="true", or when the command is terminated.
	Stdin io.Reader
	// Stdout and Stderr queue output. Each Write becomes one rsp:Stream
	// element (longer writes several); Flush ends a Receive response, so
	// a program controls how its output is split across Receives.
	// Output is also flushed every 64 KB and when the program returns.
	Stdout, Stderr io.Writer

	cmd *winrsCommand
}

// Flush makes the output written so far one Receive response's worth:
// the next Receive returns it (and nothing written later).
func (p *Process) Flush() { p.cmd.flush() }

// maxUnflushed is how much output accumulates before it is flushed
// without the program asking.
const maxUnflushed = 64 << 10

// outChunk is one rsp:Stream element's data.
type outChunk struct {
	stream string
	data   []byte
}

// winrsCommand is a command's state: output waiting for Receives, input
// from Sends, and whether it has finished.
type winrsCommand struct {
	id    string
	shell *winrsShell

	mu       sync.Mutex
	changed  chan struct{} // closed (and replaced) on every change
	packets  [][]outChunk  // flushed output, one Receive response each
	cur      []outChunk    // output written since the last flush
	curSize  int
	stdin    []byte
	stdinEOF bool
	done     bool // the program returned
	doneSent bool // a Receive reported CommandState Done
	clixml   bool // the emulated PowerShell started its CLIXML error stream
	exitCode int
	cancel   context.CancelFunc
	finished chan struct{} // closed when the program goroutine ends
}

// broadcastLocked wakes everyone waiting for a change; mu is held.
func (c *winrsCommand) broadcastLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *winrsCommand) write(stream string, p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return 0, io.ErrClosedPipe
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.cur = append(c.cur, outChunk{stream: stream, data: append([]byte(nil), p...)})
	c.curSize += len(p)
	if c.curSize >= maxUnflushed {
		c.flushLocked()
	}
	return len(p), nil
}

func (c *winrsCommand) flush() {
	c.mu.Lock()
	c.flushLocked()
	c.mu.Unlock()
}

func (c *winrsCommand) flushLocked() {
	if len(c.cur) == 0 {
		return
	}
	c.packets = append(c.packets, c.cur)
	c.cur, c.curSize = nil, 0
	c.broadcastLocked()
}

// finish records the program's exit code.
func (c *winrsCommand) finish(code int) {
	c.mu.Lock()
	c.flushLocked()
	c.done, c.exitCode = true, code
	c.broadcastLocked()
	c.mu.Unlock()
}

// send appends stdin data from a Send.
func (c *winrsCommand) send(data []byte, end bool) {
	c.mu.Lock()
	c.stdin = append(c.stdin, data...)
	if end {
		c.stdinEOF = true
	}
	c.broadcastLocked()
	c.mu.Unlock()
}

type streamWriter struct {
	c      *winrsCommand
	stream string
}

func (w streamWriter) Write(p []byte) (int, error) { return w.c.write(w.stream, p) }

// stdinReader blocks until Sends bring data, the client ends the stream,
// or the command is terminated.
type stdinReader struct {
	c   *winrsCommand
	ctx context.Context
}

func (r stdinReader) Read(p []byte) (int, error) {
	for {
		r.c.mu.Lock()
		if len(r.c.stdin) > 0 {
			n := copy(p, r.c.stdin)
			r.c.stdin = r.c.stdin[n:]
			r.c.mu.Unlock()
			return n, nil
		}
		if r.c.stdinEOF {
			r.c.mu.Unlock()
			return 0, io.EOF
		}
		ch := r.c.changed
		r.c.mu.Unlock()
		select {
		case <-ch:
		case <-r.ctx.Done():
			return 0, io.EOF
		}
	}
}
