package e2e

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Server quirks and request escaping, end to end.

// Control characters: Windows replaces them with '?', OMI sends &#N;
// references that encoding/xml rejects; both decode.
func TestControlCharacters(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		inst, err := s.GetInstance(testCtx(t), ref("Cimsh_ValueKinds", "root/cimv2", "Id", "control"), cim.Options{})
		if err != nil {
			t.Fatalf("Get of a string with control characters: %v", err)
		}
		want := map[wsmantest.Dialect]string{wsmantest.Windows: "bell? escape? end", wsmantest.OMI: "bell\x07 escape\x1b end"}[d]
		if got := text(inst, "Str"); got != want {
			t.Fatalf("Str = %q, want %q", got, want)
		}
	})
}

// Markup in a selector value and in a WQL filter is escaped: the server
// parses the request and answers (not a schema validation fault).
func TestEscaping(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Process", Filter: "ProcessId < 1000 AND Name <> '<&>'"})
		if err != nil {
			t.Fatalf("a filter with < and &: %v", err)
		}
		var pids []string
		for _, p := range got {
			pids = append(pids, text(p, "ProcessId"))
		}
		if strings.Join(pids, ",") != "0,4,800" {
			t.Fatalf("processes below 1000: %v", pids)
		}
		_, err = s.GetInstance(ctx, ref("Win32_Service", "root/cimv2", "Name", `a<b>&"c'</w:Selector>`), cim.Options{})
		if !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a selector with markup: %v", err)
		}
		checked := 0
		for _, l := range srv.Requests() {
			if l.Operation == "Get" && strings.HasSuffix(l.ResourceURI, "/Win32_Service") {
				checked++
				if v, _ := l.Selector("Name"); v != `a<b>&"c'</w:Selector>` {
					t.Errorf("the server read selector %q", v)
				}
			}
		}
		if checked != 1 {
			t.Errorf("%d Gets of Win32_Service logged", checked)
		}
		// Markup in an instance property survives Create and Get.
		inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
		inst.SetKey("Id", model.String(`]]><x>&amp;`))
		inst.Set("Str", model.String(`</p:Str><p:U8>1</p:U8>`))
		if _, err := s.NewInstance(ctx, inst, cim.Options{}); err != nil {
			t.Fatalf("Create with markup: %v", err)
		}
		back, err := s.GetInstance(ctx, ref("Cimsh_ValueKinds", "root/cimv2", "Id", `]]><x>&amp;`), cim.Options{})
		if err != nil {
			t.Fatalf("Get with markup key: %v", err)
		}
		if text(back, "Str") != `</p:Str><p:U8>1</p:U8>` {
			t.Errorf("Str %q", text(back, "Str"))
		}
		if v, ok := back.Get("U8"); ok && !v.IsNull() {
			t.Errorf("markup in Str set U8 to %v", v)
		}
	})
}

// A static method with an embedded-instance argument (Win32_Process.Create
// with ProcessStartupInformation), then the instance it made.
func TestInvokeEmbeddedArgument(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		startup := model.NewInstance("Win32_ProcessStartup", "root/cimv2")
		startup.Set("ShowWindow", model.Uint(model.TypeUint16, 1))
		startup.Set("Title", model.String("e2e"))
		out, err := s.InvokeMethod(ctx, cim.MethodCall{ClassName: "Win32_Process", Method: "Create", Arguments: []model.Property{
			{Name: "CommandLine", Value: model.String(`C:\Windows\notepad.exe C:\e2e.txt`)},
			{Name: "ProcessStartupInformation", Value: model.Embedded(startup)}}})
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		pid := text(out, "ProcessId")
		if text(out, "ReturnValue") != "0" || pid != "4000" {
			t.Fatalf("Create: ReturnValue %s ProcessId %s", text(out, "ReturnValue"), pid)
		}
		var body string
		for _, l := range srv.Requests() {
			if l.Operation == "Invoke" {
				body = string(l.Body)
			}
		}
		if !strings.Contains(body, "Win32_ProcessStartup") || !strings.Contains(body, ">e2e<") {
			t.Errorf("the embedded instance is not in the request: %s", body)
		}
		proc, err := s.GetInstance(ctx, ref("Win32_Process", "root/cimv2", "Handle", pid), cim.Options{})
		if err != nil {
			t.Fatalf("Get of the new process: %v", err)
		}
		if text(proc, "CommandLine") != `C:\Windows\notepad.exe C:\e2e.txt` || text(proc, "Name") != "notepad.exe" {
			t.Errorf("new process: %s %s", text(proc, "Name"), text(proc, "CommandLine"))
		}
		// Its GetOwner: out parameters of an instance method.
		own, err := s.InvokeMethod(ctx, cim.MethodCall{Input: proc, Method: "GetOwner"})
		if err != nil || text(own, "User") != "SYSTEM" || text(own, "Domain") != "NT AUTHORITY" {
			t.Errorf("GetOwner: %v %v", own, err)
		}
	})
}

// Unknown methods and namespaces are typed faults too.
func TestFaultMethodAndNamespace(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		_, err := s.InvokeMethod(ctx, cim.MethodCall{Input: ref("Win32_Service", "root/cimv2", "Name", "WinRM"), Method: "NoSuchMethod"})
		f := mustFault(t, "an unknown method", err)
		t.Logf("unknown method: %v", err)
		if f.Category != model.CategoryMethodNotFound && f.Category != model.CategoryNotSupported {
			t.Errorf("unknown method: category %s", f.Category)
		}
		_, err = s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", Namespace: "root/nowhere"})
		f = mustFault(t, "an unknown namespace", err)
		t.Logf("unknown namespace: %v", err)
		if f.Category != model.CategoryInvalidNamespace && f.Category != model.CategoryInvalidClass {
			t.Errorf("unknown namespace: category %s", f.Category)
		}
	})
}

// Subclass instances come with a base-class enumeration unless shallow.
func TestShallow(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		deep, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_BaseService"})
		if err != nil {
			t.Fatalf("Win32_BaseService: %v", err)
		}
		classes := map[string]bool{}
		for _, inst := range deep {
			classes[inst.ClassName] = true
		}
		var list []string
		for c := range classes {
			list = append(list, c)
		}
		sort.Strings(list)
		if len(deep) != 8 || strings.Join(list, ",") != "Win32_Service" {
			t.Fatalf("deep Win32_BaseService: %d of %v", len(deep), list)
		}
		shallow, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_BaseService", Shallow: true})
		if err != nil {
			t.Fatalf("shallow Win32_BaseService: %v", err)
		}
		if len(shallow) != 0 {
			t.Fatalf("shallow Win32_BaseService returned %d subclass instances", len(shallow))
		}
	})
}

// A server that cannot serve class schemas degrades to schema-less
// decoding, never to a failed query or method call, and is asked once.
func TestSchemaUnavailable(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		isSchema := func(l *wsmantest.LoggedRequest) bool {
			return l.Operation == "Get" && strings.Contains(l.ResourceURI, "cim-xml")
		}
		srv.InjectFault(isSchema, wsmantest.FaultSpec{Subcode: "w:AccessDenied", Times: -1})
		for i := 0; i < 2; i++ {
			got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
			if err != nil {
				t.Fatalf("query #%d without schemas: %v", i, err)
			}
			if names(got) != "BITS,Dnscache,MapsBroker,nsi,RpcSs,Spooler,W32Time,WinRM" {
				t.Fatalf("services %s", names(got))
			}
		}
		out, err := s.InvokeMethod(ctx, cim.MethodCall{Options: cim.Options{Namespace: "root/default"}, ClassName: "StdRegProv",
			Method: "GetStringValue", Arguments: []model.Property{
				{Name: "hDefKey", Value: model.Uint(model.TypeUint32, 0x80000002)},
				{Name: "sSubKeyName", Value: model.String(`SOFTWARE\cimsh\Test`)},
				{Name: "sValueName", Value: model.String("Greeting")}}})
		if err != nil || text(out, "sValue") != "hello" {
			t.Fatalf("Invoke without schemas: %v %v", text(out, "sValue"), err)
		}
		schemaGets := 0
		for _, l := range srv.Requests() {
			if isSchema(&l) {
				schemaGets++
				cls, _ := l.Selector("ClassName")
				t.Logf("schema request #%d: %s", schemaGets, cls)
			}
		}
		if schemaGets > 2 { // Win32_Service once, StdRegProv once
			t.Errorf("%d schema requests: a schema the server refused was asked for again (cim.Session.GetClass, then the wsman decoder)", schemaGets)
		}
	})
}
