package cdxml_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/cdxml"
	"github.com/cimsh/cimsh/cim/cdxml/cdxmltest"
	"github.com/cimsh/cimsh/cim/model"
)

// The CDXML examples of Microsoft's documentation
// (testdata/public/microsoft-docs/README.md), run as published against
// the test server in its Windows dialect.
const docs = "testdata/public/microsoft-docs"

func docsModule(name string) string { return filepath.Join(docs, name+".cdxml") }

// TestDocsMalformed: the documentation's first example lacks the > of
// </InstanceCmdlets; cimsh says so, naming the file and the line.
func TestDocsMalformed(t *testing.T) {
	path := docsModule("get-an-object-instance")
	_, err := cdxml.Load(path)
	var pe *cdxml.ParseError
	if !errors.As(err, &pe) || pe.File != path || pe.Line != 41 || !strings.Contains(pe.Msg, "not well-formed XML") {
		t.Fatalf("got %v", err)
	}
}

// TestDocsQueryTypes: Get-Win32Process with the documentation's
// RegularQuery (wildcards), ExcludeQuery, MinValueQuery and
// MaxValueQuery parameters sends one WQL query and returns what that
// query returns, for the calls the documentation shows.
func TestDocsQueryTypes(t *testing.T) {
	e := newEnv(t, docsModule("get-an-object-instance-with-different-query-types"))
	for _, c := range []struct {
		name  string
		pos   []model.Value
		args  []any
		wql   string
		names string
	}{
		{"all", nil, nil, "", "0,1204,2976,4,800"},
		{"id", nil, []any{"ID", num(0)}, "SELECT * FROM Win32_Process WHERE ProcessId = 0", "0"},
		{"ids", nil, []any{"PID", model.Array(model.TypeUint64, []model.Value{num(0), num(4), num(800)})}, "SELECT * FROM Win32_Process WHERE (ProcessId = 0 OR ProcessId = 4 OR ProcessId = 800)", "0,4,800"},
		{"wildcard", []model.Value{str("s*")}, nil, "SELECT * FROM Win32_Process WHERE Name LIKE 's%'", "0,1204,4,800"},
		{"names", nil, []any{"Name", strs("w*", "System")}, "SELECT * FROM Win32_Process WHERE (Name LIKE 'w%' OR Name = 'System')", "2976,4"},
		{"exclude", []model.Value{str("s*")}, []any{"ExcludeName", str("svc*")}, "SELECT * FROM Win32_Process WHERE Name LIKE 's%' AND NOT (Name LIKE 'svc%')", "0,4"},
		{"working set", nil, []any{"MinWorkingSet", num(2 << 20), "max_working_set", num(10 << 20)}, "SELECT * FROM Win32_Process WHERE WorkingSetSize >= 2097152 AND WorkingSetSize <= 10485760", "0,1204,2976,4,800"},
		{"working set none", nil, []any{"MaxWorkingSet", num(1)}, "SELECT * FROM Win32_Process WHERE WorkingSetSize <= 1", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			call := e.bind("Get-Win32Process", c.pos, c.args...)
			q, err := call.Query()
			if err != nil || q != c.wql {
				t.Fatalf("query %q (%v), want %q", q, err, c.wql)
			}
			mark := e.lastSeq()
			res, err := call.Run(e.ctx, e.s)
			if err != nil {
				t.Fatal(err)
			}
			wql := c.wql
			if wql == "" {
				wql = "SELECT * FROM Win32_Process"
			}
			e.sameAsWQL(t, res.Items, mark, "", wql, "ProcessId", c.names)
		})
	}
	// A ProcessId that is no process is an error (RegularQuery without
	// wildcards); a name pattern that matches nothing is not.
	if _, err := e.run("Get-Win32Process", "id", num(99)); !errors.Is(err, model.ErrNotFound) || !strings.Contains(err.Error(), "no Win32_Process has ProcessId = 99") {
		t.Errorf("-Id 99: %v", err)
	}
	if res, err := e.run("Get-Win32Process", "name", str("zz*")); err != nil || len(res.Items) != 0 {
		t.Errorf("-Name zz*: %v %v", res, err)
	}
}

// TestDocsOperations: the documentation's Stop-Win32Process (shared,
// mandatory query parameters; Terminate with no output metadata, so
// pass_thru) and Debug-Win32Process, beside a Get-Win32Process whose
// own parameters override the shared ones.
func TestDocsOperations(t *testing.T) {
	e := newEnv(t, docsModule("perform-operations-on-an-instance"))
	if _, err := e.m.Cmdlet("Stop-Win32Process").Bind(nil, nil); err == nil || !strings.Contains(err.Error(), "name: is mandatory") {
		t.Errorf("Stop-Win32Process without a selection: %v", err)
	}
	if res, err := e.run("Get-Win32Process"); err != nil || len(res.Items) != 5 {
		t.Fatalf("Get-Win32Process takes no mandatory parameter: %v %v", res, err)
	}

	mark := e.lastSeq()
	res, err := e.bind("Stop-Win32Process", []model.Value{str("svchost.exe")}, "what_if", model.Bool(true)).Run(e.ctx, e.s)
	if err != nil || len(res.WhatIf) != 2 || e.countOps("Invoke", mark) != 0 {
		t.Fatalf("what_if: %v %v", res, err)
	}
	if !strings.Contains(res.WhatIf[0], `"Stop-Win32Process" (Terminate) on target "Win32_Process (Handle = \"`) {
		t.Errorf("what_if line %q", res.WhatIf[0])
	}

	mark = e.lastSeq()
	res, err = e.bind("Stop-Win32Process", []model.Value{str("svchost.exe"), num(1)}).Run(e.ctx, e.s)
	if err != nil || len(res.Items) != 2 {
		t.Fatalf("Stop-Win32Process svchost.exe 1: %v %v", res, err)
	}
	if n := e.countOps("Invoke", mark); n != 2 {
		t.Errorf("%d invocations, want one per svchost.exe", n)
	}
	for _, r := range e.srv.Requests() {
		if r.Seq > mark && r.IsOperation("Invoke") && !strings.Contains(string(r.Body), "Reason>1</") {
			t.Errorf("Reason 1 (position 1) was not sent: %s", r.Body)
		}
	}
	if res, err := e.run("Get-Win32Process"); err != nil || names(res.Items, "ProcessId") != "0,2976,4" {
		t.Errorf("after the stop: %v %v", names(res.Items, "ProcessId"), err)
	}

	res, err = e.run("Stop-Win32Process", "process_id", num(2976), "pass_thru", model.Bool(true))
	if err != nil || len(res.Items) != 1 || res.Items[0].ClassName != "Win32_Process" {
		t.Fatalf("pass_thru: %v %v", res, err)
	}
	if n, _ := res.Items[0].Get("Name"); n.Text() != "wsmprovhost.exe" {
		t.Errorf("pass_thru returned %v", res.Items[0])
	}

	// The fixture's Win32_Process has no AttachDebugger: the server's
	// fault, naming the instance.
	_, err = e.run("Debug-Win32Process", "id", num(4))
	if err == nil || !strings.Contains(err.Error(), `Win32_Process (Handle = "4")`) {
		t.Errorf("Debug-Win32Process: %v", err)
	}
}

// TestDocsCreate: the documentation's New-EnvironmentVariable, a static
// cim:CreateInstance cmdlet over Win32_Environment.
func TestDocsCreate(t *testing.T) {
	e := newEnv(t, docsModule("create-a-new-instance"))
	if _, err := e.m.Cmdlet("new_environment_variable").Bind([]cdxml.Arg{{Param: e.m.Cmdlet("New-EnvironmentVariable").Lookup("Name"), Value: str("X")}}, nil); err == nil ||
		!strings.Contains(err.Error(), "user_name: is mandatory") {
		t.Errorf("a missing UserName: %v", err)
	}
	res, err := e.run("New-EnvironmentVariable", "Name", str("CIMSH"), "UserName", str("<SYSTEM>"), "variable_value", str("yes"))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("New-EnvironmentVariable: %v %v", res, err)
	}
	if v, _ := res.Items[0].Get("VariableValue"); v.Text() != "yes" {
		t.Errorf("returned %v", res.Items[0])
	}
	if env := e.world.Environment("CIMSH", "<SYSTEM>"); env == nil {
		t.Error("the variable was not created")
	}
	if _, err := e.run("New-EnvironmentVariable", "name", str("CIMSH"), "user_name", str("<SYSTEM>"), "variable_value", str("again")); !errors.Is(err, model.ErrAlreadyExists) {
		t.Errorf("creating it twice: %v", err)
	}
}

// TestDocsAssociation: the documentation's Get-Win32Process -ProcessFile
// returns the processes CIM_ProcessExecutable associates with a
// CIM_DataFile, as Get-CimAssociatedInstance does.
func TestDocsAssociation(t *testing.T) {
	e := newEnv(t, docsModule("get-associated-objects"))
	p := e.m.Cmdlet("Get-Win32Process").Lookup("process_file")
	if p == nil || p.Type.Kind != cdxml.KindInstance || p.Type.Class != "CIM_DataFile" || strings.Join(p.Sets, ",") != "ByName,ByLiteralName" {
		t.Fatalf("-ProcessFile: %+v", p)
	}
	files, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{ClassName: "CIM_DataFile"})
	if err != nil || len(files) != len(cdxmltest.Executables) {
		t.Fatalf("files %v %v", files, err)
	}
	for _, f := range files {
		name, _ := f.Get("Name")
		res, err := e.run("Get-Win32Process", "ProcessFile", model.Embedded(f))
		want := cdxmltest.Executables[name.Text()]
		if len(want) == 0 {
			if !errors.Is(err, model.ErrNotFound) {
				t.Errorf("%s runs nowhere: %v %v", name.Text(), res, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name.Text(), err)
		}
		direct, err := e.s.GetAssociatedInstances(e.ctx, cim.AssociatedQuery{Input: f, Association: "CIM_ProcessExecutable", ResultClassName: "Win32_Process"})
		if err != nil {
			t.Fatal(err)
		}
		if got, dir := names(res.Items, "Handle"), names(direct, "Handle"); got != dir || got != strings.Join(sortedCopy(want), ",") {
			t.Errorf("%s: cmdlet %s, associated %s, want %v", name.Text(), got, dir, want)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
