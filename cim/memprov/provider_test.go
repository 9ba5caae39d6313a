package memprov

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

func collect(t *testing.T, p *Provider, req *model.EnumerateRequest) ([]*model.Instance, error) {
	t.Helper()
	ctx := context.Background()
	e, err := p.Enumerate(ctx, req)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	var out []*model.Instance
	for e.Next(ctx) {
		out = append(out, e.Instance())
	}
	return out, e.Err()
}

func mustCollect(t *testing.T, p *Provider, req *model.EnumerateRequest) []*model.Instance {
	t.Helper()
	out, err := collect(t, p, req)
	if err != nil {
		t.Fatalf("Enumerate(%+v): %v", req, err)
	}
	return out
}

// summary renders instances as "Class:key" for compact assertions.
func summary(insts []*model.Instance) string {
	parts := make([]string, len(insts))
	for i, inst := range insts {
		var keys []string
		for _, k := range inst.Keys() {
			if r, ok := k.Value.AsReference(); ok {
				keys = append(keys, r.ClassName+"."+r.Selectors[0].Value)
			} else {
				keys = append(keys, k.Value.Text())
			}
		}
		parts[i] = inst.ClassName + ":" + strings.Join(keys, "/")
	}
	return strings.Join(parts, " ")
}

// wantFault checks that err is a fault with the CIM status.
func wantFault(t *testing.T, err error, status model.CIMStatus, contains string) {
	t.Helper()
	f, ok := model.AsFault(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *model.Fault", err, err)
	}
	if f.CIMStatus != status {
		t.Fatalf("fault %q: status %s, want %s", f.Error(), f.CIMStatus, status)
	}
	if f.Category != status.Category() {
		t.Fatalf("fault %q: category %s, want %s", f.Error(), f.Category, status.Category())
	}
	if contains != "" && !strings.Contains(f.Error(), contains) {
		t.Fatalf("fault %q does not mention %q", f.Error(), contains)
	}
}

func TestIdentify(t *testing.T) {
	p := newWorld().provider()
	id, err := p.Identify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.ProductVendor != "cimsh" || id.ProductVersion != "test" {
		t.Fatalf("identity %+v", id)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Identify(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Identify with a cancelled ctx: %v", err)
	}
}

func TestEnumerateClasses(t *testing.T) {
	p := newWorld().provider()
	tests := []struct {
		name string
		req  model.EnumerateRequest
		want string
	}{
		{"exact class", model.EnumerateRequest{ClassName: "Win32_Process"}, "Win32_Process:4 Win32_Process:700 Win32_Process:800"},
		{"class name any case", model.EnumerateRequest{ClassName: "win32_service"}, "Win32_Service:HTTP Win32_Service:Spooler Win32_Service:WinRM"},
		{"base class returns subclass instances", model.EnumerateRequest{ClassName: "CIM_Process"}, "Win32_Process:4 Win32_Process:700 Win32_Process:800"},
		{"shallow base class has none", model.EnumerateRequest{ClassName: "CIM_Process", Shallow: true}, ""},
		{"backslash namespace", model.EnumerateRequest{Common: model.Common{Namespace: `Root\CIMv2`}, ClassName: "Win32_Service"}, "Win32_Service:HTTP Win32_Service:Spooler Win32_Service:WinRM"},
		{"other namespace, class name filled in", model.EnumerateRequest{Common: model.Common{Namespace: "root/other"}, ClassName: "Other_Singleton"}, "Other_Singleton:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			got := summary(mustCollect(t, p, &req))
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnumerateStampsInstances(t *testing.T) {
	p := newWorld().provider()
	insts := mustCollect(t, p, &model.EnumerateRequest{Common: model.Common{Namespace: `ROOT\cimv2`}, ClassName: "CIM_Process"})
	inst := insts[1]
	if inst.Namespace != "root/cimv2" || inst.ComputerName != "TESTHOST" || inst.ClassName != "Win32_Process" {
		t.Fatalf("stamps: ns %q computer %q class %q", inst.Namespace, inst.ComputerName, inst.ClassName)
	}
	if k := inst.Keys(); len(k) != 1 || k[0].Name != "Handle" {
		t.Fatalf("keys %+v, want Handle (inherited from CIM_Process)", k)
	}
	if got := inst.Path().String(); got != `Win32_Process.Handle="700"` {
		t.Fatalf("path %s", got)
	}
	// Instances are copies: changing one changes nothing in the provider.
	inst.Set("Name", model.String("changed"))
	inst.SetAt(0, model.String("999"))
	again := mustCollect(t, p, &model.EnumerateRequest{ClassName: "Win32_Process"})
	if n, _ := again[1].Get("Name"); n.Text() != "svchost.exe" {
		t.Fatalf("provider state changed through a returned instance: %s", n)
	}
}

func TestEnumerateProjection(t *testing.T) {
	p := newWorld().provider()
	insts := mustCollect(t, p, &model.EnumerateRequest{ClassName: "Win32_Process", Properties: []string{"name"}})
	if got := strings.Join(insts[0].Names(), ","); got != "Handle,Name" {
		t.Fatalf("Properties projection kept %s, want Handle,Name", got)
	}
	insts = mustCollect(t, p, &model.EnumerateRequest{ClassName: "Win32_Service", KeyOnly: true})
	if got := strings.Join(insts[0].Names(), ","); got != "Name" {
		t.Fatalf("KeyOnly kept %s", got)
	}
}

func TestEnumerateFaults(t *testing.T) {
	p := newWorld().provider()
	tests := []struct {
		name     string
		req      model.EnumerateRequest
		status   model.CIMStatus
		contains string
	}{
		{"unknown namespace", model.EnumerateRequest{Common: model.Common{Namespace: "root/nope"}, ClassName: "Win32_Process"}, model.CIMInvalidNamespace, "root/nope"},
		{"unknown class", model.EnumerateRequest{ClassName: "Win32_Nope"}, model.CIMInvalidClass, "Win32_Nope"},
		{"no class", model.EnumerateRequest{}, model.CIMInvalidClass, "no class"},
		{"class in another namespace", model.EnumerateRequest{Common: model.Common{Namespace: "root/other"}, ClassName: "Win32_Process"}, model.CIMInvalidClass, "root/other"},
		{"bad WQL", model.EnumerateRequest{Query: "SELECT * FORM Win32_Process"}, model.CIMInvalidQuery, "FORM"},
		{"unknown property in WHERE", model.EnumerateRequest{Query: "SELECT * FROM Win32_Process WHERE Nme = 'x'"}, model.CIMInvalidQuery, "Nme"},
		{"unknown property selected", model.EnumerateRequest{Query: "SELECT Bogus FROM Win32_Service"}, model.CIMInvalidQuery, "Bogus"},
		{"subclass property on a base class", model.EnumerateRequest{Query: "SELECT * FROM CIM_Process WHERE ProcessId = 4"}, model.CIMInvalidQuery, "ProcessId"},
		{"query class unknown", model.EnumerateRequest{Query: "SELECT * FROM Win32_Nope"}, model.CIMInvalidClass, "Win32_Nope"},
		{"type mismatch", model.EnumerateRequest{Query: "SELECT * FROM Win32_Process WHERE CreationDate = 5"}, model.CIMInvalidQuery, "datetime"},
		{"dialect", model.EnumerateRequest{Query: "SELECT * FROM Win32_Process", QueryDialect: "CQL"}, model.CIMQueryLanguageNotSupported, "CQL"},
		{"ClassDefsOnly", model.EnumerateRequest{Query: `ASSOCIATORS OF {Win32_Service.Name="WinRM"} WHERE ClassDefsOnly`}, model.CIMNotSupported, "ClassDefsOnly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			_, err := collect(t, p, &req)
			wantFault(t, err, tt.status, tt.contains)
		})
	}
}

func TestQuery(t *testing.T) {
	p := newWorld().provider()
	tests := []struct {
		query string
		want  string
		names string // property names of the first result, when set
	}{
		{"SELECT * FROM Win32_Process WHERE ProcessId > 500", "Win32_Process:700 Win32_Process:800", ""},
		{"select name from cim_process where name like '%.EXE'", "Win32_Process:700 Win32_Process:800", "Handle,Name"},
		{"SELECT * FROM CIM_Process WHERE __CLASS = 'win32_process' AND Name = 'SYSTEM'", "Win32_Process:4", ""},
		{"SELECT * FROM Win32_Process WHERE CommandLine IS NULL", "Win32_Process:4", ""},
		{"SELECT * FROM Win32_Process WHERE NOT CommandLine LIKE '%lsass%'", "Win32_Process:700", ""},
		{"SELECT * FROM Win32_Process WHERE WorkingSetSize >= 1099511627776", "Win32_Process:700", ""},
		{"SELECT * FROM Win32_Process WHERE CreationDate > '2024-03-01T08:10:00Z'", "Win32_Process:700 Win32_Process:800", ""},
		{"SELECT * FROM Win32_Process WHERE CreationDate < '20240301081200.000000+000'", "Win32_Process:4 Win32_Process:700", ""},
		{"SELECT * FROM Win32_Service WHERE State = 'running' OR StartMode = 'Manual'", "Win32_Service:HTTP Win32_Service:Spooler Win32_Service:WinRM", ""},
		{"SELECT * FROM CIM_Process WHERE __THIS ISA 'Win32_Process' AND Handle = 4", "Win32_Process:4", ""},
		{"SELECT State FROM Win32_Service WHERE Name = 'winrm'", "Win32_Service:WinRM", "Name,State"},
		{`ASSOCIATORS OF {Win32_Service.Name="WinRM"}`, "Win32_Process:700 Win32_Service:HTTP", ""},
		{`ASSOCIATORS OF {Win32_Service.Name="WinRM"} WHERE ResultClass = CIM_Process`, "Win32_Process:700", ""},
		{`ASSOCIATORS OF {Win32_Service.Name="WinRM"} WHERE AssocClass = Test_DependentService Role = Dependent`, "Win32_Service:HTTP", ""},
		{`ASSOCIATORS OF {Win32_Service.Name="WinRM"} WHERE Role = Antecedent`, "", ""},
		{`ASSOCIATORS OF {\\TESTHOST\root\cimv2:Win32_Process.Handle="700"} WHERE KeysOnly`, "Win32_Service:WinRM", "Name"},
		{`REFERENCES OF {Win32_Service.Name="HTTP"}`, "Test_ServiceProcess:Win32_Service.HTTP/Win32_Process.4 Test_DependentService:Win32_Service.HTTP/Win32_Service.WinRM", ""},
		{`REFERENCES OF {Win32_Service.Name="HTTP"} WHERE ResultClass = Test_DependentService`, "Test_DependentService:Win32_Service.HTTP/Win32_Service.WinRM", ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			insts := mustCollect(t, p, &model.EnumerateRequest{Query: tt.query, QueryDialect: "http://schemas.microsoft.com/wbem/wsman/1/WQL"})
			if got := summary(insts); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			if tt.names != "" {
				if got := strings.Join(insts[0].Names(), ","); got != tt.names {
					t.Fatalf("properties %s, want %s", got, tt.names)
				}
			}
		})
	}
}

func TestAssociated(t *testing.T) {
	p := newWorld().provider()
	winrm := serviceRef("winrm") // keys match case-insensitively
	tests := []struct {
		name string
		f    model.AssociationFilter
		want string
	}{
		{"all", model.AssociationFilter{Source: winrm}, "Win32_Process:700 Win32_Service:HTTP"},
		{"association class", model.AssociationFilter{Source: winrm, AssociationClass: "Test_ServiceProcess"}, "Win32_Process:700"},
		{"association base class", model.AssociationFilter{Source: winrm, AssociationClass: "CIM_Dependency"}, "Win32_Service:HTTP"},
		{"result class base", model.AssociationFilter{Source: winrm, ResultClass: "CIM_Process"}, "Win32_Process:700"},
		{"role", model.AssociationFilter{Source: winrm, Role: "Antecedent"}, ""},
		{"result role", model.AssociationFilter{Source: winrm, ResultRole: "Antecedent"}, "Win32_Service:HTTP"},
		{"from a process by base class path", model.AssociationFilter{Source: &model.Reference{ClassName: "CIM_Process", Selectors: []model.Selector{{Name: "Handle", Value: "4"}}}}, "Win32_Service:HTTP"},
		{"references", model.AssociationFilter{Source: winrm, References: true}, "Test_ServiceProcess:Win32_Service.WinRM/Win32_Process.700 Test_DependentService:Win32_Service.HTTP/Win32_Service.WinRM"},
		{"references by role", model.AssociationFilter{Source: winrm, References: true, Role: "Dependent"}, "Test_DependentService:Win32_Service.HTTP/Win32_Service.WinRM"},
		{"references by result class", model.AssociationFilter{Source: winrm, References: true, ResultClass: "Test_ServiceProcess"}, "Test_ServiceProcess:Win32_Service.WinRM/Win32_Process.700"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			got := summary(mustCollect(t, p, &model.EnumerateRequest{Associated: &f}))
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	_, err := collect(t, p, &model.EnumerateRequest{Associated: &model.AssociationFilter{Source: serviceRef("Nope")}})
	wantFault(t, err, model.CIMNotFound, "Nope")
	_, err = collect(t, p, &model.EnumerateRequest{Associated: &model.AssociationFilter{Source: winrm, AssociationClass: "Bogus_Assoc"}})
	wantFault(t, err, model.CIMInvalidClass, "Bogus_Assoc")
	_, err = collect(t, p, &model.EnumerateRequest{Associated: &model.AssociationFilter{}})
	wantFault(t, err, model.CIMInvalidParameter, "source")
}

func TestAssociatedListsOnce(t *testing.T) {
	w := newWorld()
	p := w.provider()
	// Every service runs in some process: three links to Win32_Process.
	w.addService("Extra1", "Running", "Auto", 800)
	w.addService("Extra2", "Running", "Auto", 800)
	before := w.procLists
	insts := mustCollect(t, p, &model.EnumerateRequest{Query: "ASSOCIATORS OF {Win32_Process.Handle=800}"})
	if got := summary(insts); got != "Win32_Service:Extra1 Win32_Service:Extra2" {
		t.Fatalf("got %s", got)
	}
	// One listing finds the source, one resolves the far ends (services).
	if n := w.procLists - before; n != 1 {
		t.Fatalf("Win32_Process listed %d times for one association query", n)
	}
}

func TestGet(t *testing.T) {
	p := newWorld().provider()
	ctx := context.Background()
	tests := []struct {
		name string
		req  model.GetRequest
		want string
	}{
		{"by key", model.GetRequest{Path: serviceRef("WinRM")}, "Win32_Service:WinRM"},
		{"key value any case", model.GetRequest{Path: serviceRef("wINrm")}, "Win32_Service:WinRM"},
		{"via base class", model.GetRequest{Path: &model.Reference{ClassName: "CIM_Process", Selectors: []model.Selector{{Name: "handle", Value: "800"}}}}, "Win32_Process:800"},
		{"namespace from the request", model.GetRequest{Common: model.Common{Namespace: `root\CIMV2`}, Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "HTTP"}, {Name: "__cimnamespace", Value: "root/cimv2"}}}}, "Win32_Service:HTTP"},
		{"singleton", model.GetRequest{Common: model.Common{Namespace: "root/other"}, Path: &model.Reference{ClassName: "Other_Singleton"}}, "Other_Singleton:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			inst, err := p.Get(ctx, &req)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary([]*model.Instance{inst}); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
			if inst.ComputerName != "TESTHOST" {
				t.Fatalf("computer %q", inst.ComputerName)
			}
		})
	}
	faults := []struct {
		name   string
		req    model.GetRequest
		status model.CIMStatus
	}{
		{"not found", model.GetRequest{Path: serviceRef("Nope")}, model.CIMNotFound},
		{"wrong key name", model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Nom", Value: "WinRM"}}}}, model.CIMNotFound},
		{"keyless get of a multi-instance class", model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service"}}, model.CIMInvalidParameter},
		{"unknown class", model.GetRequest{Path: &model.Reference{ClassName: "Nope"}}, model.CIMInvalidClass},
		{"unknown namespace", model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Namespace: "root/x"}}, model.CIMInvalidNamespace},
		{"no path", model.GetRequest{}, model.CIMInvalidParameter},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			_, err := p.Get(ctx, &req)
			wantFault(t, err, tt.status, "")
		})
	}
	_, err := p.Get(ctx, &model.GetRequest{Path: serviceRef("Nope")})
	if !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("errors.Is(%v, ErrNotFound) is false", err)
	}
}

func TestGetWithGetFunc(t *testing.T) {
	p := New(model.Identity{}, "h")
	calls := 0
	p.Register("", ClassDef{
		Class: &model.Class{Name: "T_Keyed", Properties: []model.PropertyDecl{{Name: "ID", Type: model.TypeUint64, Key: true}}},
		Get: func(ctx context.Context, path *model.Reference) (*model.Instance, error) {
			calls++
			s, _ := path.Selector("ID")
			if s.Value != "18446744073709551615" {
				return nil, nil
			}
			i := model.NewInstance("T_Keyed", "")
			i.Set("ID", model.Uint(model.TypeUint64, 1<<64-1))
			return i, nil
		},
	})
	inst, err := p.Get(context.Background(), &model.GetRequest{Path: &model.Reference{ClassName: "t_keyed", Selectors: []model.Selector{{Name: "ID", Value: "18446744073709551615"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := inst.Get("id"); v.Text() != "18446744073709551615" || !inst.IsKeyAt(0) || inst.Namespace != "root/cimv2" {
		t.Fatalf("got %+v", inst)
	}
	_, err = p.Get(context.Background(), &model.GetRequest{Path: &model.Reference{ClassName: "T_Keyed", Selectors: []model.Selector{{Name: "ID", Value: "1"}}}})
	wantFault(t, err, model.CIMNotFound, "T_Keyed")
	if calls != 2 {
		t.Fatalf("Get func called %d times", calls)
	}
}

func TestInvoke(t *testing.T) {
	w := newWorld()
	p := w.provider()
	ctx := context.Background()

	// A static method with text arguments, converted to the schema's types.
	out, err := p.Invoke(ctx, &model.InvokeRequest{ClassName: "win32_process", Method: "create", In: []model.Property{
		{Name: "commandline", Value: model.String("notepad.exe a.txt")},
		{Name: "Priorities", Value: model.Array(model.TypeString, []model.Value{model.String("-3"), model.String("7")})},
	}})
	if err != nil {
		t.Fatal(err)
	}
	rv, _ := out.Get("ReturnValue")
	pid, _ := out.Get("ProcessId")
	echo, _ := out.Get("EchoPriorities")
	if rv.Type() != model.TypeUint32 || rv.Text() != "0" || pid.Type() != model.TypeUint32 || pid.Text() != "1000" {
		t.Fatalf("out params: ReturnValue %s (%s) ProcessId %s (%s)", rv, rv.Type(), pid, pid.Type())
	}
	if echo.Type() != model.TypeSint8 || !echo.IsArray() || echo.Text() != "{-3, 7}" {
		t.Fatalf("array in parameter arrived as %s %s", echo.Type(), echo)
	}
	if out.ComputerName != "TESTHOST" {
		t.Fatalf("out computer %q", out.ComputerName)
	}
	if _, err := p.Get(ctx, &model.GetRequest{Path: procRef(1000)}); err != nil {
		t.Fatalf("created process not found: %v", err)
	}

	// An instance method on a target addressed through its base class.
	out, err = p.Invoke(ctx, &model.InvokeRequest{
		Target: &model.Reference{ClassName: "CIM_Process", Selectors: []model.Selector{{Name: "Handle", Value: "800"}}},
		Method: "Terminate",
		In:     []model.Property{{Name: "Reason", Value: model.Sint(model.TypeSint64, 5)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rv, _ := out.Get("ReturnValue"); rv.Type() != model.TypeUint32 {
		t.Fatalf("ReturnValue type %s, want uint32", rv.Type())
	}
	if len(w.terminate) != 1 || w.terminate[0] != "800:uint32:5" {
		t.Fatalf("terminate calls %v", w.terminate)
	}

	faults := []struct {
		name     string
		req      model.InvokeRequest
		status   model.CIMStatus
		contains string
	}{
		{"unknown method", model.InvokeRequest{ClassName: "Win32_Process", Method: "Explode"}, model.CIMMethodNotFound, "Explode"},
		{"declared but not implemented", model.InvokeRequest{Target: procRef(4), Method: "GetOwner"}, model.CIMMethodNotAvailable, "not implemented"},
		{"unknown parameter", model.InvokeRequest{ClassName: "Win32_Process", Method: "Create", In: []model.Property{{Name: "CmdLine", Value: model.String("x")}}}, model.CIMInvalidParameter, "CmdLine"},
		{"out parameter given as input", model.InvokeRequest{ClassName: "Win32_Process", Method: "Create", In: []model.Property{{Name: "ProcessId", Value: model.String("1")}}}, model.CIMInvalidParameter, "ProcessId"},
		{"value out of range", model.InvokeRequest{Target: procRef(4), Method: "Terminate", In: []model.Property{{Name: "Reason", Value: model.Sint(model.TypeSint32, -1)}}}, model.CIMInvalidParameter, "Reason"},
		{"value not a number", model.InvokeRequest{Target: procRef(4), Method: "Terminate", In: []model.Property{{Name: "Reason", Value: model.String("soon")}}}, model.CIMInvalidParameter, "soon"},
		{"array element out of range", model.InvokeRequest{ClassName: "Win32_Process", Method: "Create", In: []model.Property{{Name: "Priorities", Value: model.Array(model.TypeSint32, []model.Value{model.Sint(model.TypeSint32, 200)})}}}, model.CIMInvalidParameter, "200"},
		{"instance method without a target", model.InvokeRequest{ClassName: "Win32_Process", Method: "Terminate"}, model.CIMInvalidParameter, "not static"},
		{"target not found", model.InvokeRequest{Target: procRef(12345), Method: "Terminate"}, model.CIMNotFound, "12345"},
		{"unknown class", model.InvokeRequest{ClassName: "Nope", Method: "X"}, model.CIMInvalidClass, "Nope"},
		{"unknown namespace", model.InvokeRequest{Common: model.Common{Namespace: "root/x"}, ClassName: "Win32_Process", Method: "Create"}, model.CIMInvalidNamespace, "root/x"},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			_, err := p.Invoke(ctx, &req)
			wantFault(t, err, tt.status, tt.contains)
		})
	}
}

func TestCreateModifyDelete(t *testing.T) {
	w := newWorld()
	p := w.provider()
	ctx := context.Background()

	svc := model.NewInstance("Win32_Service", "")
	svc.Set("Name", model.String("Fax"))
	svc.Set("State", model.String("Stopped"))
	got, err := p.Create(ctx, &model.CreateRequest{Instance: svc})
	if err != nil {
		t.Fatal(err)
	}
	if got.Namespace != "root/cimv2" || len(got.Keys()) != 1 || got.ComputerName != "TESTHOST" {
		t.Fatalf("created %+v", got)
	}
	_, err = p.Create(ctx, &model.CreateRequest{Instance: svc})
	wantFault(t, err, model.CIMAlreadyExists, "Fax")

	mod := model.NewInstance("Win32_Service", "")
	mod.Set("Name", model.String("Fax"))
	mod.Set("State", model.String("Running"))
	got, err = p.Modify(ctx, &model.ModifyRequest{Instance: mod})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := got.Get("State"); s.Text() != "Running" {
		t.Fatalf("modified state %s", s)
	}
	again, err := p.Get(ctx, &model.GetRequest{Path: serviceRef("fax")})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := again.Get("State"); s.Text() != "Running" {
		t.Fatalf("state after Modify %s", s)
	}

	if err := p.Delete(ctx, &model.DeleteRequest{Path: procRef(4)}); err != nil {
		t.Fatal(err)
	}
	wantFault(t, p.Delete(ctx, &model.DeleteRequest{Path: procRef(4)}), model.CIMNotFound, "4")
	if _, err := p.Get(ctx, &model.GetRequest{Path: procRef(4)}); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("deleted process still there: %v", err)
	}

	faults := []struct {
		name string
		err  error
	}{
		{"create unsupported", func() error {
			_, err := p.Create(ctx, &model.CreateRequest{Instance: model.NewInstance("Win32_Process", "")})
			return err
		}()},
		{"modify unsupported", func() error {
			_, err := p.Modify(ctx, &model.ModifyRequest{Instance: model.NewInstance("Win32_Process", "")})
			return err
		}()},
		{"delete unsupported", p.Delete(ctx, &model.DeleteRequest{Path: serviceRef("WinRM")})},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) { wantFault(t, tt.err, model.CIMNotSupported, "") })
	}
	_, err = p.Create(ctx, &model.CreateRequest{Instance: model.NewInstance("Nope", "")})
	wantFault(t, err, model.CIMInvalidClass, "Nope")
	_, err = p.Modify(ctx, &model.ModifyRequest{Common: model.Common{Namespace: "root/none"}, Instance: mod})
	wantFault(t, err, model.CIMInvalidNamespace, "root/none")
	_, err = p.Create(ctx, &model.CreateRequest{})
	wantFault(t, err, model.CIMInvalidParameter, "")
}

func TestClasses(t *testing.T) {
	p := newWorld().provider()
	ctx := context.Background()
	c, err := p.GetClass(ctx, &model.GetClassRequest{ClassName: "WIN32_PROCESS"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, pd := range c.Properties {
		names = append(names, pd.Name+"@"+pd.ClassOrigin)
	}
	want := "Handle@CIM_Process Name@CIM_Process CreationDate@CIM_Process ProcessId@Win32_Process CommandLine@Win32_Process WorkingSetSize@Win32_Process"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("properties %s\nwant %s", got, want)
	}
	if c.Namespace != "root/cimv2" || c.SuperClass != "CIM_Process" || c.Method("terminate") == nil {
		t.Fatalf("class %+v", c)
	}
	// The schema returned is a copy.
	c.Properties[0].Name = "X"
	c2, _ := p.GetClass(ctx, &model.GetClassRequest{ClassName: "Win32_Process"})
	if c2.Properties[0].Name != "Handle" {
		t.Fatal("GetClass returned the registered schema itself")
	}

	_, err = p.GetClass(ctx, &model.GetClassRequest{ClassName: "Nope"})
	wantFault(t, err, model.CIMInvalidClass, "Nope")
	_, err = p.GetClass(ctx, &model.GetClassRequest{Common: model.Common{Namespace: "nope"}, ClassName: "Win32_Process"})
	wantFault(t, err, model.CIMInvalidNamespace, "nope")

	all, err := p.EnumerateClasses(ctx, &model.EnumerateClassesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("%d classes in root/cimv2, want 6", len(all))
	}
	sub, err := p.EnumerateClasses(ctx, &model.EnumerateClassesRequest{ClassName: "cim_process"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sub) != 2 || sub[0].Name != "CIM_Process" || sub[1].Name != "Win32_Process" {
		t.Fatalf("subclasses of CIM_Process: %v", sub)
	}
	_, err = p.EnumerateClasses(ctx, &model.EnumerateClassesRequest{ClassName: "Nope"})
	wantFault(t, err, model.CIMInvalidClass, "Nope")
	_, err = p.EnumerateClasses(ctx, &model.EnumerateClassesRequest{Common: model.Common{Namespace: "root/x"}})
	wantFault(t, err, model.CIMInvalidNamespace, "root/x")
}

func TestCancellation(t *testing.T) {
	p := newWorld().provider()
	ctx, cancel := context.WithCancel(context.Background())
	e, err := p.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Process"})
	if err != nil {
		t.Fatal(err)
	}
	if !e.Next(ctx) {
		t.Fatalf("first Next: %v", e.Err())
	}
	cancel()
	if e.Next(ctx) {
		t.Fatal("Next after cancel returned true")
	}
	if !errors.Is(e.Err(), context.Canceled) {
		t.Fatalf("Err after cancel: %v", e.Err())
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryCanceled || f.Error() != "memprov: context canceled" {
		t.Fatalf("Err after cancel is not a canceled fault: %v", e.Err())
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if e.Close() != nil || e.Next(context.Background()) {
		t.Fatal("Close twice or Next after Close misbehaves")
	}
	if _, err := p.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Process"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Enumerate with a cancelled ctx: %v", err)
	}
	dctx, dcancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer dcancel()
	<-dctx.Done()
	_, err = p.Get(dctx, &model.GetRequest{Path: serviceRef("WinRM")})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryTimeout {
		t.Fatalf("Get past its deadline: %v", err)
	}
}

func TestListErrors(t *testing.T) {
	p := New(model.Identity{}, "h")
	boom := errors.New("disk on fire")
	p.Register("", ClassDef{
		Class: &model.Class{Name: "T_Broken"},
		List:  func(context.Context) ([]*model.Instance, error) { return nil, boom },
	})
	p.Register("", ClassDef{
		Class: &model.Class{Name: "T_Denied"},
		List: func(context.Context) ([]*model.Instance, error) {
			return nil, model.NewFault(model.CIMAccessDenied, "no")
		},
	})
	_, err := collect(t, p, &model.EnumerateRequest{ClassName: "T_Broken"})
	wantFault(t, err, model.CIMFailed, "disk on fire")
	if !errors.Is(err, boom) {
		t.Fatalf("the cause is not wrapped: %v", err)
	}
	_, err = collect(t, p, &model.EnumerateRequest{ClassName: "T_Denied"})
	if !errors.Is(err, model.ErrAccessDenied) {
		t.Fatalf("a provider fault is not passed through: %v", err)
	}
}

func TestRegisterReplaces(t *testing.T) {
	p := New(model.Identity{}, "h")
	mk := func(v int64) ClassDef {
		return ClassDef{Class: &model.Class{Name: "T_X"}, List: func(context.Context) ([]*model.Instance, error) {
			i := model.NewInstance("T_X", "")
			i.Set("V", model.Sint(model.TypeSint64, v))
			return []*model.Instance{i}, nil
		}}
	}
	p.Register("", mk(1))
	p.Register("ROOT/CIMV2", mk(2))
	insts := mustCollect(t, p, &model.EnumerateRequest{ClassName: "t_x"})
	if len(insts) != 1 {
		t.Fatalf("%d instances", len(insts))
	}
	if v, _ := insts[0].Get("V"); v.Text() != "2" {
		t.Fatalf("V = %s, want the replacement's 2", v)
	}
	classes, _ := p.EnumerateClasses(context.Background(), nil)
	if len(classes) != 1 {
		t.Fatalf("%d classes after re-registering", len(classes))
	}
}

func TestConcurrentUse(t *testing.T) {
	w := newWorld()
	p := w.provider()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				e, err := p.Enumerate(ctx, &model.EnumerateRequest{Query: "SELECT * FROM Win32_Process WHERE ProcessId > 0"})
				if err != nil {
					errs <- err
					return
				}
				for e.Next(ctx) {
					e.Instance().Set("Name", model.String("mine"))
				}
				e.Close()
				if _, err := p.Invoke(ctx, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create",
					In: []model.Property{{Name: "CommandLine", Value: model.String(fmt.Sprintf("p%d-%d.exe", g, i))}}}); err != nil {
					errs <- err
					return
				}
				if g == 0 && i == 10 {
					p.Register("root/cimv2", ClassDef{Class: &model.Class{Name: "T_Late"}})
				}
				if _, err := p.Get(ctx, &model.GetRequest{Path: serviceRef("WinRM")}); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	insts := mustCollect(t, p, &model.EnumerateRequest{ClassName: "Win32_Process"})
	if len(insts) != 3+8*20 {
		t.Fatalf("%d processes, want %d", len(insts), 3+8*20)
	}
}
