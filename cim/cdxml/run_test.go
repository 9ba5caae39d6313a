package cdxml_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/cdxml"
	"github.com/cimsh/cimsh/cim/cdxml/cdxmltest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

const (
	user     = "administrator"
	password = "Cdxml-Pa55"
)

// env is a module, the test world served over real HTTP on loopback in
// the Windows dialect, and a session to it.
type env struct {
	t     *testing.T
	m     *cdxml.Module
	world *cdxmltest.World
	srv   *wsmantest.Server
	s     *cim.Session
	ctx   context.Context
}

func newEnv(t *testing.T, module string) *env {
	t.Helper()
	m, err := cdxml.Load(module)
	if err != nil {
		t.Fatal(err)
	}
	w := cdxmltest.New("WSMANTEST")
	srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: wsmantest.Windows, Provider: w,
		BasicUsers: map[string]string{user: password}, AllowUnencrypted: true})
	s, err := cim.NewSession(cim.Config{ComputerName: "127.0.0.1", Port: srv.Port(), Authentication: cim.AuthBasic,
		Credential: cim.NewCredential(user, password), Option: cim.SessionOption{NoEncryption: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return &env{t: t, m: m, world: w, srv: srv, s: s, ctx: ctx}
}

// bind binds named arguments given as name, value pairs.
func (e *env) bind(cmdlet string, pos []model.Value, pairs ...any) *cdxml.Call {
	e.t.Helper()
	c := e.m.Cmdlet(cmdlet)
	if c == nil {
		e.t.Fatalf("no cmdlet %s", cmdlet)
	}
	var args []cdxml.Arg
	for i := 0; i+1 < len(pairs); i += 2 {
		p := c.Lookup(pairs[i].(string))
		if p == nil {
			e.t.Fatalf("%s has no parameter %s", cmdlet, pairs[i])
		}
		args = append(args, cdxml.Arg{Param: p, Value: pairs[i+1].(model.Value)})
	}
	call, err := c.Bind(args, pos)
	if err != nil {
		e.t.Fatalf("%s: %v", cmdlet, err)
	}
	return call
}

// run binds and runs a call.
func (e *env) run(cmdlet string, pairs ...any) (*cdxml.Result, error) {
	e.t.Helper()
	return e.bind(cmdlet, nil, pairs...).Run(e.ctx, e.s)
}

func names(list []*model.Instance, prop string) string {
	var out []string
	for _, i := range list {
		v, _ := i.Get(prop)
		out = append(out, v.Text())
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func str(s string) model.Value { return model.String(s) }
func num(n uint64) model.Value { return model.Uint(model.TypeUint64, n) }
func strs(ss ...string) model.Value {
	vals := make([]model.Value, len(ss))
	for i, s := range ss {
		vals[i] = str(s)
	}
	return model.Array(model.TypeString, vals)
}

// countOps counts the logged requests of an operation since the mark.
func (e *env) countOps(op string, since int) int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Seq > since && r.IsOperation(op) {
			n++
		}
	}
	return n
}

// sameAsWQL checks a Get cmdlet's result: the instances named want (by
// their key property, sorted), fetched with exactly one Enumerate since
// mark, and the same as what the WQL query itself returns.
func (e *env) sameAsWQL(t *testing.T, items []*model.Instance, mark int, namespace, wql, key, want string) {
	t.Helper()
	if got := names(items, key); got != want {
		t.Errorf("cmdlet returned %s, want %s", got, want)
	}
	if n := e.countOps("Enumerate", mark); n != 1 {
		t.Errorf("%d enumerations, want one query", n)
	}
	direct, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Namespace: namespace, Query: wql})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(items, key), names(direct, key); got != want {
		t.Errorf("cmdlet returned %s, the WQL %s", got, want)
	}
}

func (e *env) lastSeq() int {
	rs := e.srv.Requests()
	if len(rs) == 0 {
		return 0
	}
	return rs[len(rs)-1].Seq
}

// TestGetEqualsWQL: a Get cmdlet's query parameters become one WQL query,
// and the cmdlet returns exactly what that WQL returns (and what the
// parameters mean).
func TestGetEqualsWQL(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	for _, c := range []struct {
		name  string
		pos   []model.Value
		args  []any
		wql   string
		names string
	}{
		{"all", nil, nil, "", "odd_[x]%,w1,w2,w3"},
		{"wildcard", []model.Value{str("W*")}, nil, "SELECT * FROM Cimsh_Widget WHERE Name LIKE 'W%'", "w1,w2,w3"},
		{"two names", nil, []any{"name", strs("w1", "w3")}, "SELECT * FROM Cimsh_Widget WHERE (Name = 'w1' OR Name = 'w3')", "w1,w3"},
		{"escaped", nil, []any{"name", str("odd_`[x`]%")}, "SELECT * FROM Cimsh_Widget WHERE Name = 'odd_[x]%'", "odd_[x]%"},
		{"set and like specials", nil, []any{"name", str("odd_[x]*")}, "SELECT * FROM Cimsh_Widget WHERE Name LIKE 'odd[_][x]%'", ""},
		{"exclude", nil, []any{"exclude_name", str("w*")}, "SELECT * FROM Cimsh_Widget WHERE NOT (Name LIKE 'w%')", "odd_[x]%"},
		{"range", nil, []any{"min_size", num(100), "MaxSize", num(3000)}, "SELECT * FROM Cimsh_Widget WHERE Size >= 100 AND Size <= 3000", "w2,w3"},
		{"enum", nil, []any{"color", str("Red")}, "SELECT * FROM Cimsh_Widget WHERE Color = 1", "odd_[x]%,w1"},
		{"boolean", nil, []any{"enabled", model.Bool(true)}, "SELECT * FROM Cimsh_Widget WHERE Enabled = TRUE", "w1,w3"},
		{"and", []model.Value{str("w?")}, []any{"min_size", num(100)}, "SELECT * FROM Cimsh_Widget WHERE Name LIKE 'w_' AND Size >= 100", "w2,w3"},
		{"ids", nil, []any{"WID", model.Array(model.TypeUint64, []model.Value{num(2), num(3)})}, "SELECT * FROM Cimsh_Widget WHERE (Id = 2 OR Id = 3)", "w2,w3"},
		{"quote", nil, []any{"name", str(`it's\`)}, `SELECT * FROM Cimsh_Widget WHERE Name = 'it\'s\\'`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			call := e.bind("Get-Widget", c.pos, c.args...)
			q, err := call.Query()
			if err != nil || q != c.wql {
				t.Fatalf("query %q (%v), want %q", q, err, c.wql)
			}
			mark := e.lastSeq()
			res, err := call.Run(e.ctx, e.s)
			if c.names == "" && c.name != "all" {
				// Nothing matches a pattern: no error (wildcards), or
				// the not-found error.
				if err == nil && len(res.Items) != 0 {
					t.Fatalf("got %v", res.Items)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wql := c.wql
			if wql == "" {
				wql = "SELECT * FROM Cimsh_Widget"
			}
			e.sameAsWQL(t, res.Items, mark, cdxmltest.WidgetNamespace, wql, "Name", c.names)
		})
	}
}

// TestErrorOnNoMatch: values that select nothing are a not_found error
// where the schema's rules (and ErrorOnNoMatch) say so, and only there.
func TestErrorOnNoMatch(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	for _, c := range []struct {
		name string
		args []any
		err  string // "" for no error
	}{
		{"missing name", []any{"name", str("nope")}, `no Cimsh_Widget has Name = "nope"`},
		{"one of two", []any{"name", strs("w1", "nope")}, `no Cimsh_Widget has Name = "nope"`},
		{"pattern", []any{"name", str("zz*")}, ""},
		{"max with ErrorOnNoMatch", []any{"max_size", num(1)}, "no Cimsh_Widget matches the query parameters (max_size)"},
		{"min without", []any{"min_size", num(100000)}, ""},
		{"exclude everything", []any{"exclude_name", str("*")}, ""},
		{"color silent", []any{"color", str("Green"), "min_size", num(1000)}, ""},
		{"several", []any{"enabled", model.Bool(false), "color", str("Blue")}, "no Cimsh_Widget matches the query parameters (color, enabled)"},
		{"id", []any{"id", num(99)}, `no Cimsh_Widget has Id = 99`},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := e.run("Get-Widget", c.args...)
			if c.err == "" {
				if err != nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			if !errors.Is(err, model.ErrNotFound) || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("got %v (%v), want not_found %q", err, res, c.err)
			}
			if strings.Contains(c.name, "two") && strings.Contains(err.Error(), "w1") {
				t.Errorf("w1 was found: %v", err)
			}
		})
	}
}

// TestAssociation: an associated instance argument enumerates the
// associated instances (no WQL) and filters them on the client.
func TestAssociation(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	boxes, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Namespace: cdxmltest.WidgetNamespace, ClassName: "Cimsh_Box"})
	if err != nil || len(boxes) != 3 {
		t.Fatalf("boxes %v %v", boxes, err)
	}
	box := map[string]*model.Instance{}
	for _, b := range boxes {
		v, _ := b.Get("Name")
		box[v.Text()] = b
	}
	mark := e.lastSeq()
	res, err := e.run("Get-Widget", "box", model.Embedded(box["b1"]))
	if err != nil || names(res.Items, "Name") != "w1,w2" {
		t.Fatalf("b1 holds %v (%v)", res, err)
	}
	for _, r := range e.srv.Requests() {
		if r.Seq > mark && r.IsOperation("Enumerate") && strings.Contains(string(r.Body), "WQL") {
			t.Errorf("an association argument sent a WQL query: %s", r.Body)
		}
	}
	res, err = e.run("Get-Widget", "box", model.Embedded(box["b1"]), "flavor", str("Vanilla"))
	if err != nil || len(res.Items) != 2 {
		t.Errorf("box with an option: %v %v", res, err)
	}
	// Property filters apply on the client to what the association gave.
	res, err = e.run("Get-Widget", "box", model.Embedded(box["b1"]), "enabled", model.Bool(false))
	if err != nil || names(res.Items, "Name") != "w2" {
		t.Errorf("b1's disabled widgets: %v %v", res, err)
	}
	_, err = e.run("Get-Widget", "box", model.Embedded(box["b2"]), "enabled", model.Bool(false))
	if !errors.Is(err, model.ErrNotFound) || !strings.Contains(err.Error(), "no Cimsh_Widget matches the query parameters (enabled, box)") {
		t.Errorf("b2 has no disabled widget: %v", err)
	}
	_, err = e.run("Get-Widget", "box", model.Embedded(box["b3"]))
	if !errors.Is(err, model.ErrNotFound) || !strings.Contains(err.Error(), `no Cimsh_Widget is associated with Cimsh_Box (Name = "b3") through Cimsh_BoxContents`) {
		t.Errorf("empty box: %v", err)
	}
}

// TestQueryOptions: a query option goes to the server as the MI client
// sends custom options, wmi:NAME in the w:OptionSet of the Enumerate.
func TestQueryOptions(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	mark := e.lastSeq()
	if _, err := e.run("Get-Widget", "flavor", str("chocolate")); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range e.srv.Requests() {
		if r.Seq > mark && r.IsOperation("Enumerate") {
			found = r.Options["wmi:Flavor"] == "chocolate"
		}
	}
	if !found {
		t.Error("no Enumerate carried wmi:Flavor=chocolate")
	}
}

// TestInstanceMethod: an instance cmdlet invokes its method on each
// instance the query selects (or input_object gives), returns each
// output with CmdletOutputMetadata's names, fails on a non-zero error
// code, and with what_if does nothing.
func TestInstanceMethod(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	mark := e.lastSeq()
	res, err := e.run("Resize-Widget", "name", str("w*"), "new_size", num(77))
	if err != nil {
		t.Fatal(err)
	}
	if n := e.countOps("Invoke", mark); n != 3 {
		t.Errorf("%d invocations, want 3 (w1, w2, w3)", n)
	}
	if len(res.Items) != 3 {
		t.Fatalf("outputs %v", res.Items)
	}
	var prev []string
	for _, o := range res.Items {
		if _, ok := o.Get("OldSize"); ok {
			t.Errorf("OldSize is not renamed PreviousSize: %v", o)
		}
		v, ok := o.Get("PreviousSize")
		rv, _ := o.Get("ReturnValue")
		if !ok || rv.Text() != "0" {
			t.Errorf("output %v", o)
		}
		prev = append(prev, v.Text())
	}
	sort.Strings(prev)
	if strings.Join(prev, ",") != "10,200,3000" {
		t.Errorf("previous sizes %v", prev)
	}
	for _, n := range []string{"w1", "w2", "w3"} {
		w := e.world.Widget(n)
		if s, _ := w.Get("Size"); s.Text() != "77" {
			t.Errorf("%s size %s", n, s.Text())
		}
		if r, _ := w.Get("LastReason"); r.Text() != "resize" {
			t.Errorf("%s: the DefaultValue of Reason was not sent: %q", n, r.Text())
		}
	}
	if s, _ := e.world.Widget("odd_[x]%").Get("Size"); s.Text() != "50" {
		t.Errorf("an unselected widget changed: %s", s.Text())
	}

	// A non-zero ReturnValue (ErrorCode) fails the call.
	_, err = e.run("Resize-Widget", "name", strs("w1", "w2"), "new_size", num(cdxmltest.UnluckySize))
	if err == nil || !strings.Contains(err.Error(), "Resize-Widget: method Resize returned ReturnValue 5") ||
		!strings.Contains(err.Error(), "(0 of the 2 selected instances done, 2 failed)") || !strings.Contains(err.Error(), `Cimsh_Widget (Name = "w1")`) {
		t.Errorf("unlucky: %v", err)
	}

	// input_object acts on the instances given.
	w3 := e.world.Widget("w3")
	mark = e.lastSeq()
	res, err = e.run("Resize-Widget", "input_object", model.Array(model.TypeInstance, []model.Value{model.Embedded(w3)}), "new_size", num(5), "reason", str("given"))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("input_object: %v %v", res, err)
	}
	if n := e.countOps("Enumerate", mark); n != 0 {
		t.Errorf("input_object queried (%d enumerations)", n)
	}
	if r, _ := e.world.Widget("w3").Get("LastReason"); r.Text() != "given" {
		t.Errorf("reason %q", r.Text())
	}

	// what_if says what it would do and does nothing.
	mark = e.lastSeq()
	res, err = e.run("Resize-Widget", "name", str("w*"), "new_size", num(9), "what_if", model.Bool(true))
	if err != nil || len(res.WhatIf) != 3 || len(res.Items) != 0 {
		t.Fatalf("what_if: %v %v", res, err)
	}
	if !strings.Contains(res.WhatIf[0], `What if: Performing the operation "Resize-Widget" (Resize) on target "Cimsh_Widget (Name = \"w1\")" on 127.0.0.1.`) {
		t.Errorf("what_if line %q", res.WhatIf[0])
	}
	if n := e.countOps("Invoke", mark); n != 0 {
		t.Errorf("what_if invoked %d times", n)
	}

	// pass_thru returns the instances acted on; a flags enum by names.
	res, err = e.run("Enable-Widget", "name", str("w2"), "features", str("Shiny, Fast"), "pass_thru", model.Bool(true))
	if err != nil || len(res.Items) != 1 || res.Items[0].ClassName != "Cimsh_Widget" {
		t.Fatalf("pass_thru: %v %v", res, err)
	}
	w2 := e.world.Widget("w2")
	if en, _ := w2.Get("Enabled"); en.Text() != "true" {
		t.Errorf("w2 not enabled")
	}
	if f, _ := w2.Get("Features"); f.Text() != "5" {
		t.Errorf("features %s, want 5 (Shiny|Fast)", f.Text())
	}
	// A selection that finds nothing acts on nothing.
	mark = e.lastSeq()
	if _, err := e.run("Enable-Widget", "name", strs("w1", "nope")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("a missing name: %v", err)
	}
	if n := e.countOps("Invoke", mark); n != 0 {
		t.Errorf("%d invocations despite the missing name", n)
	}
}

// TestStaticMethod: a static cmdlet calls the method of the parameter
// set its arguments choose.
func TestStaticMethod(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	res, err := e.run("Invoke-WidgetFactory", "kit", str("deluxe"), "color", str("green"))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Build: %v %v", res, err)
	}
	if b, _ := res.Items[0].Get("Built"); b.Text() != "kit-deluxe" {
		t.Errorf("output %v", res.Items[0])
	}
	if c, _ := e.world.Widget("kit-deluxe").Get("Color"); c.Text() != "2" {
		t.Errorf("color %s", c.Text())
	}
	res, err = e.run("Invoke-WidgetFactory", "parts", strs("a", "b"), "color", str("blue"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := res.Items[0].Get("Built"); b.Text() != "a+b" {
		t.Errorf("BuildCustom output %v", res.Items[0])
	}
}

// TestCreateModifyDelete: cim:CreateInstance, cim:ModifyInstance and
// cim:DeleteInstance, with the hidden operation option.
func TestCreateModifyDelete(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	res, err := e.bind("New-Widget", []model.Value{str("w9")}, "id", num(9), "color", str("blue"), "created", str("2024-05-06T07:08:09Z")).Run(e.ctx, e.s)
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("New-Widget: %v %v", res, err)
	}
	w9 := e.world.Widget("w9")
	if w9 == nil {
		t.Fatal("w9 was not created")
	}
	for prop, want := range map[string]string{"Id": "9", "Size": "10", "Color": "4"} {
		if v, _ := w9.Get(prop); v.Text() != want {
			t.Errorf("w9.%s = %s, want %s", prop, v.Text(), want)
		}
	}
	res, err = e.run("Set-Widget", "name", str("w9"), "owner", str("zed"), "tags", strs("x", "y"), "enabled", model.Bool(true), "pass_thru", model.Bool(true))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Set-Widget: %v %v", res, err)
	}
	w9 = e.world.Widget("w9")
	if o, _ := w9.Get("Owner"); o.Text() != "zed" {
		t.Errorf("owner %s", o.Text())
	}
	if tg, _ := w9.Get("Tags"); tg.Len() != 2 {
		t.Errorf("tags %v", tg)
	}
	if o, _ := res.Items[0].Get("Owner"); o.Text() != "zed" {
		t.Errorf("pass_thru returned %v", res.Items[0])
	}
	res, err = e.run("Remove-Widget", "name", str("w9"), "what_if", model.Bool(true))
	if err != nil || len(res.WhatIf) != 1 || e.world.Widget("w9") == nil {
		t.Fatalf("what_if removed: %v %v", res, err)
	}
	mark := e.lastSeq()
	if _, err := e.run("Remove-Widget", "name", str("w9")); err != nil {
		t.Fatal(err)
	}
	if e.world.Widget("w9") != nil {
		t.Error("w9 is still there")
	}
	deleted := false
	for _, r := range e.srv.Requests() {
		if r.Seq > mark && r.IsOperation("Delete") {
			deleted = r.Options["wmi:SourceCaller"] == "cimsh"
		}
	}
	if !deleted {
		t.Error("the Delete did not carry the hidden option wmi:SourceCaller=cimsh")
	}
	if _, err := e.bind("New-Widget", []model.Value{str("w1")}, "id", num(1)).Run(e.ctx, e.s); !errors.Is(err, model.ErrNotFound) && (err == nil || !strings.Contains(err.Error(), "exists")) {
		t.Errorf("creating an existing widget: %v", err)
	}
}

// TestPowerShellCimTestModule runs what PowerShell's Cdxml.Tests.ps1 does
// with its CimTest module, against PSCore_Test1 served as its MOF defines
// it.
func TestPowerShellCimTestModule(t *testing.T) {
	e := newEnv(t, "testdata/public/powershell/CimTest")
	res, err := e.run("Get-CimTest")
	if err != nil || names(res.Items, "id") != "1,2,3,4" {
		t.Fatalf("Get-CimTest: %v %v", res, err)
	}
	res, err = e.run("Get-CimTest", "id", str("1"))
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("Get-CimTest -id 1: %v %v", res, err)
	}
	if f, _ := res.Items[0].Get("field1"); f.Text() != "instance 1" {
		t.Errorf("field1 %q", f.Text())
	}
	if _, err := e.run("Get-CimTest", "id", str("ThisIdDoesNotExist")); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("missing id: %v", err)
	}
	if _, err := e.bind("Remove-CimTest", []model.Value{str("1")}).Run(e.ctx, e.s); err != nil {
		t.Fatal(err)
	}
	if res, _ := e.run("Get-CimTest"); names(res.Items, "id") != "2,3,4" {
		t.Errorf("after Remove-CimTest -id 1: %v", names(res.Items, "id"))
	}
	if _, err := e.run("New-CimTest", "id", str("telephone"), "field1", str("television"), "field2", num(0)); err != nil {
		t.Fatal(err)
	}
	tel := e.world.Test("telephone")
	if tel == nil {
		t.Fatal("telephone was not created")
	}
	if f, _ := tel.Get("field1"); f.Text() != "television" {
		t.Errorf("field1 %q", f.Text())
	}
	if f, _ := tel.Get("field2"); f.Type() != model.TypeSint32 || f.Text() != "0" {
		t.Errorf("field2 %v", f)
	}
	if _, err := e.run("New-CimTest", "id", str("1000"), "field1", str("a string"), "field2", num(111), "whatif", model.Bool(true)); err != nil {
		t.Fatal(err)
	}
	if e.world.Test("1000") != nil {
		t.Error("-WhatIf created 1000")
	}
	if _, err := e.run("Set-CimTest", "id", str("telephone"), "field1", str("newvalue"), "field2", num(22)); err != nil {
		t.Fatal(err)
	}
	tel = e.world.Test("telephone")
	if f, _ := tel.Get("field1"); f.Text() != "newvalue" {
		t.Errorf("field1 %q", f.Text())
	}
	if f, _ := tel.Get("field2"); f.Text() != "22" {
		t.Errorf("field2 %q", f.Text())
	}
}

// enumCases are calls of Get-CimshDisk (testdata/own/CimshDisk) with an
// enum-typed query parameter, and the WQL each must send.
var enumCases = []struct {
	args []any
	wql  string
}{
	{[]any{"drive_type", str("LocalDisk")}, "SELECT * FROM Win32_LogicalDisk WHERE DriveType = 3"},
	{[]any{"DriveType", strs("localdisk", "NetworkDrive")}, "SELECT * FROM Win32_LogicalDisk WHERE (DriveType = 3 OR DriveType = 4)"},
	{[]any{"drive_type", num(3)}, "SELECT * FROM Win32_LogicalDisk WHERE DriveType = 3"},
	{[]any{"drive_type", str("CompactDisc")}, "SELECT * FROM Win32_LogicalDisk WHERE DriveType = 5"},
	{[]any{"exclude_drive_type", str("LocalDisk")}, "SELECT * FROM Win32_LogicalDisk WHERE NOT (DriveType = 3)"},
	{[]any{"exclude_drive_type", str("CompactDisc"), "MinFreeSpace", num(1)}, "SELECT * FROM Win32_LogicalDisk WHERE NOT (DriveType = 5) AND FreeSpace >= 1"},
}

// checkEnumCases runs enumCases on a session: each sends its WQL, and
// returns what that WQL returns.
func checkEnumCases(e *env) {
	e.t.Helper()
	for _, c := range enumCases {
		call := e.bind("Get-CimshDisk", nil, c.args...)
		if q, err := call.Query(); err != nil || q != c.wql {
			e.t.Errorf("%v: query %q (%v), want %q", c.args, q, err, c.wql)
			continue
		}
		res, err := call.Run(e.ctx, e.s)
		if err != nil {
			e.t.Errorf("%v: %v", c.args, err)
			continue
		}
		direct, err := e.s.GetInstances(e.ctx, cim.InstanceQuery{Query: c.wql})
		if err != nil {
			e.t.Fatal(err)
		}
		if got, want := names(res.Items, "DeviceID"), names(direct, "DeviceID"); got != want {
			e.t.Errorf("%v: cmdlet %q, WQL %q", c.args, got, want)
		}
	}
	// A name that is no value of the enum is refused before anything is
	// sent, listing the names.
	_, err := e.m.Cmdlet("Get-CimshDisk").Bind([]cdxml.Arg{{Param: e.m.Cmdlet("Get-CimshDisk").Lookup("drive_type"), Value: str("Floppy")}}, nil)
	if err == nil || !strings.Contains(err.Error(), `drive_type: "Floppy" is not a value of CimshDisk.DriveType (Unknown, NoRootDirectory, RemovableDisk, LocalDisk,`) {
		e.t.Errorf("Floppy: %v", err)
	}
}

// TestEnumQuery: enum names select by the enum's values, on the test
// server's fixture disks (C: and D:, both local).
func TestEnumQuery(t *testing.T) {
	e := newEnv(t, "testdata/own/CimshDisk")
	checkEnumCases(e)
	res, err := e.run("Get-CimshDisk", "drive_type", str("LocalDisk"))
	if err != nil || names(res.Items, "DeviceID") != "C:,D:" {
		t.Errorf("local disks: %v %v", res, err)
	}
}

// TestClientSideFilter: a pattern WQL's LIKE cannot say the same way
// (PowerShell's [o^] is a set holding ^; LIKE's [^...] negates) is not
// sent: the class is enumerated once and the pattern applied on the
// client; the other parameters still go in the WQL.
func TestClientSideFilter(t *testing.T) {
	e := newEnv(t, "testdata/own/Widget")
	for _, c := range []struct {
		args  []any
		wql   string
		names string
	}{
		{[]any{"name", str("[o^]dd*")}, "", "odd_[x]%"},
		{[]any{"name", str("[w^]?"), "min_size", num(100)}, "SELECT * FROM Cimsh_Widget WHERE Size >= 100", "w2,w3"},
		{[]any{"exclude_name", str("[^o]*")}, "", "w1,w2,w3"},
	} {
		call := e.bind("Get-Widget", nil, c.args...)
		if q, err := call.Query(); err != nil || q != c.wql {
			t.Errorf("%v: query %q (%v), want %q", c.args, q, err, c.wql)
		}
		mark := e.lastSeq()
		res, err := call.Run(e.ctx, e.s)
		if err != nil || names(res.Items, "Name") != c.names {
			t.Errorf("%v: %v %v, want %s", c.args, names(res.Items, "Name"), err, c.names)
		}
		if n := e.countOps("Enumerate", mark); n != 1 {
			t.Errorf("%v: %d enumerations, want 1", c.args, n)
		}
		for _, r := range e.srv.Requests() {
			if r.Seq > mark && strings.Contains(string(r.Body), "LIKE") {
				t.Errorf("%v: a LIKE was sent: %s", c.args, r.Body)
			}
		}
	}
}
