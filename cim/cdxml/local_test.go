package cdxml_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/cdxml"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// bundled is cimsh's bundled example module (scripts embeds it).
const bundled = "../../scripts/cdxml/CimshProcess.cdxml"

// localEnv is the bundled module on the local machine's provider.
func localEnv(t *testing.T) *env {
	t.Helper()
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "the local provider serves Win32_Process fully on Linux")
	}
	m, err := cdxml.Load(bundled)
	if err != nil {
		t.Fatal(err)
	}
	s, err := cim.NewSession(cim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return &env{t: t, m: m, s: s, ctx: ctx}
}

// TestLocalGetEqualsWQL: on the local machine, Get-CimshProcess with
// query parameters returns what the equivalent WQL returns.
func TestLocalGetEqualsWQL(t *testing.T) {
	e := localEnv(t)
	pid := uint64(os.Getpid())
	self, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Query: fmt.Sprintf("SELECT * FROM Win32_Process WHERE ProcessId = %d", pid)})
	if err != nil || len(self) != 1 {
		t.Fatalf("this process by WQL: %v %v", self, err)
	}
	name, _ := self[0].Get("Name")

	call := e.bind("Get-CimshProcess", nil, "pid", num(pid))
	if q, _ := call.Query(); q != fmt.Sprintf("SELECT * FROM Win32_Process WHERE ProcessId = %d", pid) {
		t.Errorf("query %q", q)
	}
	res, err := call.Run(e.ctx, e.s)
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Get-CimshProcess -Id %d: %v %v", pid, res, err)
	}
	if n, _ := res.Items[0].Get("Name"); n.Text() != name.Text() {
		t.Errorf("name %q, WQL %q", n.Text(), name.Text())
	}

	// By name, with a pattern and a working-set floor: the set is this
	// process's own name, so nothing else starts or ends meanwhile.
	pattern := name.Text()[:len(name.Text())-1] + "*"
	call = e.bind("Get-CimshProcess", []model.Value{str(pattern)}, "parent_id", num(uint64(os.Getppid())), "min_working_set", num(1))
	q, _ := call.Query()
	res, err = call.Run(e.ctx, e.s)
	if err != nil {
		t.Fatal(err)
	}
	direct, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Query: q})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(res.Items, "ProcessId"), names(direct, "ProcessId"); got != want || !strings.Contains(","+got+",", ","+strconv.FormatUint(pid, 10)+",") {
		t.Errorf("cmdlet %s, WQL %q %s (this process %d)", got, q, want, pid)
	}

	// The owner's out parameters, renamed by CmdletOutputMetadata.
	res, err = e.run("Get-CimshProcessOwner", "id", num(pid))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("owner: %v %v", res, err)
	}
	if u, ok := res.Items[0].Get("UserName"); !ok || u.IsNull() || u.Text() == "" {
		t.Errorf("owner output %v", res.Items[0])
	}
}

// TestLocalMethods: the instance cmdlet terminates the process it
// selects, and the static cmdlet starts one, on the local machine.
func TestLocalMethods(t *testing.T) {
	e := localEnv(t)
	child, exited := startSleep(t)

	res, err := e.run("Stop-CimshProcess", "process_id", num(uint64(child.Process.Pid)))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Stop-CimshProcess: %v %v", res, err)
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the process was not terminated")
	}

	res, err = e.bind("Start-CimshProcess", []model.Value{str(child.Path + " 60")}).Run(e.ctx, e.s)
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Start-CimshProcess: %v %v", res, err)
	}
	pv, ok := res.Items[0].Get("ProcessId")
	pid, _ := pv.AsUint()
	if !ok || pid == 0 {
		t.Fatalf("no ProcessId in %v", res.Items[0])
	}
	p, err := os.FindProcess(int(pid))
	if err == nil {
		t.Cleanup(func() { p.Kill() })
	}
	res, err = e.run("Get-CimshProcess", "id", num(pid))
	if err != nil || len(res.Items) != 1 {
		t.Errorf("the started process %d: %v %v", pid, res, err)
	}
	// A missing process is not found, and nothing is terminated.
	if _, err := e.run("Stop-CimshProcess", "id", num(1<<31-1)); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("stopping a missing process: %v", err)
	}
}

// localDocsEnv is a documentation example on the local machine's
// provider.
func localDocsEnv(t *testing.T, name string) *env {
	t.Helper()
	e := localEnv(t)
	m, err := cdxml.Load(docsModule(name))
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	return e
}

// TestLocalDocs runs the documentation's Win32_Process examples on the
// local machine: Get-Win32Process with its four kinds of query
// parameters returns what the equivalent WQL returns; Stop-Win32Process
// with what_if leaves the process it selects, without it terminates it;
// New-EnvironmentVariable, for a class the local machine does not serve,
// is an error, not a crash.
func TestLocalDocs(t *testing.T) {
	e := localDocsEnv(t, "get-an-object-instance-with-different-query-types")
	pid := uint64(os.Getpid())
	self, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Query: fmt.Sprintf("SELECT * FROM Win32_Process WHERE ProcessId = %d", pid)})
	if err != nil || len(self) != 1 {
		t.Fatalf("this process by WQL: %v %v", self, err)
	}
	name, _ := self[0].Get("Name")
	// Patterns around this process's name: the set does not change while
	// the test runs (other processes of that name are the test's own).
	pattern := name.Text()[:len(name.Text())-1] + "*"
	for _, c := range []struct {
		pos  []model.Value
		args []any
	}{
		{[]model.Value{str(pattern)}, []any{"MinWorkingSet", num(1)}},
		{[]model.Value{str(pattern)}, []any{"ExcludeName", str("zz*"), "MaxWorkingSet", num(1 << 50)}},
		{nil, []any{"ID", model.Array(model.TypeUint64, []model.Value{num(pid), num(uint64(os.Getppid()))})}},
	} {
		call := e.bind("Get-Win32Process", c.pos, c.args...)
		q, err := call.Query()
		if err != nil || q == "" {
			t.Fatalf("query %q %v", q, err)
		}
		res, err := call.Run(e.ctx, e.s)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		direct, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		got, want := names(res.Items, "ProcessId"), names(direct, "ProcessId")
		if got != want || !strings.Contains(","+got+",", fmt.Sprintf(",%d,", pid)) {
			t.Errorf("%s: cmdlet %s, WQL %s (this process %d)", q, got, want, pid)
		}
	}

	e = localDocsEnv(t, "perform-operations-on-an-instance")
	child, exited := startSleep(t)
	cpid := num(uint64(child.Process.Pid))
	res, err := e.run("Stop-Win32Process", "PID", cpid, "WhatIf", model.Bool(true))
	if err != nil || len(res.WhatIf) != 1 || len(res.Items) != 0 {
		t.Fatalf("what_if: %v %v", res, err)
	}
	if res, err := e.run("Get-Win32Process", "id", cpid); err != nil || len(res.Items) != 1 {
		t.Fatalf("the child after what_if: %v %v", res, err)
	}
	res, err = e.run("Stop-Win32Process", "process_id", cpid)
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Stop-Win32Process: %v %v", res, err)
	}
	if rv, _ := res.Items[0].Get("ReturnValue"); rv.Text() != "0" {
		t.Errorf("Terminate returned %v", res.Items[0])
	}
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		t.Fatal("the process was not terminated")
	}

	e = localDocsEnv(t, "create-a-new-instance")
	_, err = e.run("New-EnvironmentVariable", "name", str("CIMSH"), "user_name", str("<SYSTEM>"), "variable_value", str("1"))
	if !errors.Is(err, model.ErrInvalidClass) || !strings.Contains(err.Error(), "Win32_Environment") {
		t.Errorf("creating a Win32_Environment locally: %v", err)
	}
}

// TestLocalEnumQuery: an enum-typed query parameter on the local
// machine's Win32_LogicalDisk returns what the equivalent WQL returns.
func TestLocalEnumQuery(t *testing.T) {
	e := localEnv(t)
	m, err := cdxml.Load("testdata/own/CimshDisk")
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	checkEnumCases(e)
	// The first disk's DriveType, by its enum name, selects it.
	all, err := e.run("Get-CimshDisk")
	if err != nil || len(all.Items) == 0 {
		t.Fatalf("the local machine's disks: %v %v", all, err)
	}
	dt, _ := all.Items[0].Get("DriveType")
	id, _ := all.Items[0].Get("DeviceID")
	var member string
	for _, v := range m.Enums["cimshdisk.drivetype"].Values {
		if v.Value.Text() == dt.Text() {
			member = v.Name
		}
	}
	res, err := e.run("Get-CimshDisk", "drive_type", str(member))
	if err != nil || !strings.Contains(","+names(res.Items, "DeviceID")+",", ","+id.Text()+",") {
		t.Errorf("drive_type %q (%s) does not select %s: %v %v", member, dt.Text(), id.Text(), res, err)
	}
}

// startSleep starts a process for a cmdlet to stop: `sleep 60`, killed
// when the test ends. exited receives its Wait's result.
func startSleep(t *testing.T) (child *exec.Cmd, exited <-chan error) {
	t.Helper()
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		testenv.Skip(t, "cannot start the sleep command", "not found")
	}
	child = exec.Command(sleep, "60")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- child.Wait() }()
	t.Cleanup(func() { child.Process.Kill() })
	return child, done
}
