//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// TestMain runs main when the test binary is started as dcomserve.
func TestMain(m *testing.M) {
	if os.Getenv("DCOMSERVE_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	testenv.Main(m)
}

// dcomserve starts this binary as dcomserve with args and the password
// in its environment.
func dcomserve(t *testing.T, password string, args ...string) (*exec.Cmd, *bufio.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"DCOMSERVE_AS_MAIN=1", "DCOMSERVE_PASSWORD=" + password}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out), &stderr
}

// TestDcomserve runs the program as the README and issue describe it
// (DCOMSERVE_PASSWORD=... dcomserve -listen 127.0.0.1:PORT -user NAME):
// it prints where its endpoint mapper and object exporter listen, serves
// the fixture to cimsh's DCOM client there, and on SIGINT prints what it
// served and exits 0. -user without a password is refused.
func TestDcomserve(t *testing.T) {
	cmd, out, stderr := dcomserve(t, "Serve-Pa55", "-listen", "127.0.0.1:0", "-user", "admin", "-computer", "SERVED")
	line, err := out.ReadString('\n') // printed once both ports listen
	if err != nil {
		t.Fatalf("dcomserve: %v: %s", err, stderr)
	}
	m := regexp.MustCompile(`^dcomserve: endpoint mapper 127\.0\.0\.1:(\d+), object exporter 127\.0\.0\.1:(\d+)\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first line %q", line)
	}
	port, _ := strconv.Atoi(m[1])
	p, err := dcom.New(dcom.Config{Host: "127.0.0.1", Port: port, User: "admin", Password: "Serve-Pa55"})
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := p.Enumerate(c, &model.EnumerateRequest{ClassName: "Win32_OperatingSystem"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Next(c) {
		t.Fatalf("no operating system: %v", e.Err())
	}
	if v, _ := e.Instance().Get("CSName"); v.Text() != "SERVED" {
		t.Fatalf("CSName %v, want the -computer name", v)
	}
	e.Close()
	p.Close()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	rest, _ := out.ReadString(0)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v: %s", err, stderr)
	}
	if !regexp.MustCompile(`dcomserve: [1-9]\d* calls, 1 activations, [1-9]\d* releases\n`).MatchString(rest) {
		t.Fatalf("last words %q", rest)
	}
	if strings.Contains(rest+stderr.String(), "Serve-Pa55") {
		t.Fatal("the password was printed")
	}
	if _, err := net.Dial("tcp", "127.0.0.1:"+m[1]); err == nil {
		t.Fatal("still listening after exit")
	}

	cmd, _, stderr = dcomserve(t, "", "-listen", "127.0.0.1:0", "-user", "admin")
	if err := cmd.Wait(); err == nil || !strings.Contains(stderr.String(), "set DCOMSERVE_PASSWORD for -user") {
		t.Fatalf("-user without a password: %v: %s", err, stderr)
	}
}
