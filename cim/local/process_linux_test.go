package local

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// startSleep starts `sleep 60` and makes sure it is gone when the test
// ends.
func startSleep(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		testenv.Skip(t, "cannot start the sleep command", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func processRef(pid int) *model.Reference {
	return &model.Reference{ClassName: "Win32_Process", Selectors: []model.Selector{{Name: "Handle", Value: fmt.Sprint(pid)}}}
}

func TestProcessAppears(t *testing.T) {
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	started := time.Now()
	p := newTestProvider(t)

	var found *model.Instance
	for _, inst := range enumClass(t, p, "Win32_Process") {
		if propU(t, inst, "ProcessId") == uint64(pid) {
			found = inst
		}
	}
	if found == nil {
		t.Fatalf("pid %d not among Win32_Process instances", pid)
	}
	sleepPath, _ := exec.LookPath("sleep")
	sleepPath, _ = filepath.EvalSymlinks(sleepPath)
	checks := map[string]string{
		"Handle":         fmt.Sprint(pid),
		"Name":           "sleep",
		"CommandLine":    "sleep 60",
		"ExecutablePath": sleepPath,
	}
	for name, want := range checks {
		if got := propStr(t, found, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := propU(t, found, "ParentProcessId"); got != uint64(os.Getpid()) {
		t.Errorf("ParentProcessId = %d, want %d", got, os.Getpid())
	}
	if got := propU(t, found, "ThreadCount"); got < 1 {
		t.Errorf("ThreadCount = %d", got)
	}
	if got := propU(t, found, "WorkingSetSize"); got == 0 {
		t.Error("WorkingSetSize = 0")
	}
	// Sizes in bytes, as the kernel's own status file gives them in KB.
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for prop, field := range map[string]string{"WorkingSetSize": "VmRSS", "VirtualSize": "VmSize"} {
		var kb uint64
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, field+":"); ok {
				kb, _ = strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			}
		}
		if got := propU(t, found, prop); kb == 0 || got != kb*1024 {
			t.Errorf("%s = %d bytes, /proc/%d/status %s %d kB", prop, got, pid, field, kb)
		}
	}
	// Windows' PageFileUsage (private commit charge) has no per-process
	// Unix figure: NULL, not a made-up 0.
	if v := prop(t, found, "PageFileUsage"); !v.IsNull() {
		t.Errorf("PageFileUsage = %v, want NULL", v)
	}
	created, _ := prop(t, found, "CreationDate").AsDatetime()
	if d := created.Time.Sub(started); d > 5*time.Second || d < -15*time.Second {
		t.Errorf("CreationDate = %v, started about %v", created.Time, started)
	}
	if !found.IsKeyAt(found.Index("Handle")) {
		t.Error("Handle is not marked as the key")
	}

	// Get by key.
	got, err := p.Get(testCtx(t), &model.GetRequest{Path: processRef(pid)})
	if err != nil {
		t.Fatalf("Get Handle=%d: %v", pid, err)
	}
	if propStr(t, got, "CommandLine") != "sleep 60" {
		t.Errorf("Get returned %v", got)
	}
	// CIM_Process lists the same process, as a Win32_Process.
	inBase := false
	for _, inst := range enumClass(t, p, "CIM_Process") {
		if propStr(t, inst, "Handle") == fmt.Sprint(pid) {
			inBase = inst.ClassName == "Win32_Process" && propStr(t, inst, "CommandLine") == "sleep 60"
		}
	}
	if !inBase {
		t.Errorf("CIM_Process does not list pid %d as the Win32_Process", pid)
	}
	// Get through the base class.
	base := processRef(pid)
	base.ClassName = "CIM_Process"
	if got, err := p.Get(testCtx(t), &model.GetRequest{Path: base}); err != nil || got.ClassName != "Win32_Process" {
		t.Errorf("Get CIM_Process.Handle=%d: %v, %v", pid, got, err)
	}

	// WQL through the provider.
	insts := enumerate(t, p, &model.EnumerateRequest{Query: fmt.Sprintf("SELECT Name FROM Win32_Process WHERE ProcessId = %d", pid)})
	if len(insts) != 1 {
		t.Fatalf("WQL returned %d instances, want 1", len(insts))
	}
	if propStr(t, insts[0], "Name") != "sleep" || insts[0].Index("CommandLine") >= 0 {
		t.Errorf("WQL projection = %v", insts[0].PropertyList())
	}
}

// A program may be called "unknown": its name is its name, not NULL
// (ghw's "unknown" placeholder is a DMI matter).
func TestProcessNamedUnknown(t *testing.T) {
	sleepPath, err := exec.LookPath("sleep")
	if err != nil {
		testenv.Skip(t, "cannot start the sleep command", "not found")
	}
	bin, err := os.ReadFile(sleepPath)
	if err != nil {
		testenv.Skip(t, "cannot start the sleep command", err)
	}
	prog := filepath.Join(t.TempDir(), "unknown")
	if err := os.WriteFile(prog, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(prog, "60")
	if err := cmd.Start(); err != nil {
		testenv.Skip(t, "cannot start the sleep command", "a copy: ", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	inst, err := newTestProvider(t).Get(testCtx(t), &model.GetRequest{Path: processRef(cmd.Process.Pid)})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Name", "Caption"} {
		if got := propStr(t, inst, name); got != "unknown" {
			t.Errorf("%s = %v, want \"unknown\"", name, prop(t, inst, name))
		}
	}
}

func TestProcessGetMissing(t *testing.T) {
	p := newTestProvider(t)
	for _, h := range []string{"999999999", "abc", "-1"} {
		ref := &model.Reference{ClassName: "Win32_Process", Selectors: []model.Selector{{Name: "Handle", Value: h}}}
		_, err := p.Get(testCtx(t), &model.GetRequest{Path: ref})
		if !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Get Handle=%q: err = %v, want not found", h, err)
		}
	}
}

// TestHelperProcess is not a test: it is the multi-threaded child
// TestProcessGetThreadID starts (a Go program runs several threads).
func TestHelperProcess(t *testing.T) {
	if os.Getenv("CIMSH_LOCAL_HELPER") != "1" {
		return // only TestProcessGetThreadID's child does anything
	}
	time.Sleep(60 * time.Second)
	os.Exit(0)
}

// A thread id is not a process handle: Get and Terminate do not reach
// the thread's process through it.
func TestProcessGetThreadID(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "CIMSH_LOCAL_HELPER=1")
	if err := cmd.Start(); err != nil {
		testenv.Skip(t, "cannot start a helper process", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	pid := strconv.Itoa(cmd.Process.Pid)
	tid := ""
	for deadline := time.Now().Add(5 * time.Second); tid == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		entries, _ := os.ReadDir("/proc/" + pid + "/task")
		for _, e := range entries {
			if e.Name() != pid {
				tid = e.Name()
			}
		}
	}
	if tid == "" {
		testenv.Skip(t, "the helper process runs a single thread")
	}
	p := newTestProvider(t)
	ref := &model.Reference{ClassName: "Win32_Process", Selectors: []model.Selector{{Name: "Handle", Value: tid}}}
	if inst, err := p.Get(testCtx(t), &model.GetRequest{Path: ref}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Get thread %s of process %s = %v, %v; want not found", tid, pid, inst, err)
	}
	if _, err := p.Invoke(testCtx(t), &model.InvokeRequest{Target: ref, Method: "Terminate"}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Terminate thread %s of process %s: %v; want not found", tid, pid, err)
	}
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("process %s is gone after a Terminate of its thread %s: %v", pid, tid, err)
	}
	// The process itself is still found by its own handle.
	if _, err := p.Get(testCtx(t), &model.GetRequest{Path: processRef(cmd.Process.Pid)}); err != nil {
		t.Errorf("Get process %s: %v", pid, err)
	}
}

func invoke(t *testing.T, p model.Provider, req *model.InvokeRequest) *model.Instance {
	t.Helper()
	out, err := p.Invoke(testCtx(t), req)
	if err != nil {
		t.Fatalf("Invoke %s: %v", req.Method, err)
	}
	return out
}

func TestTerminate(t *testing.T) {
	cmd := startSleep(t)
	p := newTestProvider(t)
	out := invoke(t, p, &model.InvokeRequest{Target: processRef(cmd.Process.Pid), Method: "Terminate",
		In: []model.Property{{Name: "Reason", Value: model.Uint(model.TypeUint32, 0)}}})
	if rv := propU(t, out, "ReturnValue"); rv != 0 {
		t.Fatalf("Terminate ReturnValue = %d, want 0", rv)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("sleep ended with %v, want killed", err)
		}
		if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Errorf("sleep ended with %v, want a signal", ee)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sleep still runs 5s after Terminate")
	}
	if _, err := p.Get(testCtx(t), &model.GetRequest{Path: processRef(cmd.Process.Pid)}); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("Get after Terminate: %v, want not found", err)
	}
}

func TestCreateGetOwnerTerminate(t *testing.T) {
	p := newTestProvider(t)
	dir := t.TempDir()
	out := invoke(t, p, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create", In: []model.Property{
		{Name: "CommandLine", Value: model.String("sleep 30")},
		{Name: "CurrentDirectory", Value: model.String(dir)},
	}})
	if rv := propU(t, out, "ReturnValue"); rv != 0 {
		t.Fatalf("Create ReturnValue = %d", rv)
	}
	pid := int(propU(t, out, "ProcessId"))
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	inst, err := p.Get(testCtx(t), &model.GetRequest{Path: processRef(pid)})
	if err != nil {
		t.Fatalf("Get the created process %d: %v", pid, err)
	}
	if propStr(t, inst, "Name") != "sleep" || propStr(t, inst, "CommandLine") != "sleep 30" {
		t.Errorf("created process = %s %q", propStr(t, inst, "Name"), propStr(t, inst, "CommandLine"))
	}
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", pid)); err == nil {
		want, _ := filepath.EvalSymlinks(dir)
		if cwd != want {
			t.Errorf("cwd = %q, want %q", cwd, want)
		}
	}

	owner := invoke(t, p, &model.InvokeRequest{Target: processRef(pid), Method: "GetOwner"})
	me, err := user.Current()
	if err == nil && propStr(t, owner, "User") != me.Username {
		t.Errorf("GetOwner User = %q, want %q", propStr(t, owner, "User"), me.Username)
	}
	if propU(t, owner, "ReturnValue") != 0 {
		t.Errorf("GetOwner ReturnValue = %d", propU(t, owner, "ReturnValue"))
	}

	term := invoke(t, p, &model.InvokeRequest{Target: processRef(pid), Method: "Terminate"})
	if rv := propU(t, term, "ReturnValue"); rv != 0 {
		t.Fatalf("Terminate ReturnValue = %d", rv)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := p.Get(testCtx(t), &model.GetRequest{Path: processRef(pid)}); errors.Is(err, model.ErrNotFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still there 5s after Terminate", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCreateFailures(t *testing.T) {
	p := newTestProvider(t)
	tests := []struct {
		name string
		in   []model.Property
		want uint64
	}{
		{"no command line", nil, rvInvalidParam},
		{"missing program", []model.Property{{Name: "CommandLine", Value: model.String("/nonexistent/cimsh-no-such-program")}}, rvPathNotFound},
		{"unknown program", []model.Property{{Name: "CommandLine", Value: model.String("cimsh-no-such-program-xyz --flag")}}, rvPathNotFound},
		{"missing directory", []model.Property{{Name: "CommandLine", Value: model.String("true")}, {Name: "CurrentDirectory", Value: model.String("/nonexistent/dir")}}, rvPathNotFound},
	}
	for _, tt := range tests {
		out := invoke(t, p, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create", In: tt.in})
		if rv := propU(t, out, "ReturnValue"); rv != tt.want {
			t.Errorf("%s: ReturnValue = %d, want %d", tt.name, rv, tt.want)
		}
	}
	// A method the class does not have is a fault, not a panic.
	if _, err := p.Invoke(testCtx(t), &model.InvokeRequest{ClassName: "Win32_Process", Method: "Explode"}); !errors.Is(err, model.ErrMethodMissing) {
		t.Errorf("Invoke Explode: %v", err)
	}
}

// How fast enumerating processes is: BenchmarkEnumerateProcesses (a
// benchmark, not a timed test, so that a loaded machine fails nothing).
func BenchmarkEnumerateProcesses(b *testing.B) {
	p := newTestProvider(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(enumClass(b, p, "Win32_Process"))
	}
	b.ReportMetric(float64(n), "processes")
}
