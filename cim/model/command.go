package model

import (
	"context"
	"time"
)

// CommandRunner is a provider that can run commands on its machine:
// WinRS shells on a WS-Man server, processes on the local machine. A
// provider without it cannot run commands.
type CommandRunner interface {
	// RunCommand runs one command to its end and returns its output and
	// exit code. A non-zero exit code is a result; an error means the
	// command could not be run or its output not read in full.
	RunCommand(ctx context.Context, req *CommandRequest) (*CommandResult, error)
}

// CommandRequest says what to run and how.
type CommandRequest struct {
	Common
	// Command is a command line for the platform shell (cmd.exe on
	// Windows targets, /bin/sh locally on Unix); Arguments are appended,
	// each quoted for that shell.
	Command   string
	Arguments []string
	// Script, when set instead of Command, is a PowerShell script.
	Script string
	// Stdin is the command's standard input (closed after it).
	Stdin []byte
	// WorkingDirectory and Environment set up the shell the command
	// runs in.
	WorkingDirectory string
	Environment      []EnvVar
	// Codepage is the code page the command's output is in (WinRS's
	// WINRS_CODEPAGE); 0 means 65001 (UTF-8). Output in another code
	// page is converted to UTF-8.
	Codepage int
	// TimeLimit terminates the command after this long (0: no limit).
	TimeLimit time.Duration
	// OnOutput, when set, receives the output as it arrives: once per
	// stream per response (or read) that carries data, in order, text
	// converted to UTF-8. It is called from one goroutine at a time and
	// may block, which holds the command's output back.
	OnOutput func(stream string, text []byte)
}

// EnvVar is one environment variable.
type EnvVar struct{ Name, Value string }

// The output streams.
const (
	StreamStdout = "stdout"
	StreamStderr = "stderr"
)

// CommandResult is what a command produced.
type CommandResult struct {
	Stdout, Stderr []byte
	// ExitCode is nil when the server reported none.
	ExitCode *int64
}
