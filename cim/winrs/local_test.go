//go:build !windows

package winrs_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
)

func TestLocalRun(t *testing.T) {
	l := &winrs.Local{}
	ctx := testCtx(t)
	res, err := l.RunCommand(ctx, &model.CommandRequest{Command: "echo out; echo err >&2; exit 3"})
	if err != nil || string(res.Stdout) != "out\n" || string(res.Stderr) != "err\n" || exit(t, res) != 3 {
		t.Fatalf("%v %+v", err, res)
	}
	// arguments reach the program as given
	args := []string{"two words", "it's", `"q"`, "$HOME", "`x`", "", "*"}
	res, err = l.RunCommand(ctx, &model.CommandRequest{Command: "printf '[%s]'", Arguments: args})
	if err != nil || string(res.Stdout) != "[two words][it's][\"q\"][$HOME][`x`][][*]" {
		t.Fatalf("%v %q", err, res.Stdout)
	}
	// stdin, working directory, environment; the password cimsh read is
	// not passed on
	t.Setenv("CIMSH_PASSWORD", "Secret-Pa55")
	dir := t.TempDir()
	res, err = l.RunCommand(ctx, &model.CommandRequest{Command: `cat; pwd; echo "$GREETING"; env | grep -c CIMSH_PASSWORD`,
		Stdin: []byte("from stdin\n"), WorkingDirectory: dir, Environment: []model.EnvVar{{Name: "GREETING", Value: "hi there"}}})
	wd, _ := os.Stat(dir)
	lines := strings.Split(string(res.Stdout), "\n")
	if err != nil || len(lines) < 4 || lines[0] != "from stdin" || lines[2] != "hi there" || lines[3] != "0" {
		t.Fatalf("%v %q", err, res.Stdout)
	}
	if got, _ := os.Stat(lines[1]); !os.SameFile(got, wd) {
		t.Fatalf("working directory %q", lines[1])
	}
	if strings.Contains(string(res.Stdout), "Secret-Pa55") {
		t.Fatal("password passed to the child")
	}
	// no stdin given: the child reads end of file at once
	res, err = l.RunCommand(ctx, &model.CommandRequest{Command: "cat"})
	if err != nil || len(res.Stdout) != 0 || exit(t, res) != 0 {
		t.Fatalf("%v %+v", err, res)
	}
}

func TestLocalOnOutputAndCodepage(t *testing.T) {
	var calls []string
	res, err := (&winrs.Local{}).RunCommand(testCtx(t), &model.CommandRequest{Command: `printf 'caf\202'`, Codepage: 437,
		OnOutput: func(s string, b []byte) { calls = append(calls, s+":"+string(b)) }})
	if err != nil || string(res.Stdout) != "café" || strings.Join(calls, "") != "stdout:café" {
		t.Fatalf("%v %q %q", err, res.Stdout, calls)
	}
}

// time_limit and cancellation kill the whole process group, a shell's
// children too, and report it.
func TestLocalTimeLimitAndCancel(t *testing.T) {
	l := &winrs.Local{}
	start := time.Now()
	_, err := l.RunCommand(testCtx(t), &model.CommandRequest{Command: "sleep 30 & wait", TimeLimit: 200 * time.Millisecond})
	mustFault(t, err, model.CategoryTimeout)
	if time.Since(start) > 10*time.Second {
		t.Fatal("the time limit did not end the command")
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() {
		<-time.After(100 * time.Millisecond)
		cancel()
	}()
	_, err = l.RunCommand(ctx, &model.CommandRequest{Command: "sleep 30 & wait"})
	mustFault(t, err, model.CategoryCanceled)
}

func TestLocalPowerShell(t *testing.T) {
	missing := &winrs.Local{LookPath: func(string) (string, error) { return "", errors.New("not found") }}
	_, err := missing.RunCommand(testCtx(t), &model.CommandRequest{Script: "Get-Date"})
	if f := mustFault(t, err, model.CategoryNotSupported); !strings.Contains(f.Reason, "pwsh") || !strings.Contains(f.Reason, "not installed") {
		t.Fatalf("reason %q", f.Reason)
	}
	// A stand-in pwsh shows the command line: the encoded script, and a
	// long one through stdin.
	dir := t.TempDir()
	fake := dir + "/pwsh"
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$1 $2 $3 ${#4}\"\nhead -c 20\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	l := &winrs.Local{LookPath: func(string) (string, error) { return fake, nil }}
	res, err := l.RunCommand(testCtx(t), &model.CommandRequest{Script: "Write-Output 'x'", Stdin: []byte("user stdin")})
	if err != nil || !strings.HasPrefix(string(res.Stdout), "-NoProfile -NonInteractive -EncodedCommand 44\nuser stdin") {
		t.Fatalf("%v %q", err, res.Stdout)
	}
	res, err = l.RunCommand(testCtx(t), &model.CommandRequest{Script: strings.Repeat("Write-Output 'x'\n", 5000)})
	// the bootstrap on the command line (a few hundred characters), the
	// script's base64 first on stdin
	var n int
	if err != nil || !strings.HasSuffix(string(res.Stdout), "\nV3JpdGUtT3V0cHV0ICd4") {
		t.Fatalf("%v %q", err, res.Stdout)
	}
	if _, err := fmt.Sscanf(string(res.Stdout), "-NoProfile -NonInteractive -EncodedCommand %d", &n); err != nil || n > 1000 {
		t.Fatalf("%v %q", err, res.Stdout)
	}
}
