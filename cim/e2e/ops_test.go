package e2e

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Every operation of the session API, in both dialects, over Basic on
// plain HTTP (the cheapest authentication; the auth tests cover the rest).

func TestEnumerateClass(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		got, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatalf("GetInstances: %v", err)
		}
		if n := names(got); n != "BITS,Dnscache,MapsBroker,nsi,RpcSs,Spooler,W32Time,WinRM" {
			t.Fatalf("services %s", n)
		}
		winrm := got[7]
		if winrm.ClassName != "Win32_Service" || winrm.ComputerName != "127.0.0.1" || winrm.Namespace != "root/cimv2" {
			t.Fatalf("instance identity: class %q computer %q namespace %q", winrm.ClassName, winrm.ComputerName, winrm.Namespace)
		}
		// Typed from the schema: a boolean whatever the dialect's
		// spelling (true or TRUE), a uint32.
		if v, _ := winrm.Get("Started"); v.Type() != model.TypeBoolean || v.Text() != "true" {
			t.Errorf("Started = %v (%s)", v, v.Type())
		}
		if v, _ := winrm.Get("ProcessId"); v.Type() != model.TypeUint32 || v.Text() != "1204" {
			t.Errorf("ProcessId = %v (%s)", v, v.Type())
		}
		if p, ok := winrm.Lookup("Name"); !ok || !p.Key {
			t.Errorf("Name is not marked as the key: %+v", p)
		}
		if n := count(srv, "Enumerate"); n != 1 {
			t.Errorf("%d Enumerate requests (%v)", n, srv.Operations())
		}

		// Streaming in batches of 3: the first with the Enumerate, then
		// two Pulls (sent ahead while the batches before are read); the
		// end of sequence leaves nothing to release.
		srv.ResetLog()
		en, err := s.Enumerate(testCtx(t), cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 3})
		if err != nil {
			t.Fatal(err)
		}
		var streamed []*model.Instance
		for en.Next(testCtx(t)) {
			streamed = append(streamed, en.Instance())
			// The next batches are asked for ahead, PagesAhead at most.
			if len(streamed) == 3 && count(srv, "Pull") > wsman.PagesAhead() {
				t.Errorf("pulled more than %d batches ahead (%v)", wsman.PagesAhead(), srv.Operations())
			}
		}
		if err := en.Err(); err != nil {
			t.Fatal(err)
		}
		if names(streamed) != names(got) {
			t.Errorf("streamed %s", names(streamed))
		}
		if ops := strings.Join(srv.Operations(), ","); ops != "Enumerate,Pull,Pull" {
			t.Errorf("streaming 8 in batches of 3 made %s", ops)
		}
		if srv.Counters().Enumerations != 0 || s.OpenEnumerations() != 0 {
			t.Error("an enumeration stayed open after its end")
		}
	})
}

func TestQueryFilterAndPropertyList(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", Filter: "StartMode = 'Manual'",
			Property: []string{"Name", "State"}})
		if err != nil {
			t.Fatalf("GetInstances: %v", err)
		}
		if n := names(got); n != "BITS,W32Time" {
			t.Fatalf("manual services %s", n)
		}
		for _, inst := range got {
			// A property list comes back as w:XmlFragment: only the
			// properties asked for.
			if ns := strings.Join(inst.Names(), ","); ns != "Name,State" {
				t.Errorf("%s has properties %s, want Name,State", text(inst, "Name"), ns)
			}
			if text(inst, "State") != "Stopped" {
				t.Errorf("%s State %s", text(inst, "Name"), text(inst, "State"))
			}
		}
		// The server got WQL built from -Filter and -Property.
		var enum *wsmantest.LoggedRequest
		for _, l := range srv.Requests() {
			if l.Operation == "Enumerate" {
				enum = &l
				break
			}
		}
		if enum == nil || !strings.Contains(string(enum.Body), "SELECT Name,State FROM Win32_Service WHERE StartMode = &apos;Manual&apos;") &&
			!strings.Contains(string(enum.Body), "SELECT Name,State FROM Win32_Service WHERE StartMode = 'Manual'") {
			t.Fatalf("the Enumerate did not carry the WQL: %v", enum)
		}

		// A whole query.
		got, err = s.GetInstances(ctx, cim.InstanceQuery{Query: "SELECT * FROM Win32_LogicalDisk WHERE DriveType = 3"})
		if err != nil {
			t.Fatalf("Query: %v", err)
		}
		if len(got) != 2 || text(got[0], "DeviceID") != "C:" {
			t.Fatalf("fixed disks: %d, first %s", len(got), text(got[0], "DeviceID"))
		}
	})
}

func TestKeyOnly(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		got, err := s.GetInstances(testCtx(t), cim.InstanceQuery{ClassName: "Win32_LogicalDisk", KeyOnly: true})
		if err != nil {
			t.Fatalf("GetInstances key_only: %v", err)
		}
		if len(got) != 2 {
			t.Fatalf("%d disks", len(got))
		}
		for _, inst := range got {
			if ns := strings.Join(inst.Names(), ","); ns != "DeviceID" {
				t.Errorf("key-only instance has %s", ns)
			}
		}
		if text(got[0], "DeviceID") != "C:" || text(got[1], "DeviceID") != "D:" {
			t.Errorf("keys %s %s", text(got[0], "DeviceID"), text(got[1], "DeviceID"))
		}
		if enum, _ := logged(srv, "Enumerate"); !strings.Contains(string(enum.Body), "EnumerateEPR") {
			body := string(enum.Body)
			t.Errorf("key_only did not ask for EnumerateEPR: %s", body)
		}
	})
}

func TestGetByKeys(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		inst, err := s.GetInstance(testCtx(t), ref("Win32_LogicalDisk", "root/cimv2", "DeviceID", "C:"), cim.Options{})
		if err != nil {
			t.Fatalf("GetInstance: %v", err)
		}
		if v, _ := inst.Get("Size"); v.Type() != model.TypeUint64 || v.Text() != "32210153472" {
			t.Errorf("Size %v (%s)", v, v.Type())
		}
		var get *wsmantest.LoggedRequest
		for _, l := range srv.Requests() {
			if l.Operation == "Get" && strings.HasSuffix(l.ResourceURI, "Win32_LogicalDisk") {
				get = &l
			}
		}
		if get == nil {
			t.Fatalf("no Get of Win32_LogicalDisk logged: %v", srv.Operations())
		}
		if v, ok := get.Selector("DeviceID"); !ok || v != "C:" {
			t.Errorf("Get selectors %+v", get.Selectors)
		}
	})
}

func TestInvokeStaticOutParams(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		const hklm = 0x80000002
		out, err := s.InvokeMethod(ctx, cim.MethodCall{Options: cim.Options{Namespace: "root/default"}, ClassName: "StdRegProv",
			Method: "GetStringValue", Arguments: []model.Property{
				{Name: "hDefKey", Value: model.Uint(model.TypeUint32, hklm)},
				{Name: "sSubKeyName", Value: model.String(`SOFTWARE\cimsh\Test`)},
				{Name: "sValueName", Value: model.String("Greeting")}}})
		if err != nil {
			t.Fatalf("GetStringValue: %v", err)
		}
		if text(out, "ReturnValue") != "0" || text(out, "sValue") != "hello" {
			t.Fatalf("GetStringValue out: ReturnValue %s sValue %s", text(out, "ReturnValue"), text(out, "sValue"))
		}
		// Out arrays.
		out, err = s.InvokeMethod(ctx, cim.MethodCall{Options: cim.Options{Namespace: "root/default"}, ClassName: "StdRegProv",
			Method: "EnumValues", Arguments: []model.Property{
				{Name: "hDefKey", Value: model.Uint(model.TypeUint32, hklm)},
				{Name: "sSubKeyName", Value: model.String(`SOFTWARE\Microsoft\Windows NT\CurrentVersion`)}}})
		if err != nil {
			t.Fatalf("EnumValues: %v", err)
		}
		sNames, _ := out.Get("sNames")
		types, _ := out.Get("Types")
		if !sNames.IsArray() || !types.IsArray() {
			t.Fatalf("out arrays not arrays: sNames %v, Types %v", sNames, types)
		}
		var gotNames, gotTypes []string
		for _, v := range sNames.Elems() {
			gotNames = append(gotNames, v.Text())
		}
		for _, v := range types.Elems() {
			gotTypes = append(gotTypes, v.Text())
		}
		if strings.Join(gotNames, ",") != "CurrentBuild,InstallDate,ProductName" || strings.Join(gotTypes, ",") != "1,4,1" {
			t.Fatalf("EnumValues: sNames %v Types %v", gotNames, gotTypes)
		}
		if types.Type() != model.TypeSint32 {
			t.Errorf("Types typed %s, want sint32 from the schema", types.Type())
		}
		// A one-element out array stays an array.
		out, err = s.InvokeMethod(ctx, cim.MethodCall{Options: cim.Options{Namespace: "root/default"}, ClassName: "StdRegProv",
			Method: "EnumKey", Arguments: []model.Property{
				{Name: "hDefKey", Value: model.Uint(model.TypeUint32, hklm)},
				{Name: "sSubKeyName", Value: model.String(`SOFTWARE\cimsh`)}}})
		if err != nil {
			t.Fatalf("EnumKey: %v", err)
		}
		if v, _ := out.Get("sNames"); !v.IsArray() || v.Len() != 1 || v.Elems()[0].Text() != "Test" {
			t.Errorf("EnumKey sNames %v (array %t)", v, v.IsArray())
		}
		for _, l := range srv.Requests() {
			if l.Operation == "Invoke" && len(l.Selectors) > 0 {
				if _, isNS := l.Selector("__cimnamespace"); !isNS || len(l.Selectors) > 1 {
					t.Errorf("a static method carried instance selectors: %+v", l.Selectors)
				}
			}
		}
	})
}

func TestInvokeInstanceMethod(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		spooler, err := s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", "Spooler"), cim.Options{})
		if err != nil {
			t.Fatalf("GetInstance: %v", err)
		}
		if text(spooler, "State") != "Running" {
			t.Fatalf("Spooler starts %s", text(spooler, "State"))
		}
		out, err := s.InvokeMethod(ctx, cim.MethodCall{Input: spooler, Method: "StopService"})
		if err != nil {
			t.Fatalf("StopService: %v", err)
		}
		if v, _ := out.Get("ReturnValue"); v.Text() != "0" || v.Type() != model.TypeUint32 {
			t.Fatalf("StopService ReturnValue %v (%s)", v, v.Type())
		}
		after, err := s.GetInstance(ctx, spooler, cim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if text(after, "State") != "Stopped" || text(after, "Started") != "false" {
			t.Fatalf("after StopService: State %s Started %s", text(after, "State"), text(after, "Started"))
		}
		// Stopping it again: WMI's 5, the service cannot accept control.
		if out, err = s.InvokeMethod(ctx, cim.MethodCall{Input: after, Method: "StopService"}); err != nil || text(out, "ReturnValue") != "5" {
			t.Fatalf("second StopService: %v %v", text(out, "ReturnValue"), err)
		}
		var inv []wsmantest.LoggedRequest
		for _, l := range srv.Requests() {
			if l.Operation == "Invoke" {
				inv = append(inv, l)
			}
		}
		if len(inv) != 2 || inv[0].Method != "StopService" {
			t.Fatalf("invokes logged: %+v", inv)
		}
		if v, ok := inv[0].Selector("Name"); !ok || v != "Spooler" {
			t.Errorf("the instance method did not carry the key selector: %+v", inv[0].Selectors)
		}
	})
}

func TestCreateAndDelete(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
		inst.SetKey("Id", model.String("e2e-created"))
		inst.Set("U64", model.Uint(model.TypeUint64, math.MaxUint64))
		inst.Set("Str", model.String(`<new> & "quoted"`))
		created, err := s.NewInstance(ctx, inst, cim.Options{})
		if err != nil {
			t.Fatalf("NewInstance: %v", err)
		}
		if created == nil || created.Path().String() == "" {
			t.Fatalf("NewInstance returned %v", created)
		}
		got, err := s.GetInstance(ctx, ref("Cimsh_ValueKinds", "root/cimv2", "Id", "e2e-created"), cim.Options{})
		if err != nil {
			t.Fatalf("Get after create: %v", err)
		}
		if text(got, "U64") != "18446744073709551615" || text(got, "Str") != `<new> & "quoted"` {
			t.Fatalf("created: U64 %s Str %s", text(got, "U64"), text(got, "Str"))
		}
		// Creating it again is refused.
		if _, err := s.NewInstance(ctx, inst, cim.Options{}); err == nil {
			t.Error("creating a duplicate succeeded")
		}
		if err := s.RemoveInstance(ctx, got, cim.Options{}); err != nil {
			t.Fatalf("RemoveInstance: %v", err)
		}
		_, err = s.GetInstance(ctx, ref("Cimsh_ValueKinds", "root/cimv2", "Id", "e2e-created"), cim.Options{})
		if !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("Get after delete: %v", err)
		}
		if count(srv, "Create") != 2 || count(srv, "Delete") != 1 {
			t.Errorf("operations %v", srv.Operations())
		}
	})
}

// uint64 max and sint64 min survive decode -> Put -> Get byte for byte,
// as does every other value kind of Cimsh_ValueKinds.
func TestPutRoundTripAllKinds(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		all := ref("Cimsh_ValueKinds", "root/cimv2", "Id", "all")
		first, err := s.GetInstance(ctx, all, cim.Options{})
		if err != nil {
			t.Fatalf("GetInstance: %v", err)
		}
		if u, ok := mustGet(t, first, "U64").AsUint(); !ok || u != math.MaxUint64 {
			t.Fatalf("U64 decoded as %v", mustGet(t, first, "U64"))
		}
		if i, ok := mustGet(t, first, "S64").AsInt(); !ok || i != math.MinInt64 {
			t.Fatalf("S64 decoded as %v", mustGet(t, first, "S64"))
		}
		want := wsmantest.KindsValues()
		for _, p := range want.All() {
			if p.Name == "EmptyArray" { // WinRM leaves empty arrays out
				continue
			}
			if v, _ := first.Get(p.Name); !model.Equal(v, p.Value) {
				t.Errorf("decoded %s = %v (%s), want %v (%s)", p.Name, v, v.Type(), p.Value, p.Value.Type())
			}
		}
		put := first.Clone()
		put.Set("Str", model.String("changed by Put"))
		if _, err := s.SetInstance(ctx, put, []string{"Str"}, cim.Options{}); err != nil {
			t.Fatalf("SetInstance: %v", err)
		}
		var body string
		for _, l := range srv.Requests() {
			if l.Operation == "Put" {
				body = string(l.Body)
			}
		}
		for _, lit := range []string{">18446744073709551615<", ">-9223372036854775808<", ">changed by Put<"} {
			if !strings.Contains(body, lit) {
				t.Errorf("the Put body lacks %s", lit)
			}
		}
		second, err := s.GetInstance(ctx, all, cim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if text(second, "Str") != "changed by Put" {
			t.Fatalf("the Put did not take: Str %s", text(second, "Str"))
		}
		for _, p := range first.All() {
			if p.Name == "Str" {
				continue
			}
			if v, _ := second.Get(p.Name); !model.Equal(v, p.Value) || v.Text() != p.Value.Text() {
				t.Errorf("after Put %s = %q, want %q", p.Name, v.Text(), p.Value.Text())
			}
		}
	})
}

func mustGet(t *testing.T, inst *model.Instance, name string) model.Value {
	t.Helper()
	v, ok := inst.Get(name)
	if !ok {
		t.Fatalf("%s has no %s", inst.ClassName, name)
	}
	return v
}

func TestGetClassAndListClasses(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		cls, err := s.GetClass(ctx, "root/cimv2", "Win32_Process")
		if err != nil {
			t.Fatalf("GetClass: %v", err)
		}
		if p := cls.Property("Handle"); p == nil || !p.Key || p.Type != model.TypeString {
			t.Errorf("Handle %+v", p)
		}
		if p := cls.Property("CreationDate"); p == nil || p.Type != model.TypeDatetime {
			t.Errorf("CreationDate %+v", p)
		}
		m := cls.Method("Create")
		if m == nil || !m.Static || m.Parameter("CommandLine") == nil || !m.Parameter("CommandLine").In {
			t.Errorf("Create %+v", m)
		}
		if m := cls.Method("GetOwner"); m == nil || m.Parameter("User") == nil || !m.Parameter("User").Out {
			t.Errorf("GetOwner %+v", m)
		}
		if count(srv, "Get") != 1 {
			t.Errorf("GetClass made %v", srv.Operations())
		}
		// Cached: asking again costs nothing.
		if _, err := s.GetClass(ctx, "root/cimv2", "win32_process"); err != nil || len(srv.Requests()) != 1 {
			t.Errorf("second GetClass: %v, %d requests", err, len(srv.Requests()))
		}

		classes, err := s.Classes(ctx, "root/default", "")
		if err != nil {
			t.Fatalf("Classes: %v", err)
		}
		if len(classes) != 1 || classes[0].Name != "StdRegProv" || classes[0].Method("EnumKey") == nil {
			t.Fatalf("root/default classes %v", classes)
		}
		cimv2, err := s.Classes(ctx, "root/cimv2", "")
		if err != nil {
			t.Fatalf("Classes root/cimv2: %v", err)
		}
		var list []string
		for _, c := range cimv2 {
			list = append(list, c.Name)
		}
		sort.Strings(list)
		joined := "," + strings.Join(list, ",") + ","
		for _, want := range []string{"Win32_Service", "Win32_Process", "Win32_OperatingSystem", "Win32_LogicalDisk", "Cimsh_ValueKinds"} {
			if !strings.Contains(joined, ","+want+",") {
				t.Errorf("root/cimv2 lacks %s: %v", want, list)
			}
		}
	})
}

func TestAssociations(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		got, err := s.GetAssociatedInstances(ctx, cim.AssociatedQuery{Input: ref("Win32_Service", "root/cimv2", "Name", "RpcSs"),
			Association: "Win32_DependentService", ResultClassName: "Win32_Service"})
		if err != nil {
			t.Fatalf("GetAssociatedInstances: %v", err)
		}
		var list []string
		for _, inst := range got {
			list = append(list, text(inst, "Name"))
			if inst.ClassName != "Win32_Service" {
				t.Errorf("associated instance of class %s", inst.ClassName)
			}
		}
		sort.Strings(list)
		if strings.Join(list, ",") != "BITS,Spooler,WinRM,nsi" {
			t.Fatalf("services associated with RpcSs: %v", list)
		}
		enum, _ := logged(srv, "Enumerate")
		body := string(enum.Body)
		if !strings.Contains(body, "associationFilter") || !strings.Contains(body, "Win32_DependentService") {
			t.Errorf("the Enumerate carried no association filter: %s", body)
		}
		// The computer system's services, the other association.
		sys, err := s.GetAssociatedInstances(ctx, cim.AssociatedQuery{Input: ref("Win32_ComputerSystem", "root/cimv2", "Name", "WSMANTEST"),
			Association: "Win32_SystemServices", KeyOnly: true})
		if err != nil {
			t.Fatalf("Win32_SystemServices: %v", err)
		}
		if len(sys) != 8 {
			t.Fatalf("%d services of the computer system", len(sys))
		}
	})
}

func TestIdentify(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		id, err := s.Test(testCtx(t))
		if err != nil {
			t.Fatalf("Test: %v", err)
		}
		if id.ProtocolVersion != "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" || id.ProductVendor == "" || id.ProductVersion == "" {
			t.Fatalf("identity %+v", id)
		}
		if ops := srv.Operations(); len(ops) != 1 || ops[0] != "Identify" {
			t.Fatalf("server saw %v", ops)
		}
	})
}
