package wql

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// process returns a Win32_Process-shaped instance.
func process() *model.Instance {
	i := model.NewInstance("Win32_Process", "root/cimv2")
	i.ComputerName = "HOST1"
	i.SetKey("Handle", model.String("4711"))
	i.Set("Caption", model.String("svchost.exe"))
	i.Set("CommandLine", model.String(`C:\Windows\system32\svchost.exe -k netsvcs -p`))
	i.Set("CreationDate", model.DatetimeValue(model.NewTimestamp(time.Date(2024, 3, 1, 8, 30, 15, 123456000, time.FixedZone("", 60*60)))))
	i.Set("Description", model.Null(model.TypeString))
	i.Set("ExecutablePath", model.String(`C:\Windows\system32\svchost.exe`))
	i.Set("HandleCount", model.Uint(model.TypeUint32, 1234))
	i.Set("KernelModeTime", model.Uint(model.TypeUint64, 18446744073709551615))
	i.Set("Name", model.String("svchost.exe"))
	i.Set("OtherOperationCount", model.Uint(model.TypeUint64, 9007199254740993)) // 2^53+1
	i.Set("ParentProcessId", model.Uint(model.TypeUint32, 680))
	i.Set("Priority", model.Uint(model.TypeUint32, 8))
	i.Set("PrivatePageCount", model.Uint(model.TypeUint64, 7340032))
	i.Set("ProcessId", model.Uint(model.TypeUint32, 4711))
	i.Set("SessionId", model.Uint(model.TypeUint32, 0))
	i.Set("ThreadCount", model.Uint(model.TypeUint32, 12))
	i.Set("WorkingSetSize", model.Uint(model.TypeUint64, 21000192))
	i.Set("Balance", model.Sint(model.TypeSint64, math.MinInt64))
	i.Set("Delta", model.Sint(model.TypeSint32, -42))
	i.Set("Load", model.Real(model.TypeReal64, 0.75))
	i.Set("Critical", model.Bool(true))
	i.Set("Letter", model.Char16('C'))
	i.Set("Uptime", model.DatetimeValue(model.NewInterval(90*time.Minute)))
	i.Set("Tags", model.Array(model.TypeString, []model.Value{model.String("a")}))
	i.Set("Parent", model.Ref(&model.Reference{ClassName: "Win32_Process", Namespace: "root/cimv2", Selectors: []model.Selector{{Name: "Handle", Value: "680"}}}))
	emb := model.NewInstance("Win32_Service", "")
	emb.Set("Name", model.String("WinRM"))
	emb.Set("State", model.String("Running"))
	i.Set("Owner", model.Embedded(emb))
	return i
}

func TestMatch(t *testing.T) {
	inst := process()
	tests := []struct {
		where string
		want  bool
	}{
		// Strings, ignoring case.
		{"Name = 'svchost.exe'", true},
		{"name = 'SVCHOST.EXE'", true},
		{"Name <> 'svchost.exe'", false},
		{"Name != 'other'", true},
		{"Name < 't'", true},
		{"Name > 'SVC'", true},
		{"Name >= 'svchost.exe' AND Name <= 'SVCHOST.EXE'", true},
		{`ExecutablePath = 'c:\\windows\\system32\\svchost.exe'`, true},
		{"Handle = 4711", true}, // a string key against a number, as WMI coerces
		{"Handle = '4711'", true},
		// Integers, exactly.
		{"ProcessId = 4711", true},
		{"ProcessId = '4711'", true},
		{"ProcessId > 4710 AND ProcessId < 4712", true},
		{"ProcessId >= 4711.0", true},
		{"ProcessId < 4711.5", true},
		{"ProcessId > -1", true},
		{"SessionId = 0", true},
		{"SessionId = -0", true},
		{"KernelModeTime = 18446744073709551615", true},
		{"KernelModeTime = 18446744073709551614", false},
		{"KernelModeTime > 18446744073709551614", true},
		{"KernelModeTime > -1", true},
		{"OtherOperationCount = 9007199254740993", true},
		{"OtherOperationCount = 9007199254740992", false}, // equal as float64: must not match
		{"OtherOperationCount > 9007199254740992", true},
		{"Balance = -9223372036854775808", true},
		{"Balance < -9223372036854775807", true},
		{"Balance < 0", true},
		{"Balance = 9223372036854775808", false},
		{"Delta = -42", true},
		{"Delta < -41 AND Delta > -43", true},
		{"-43 < Delta", true},
		{"-41 < Delta", false},
		{"4712 > ProcessId", true},
		{"4711 >= ProcessId", true},
		{"Delta = '-42'", true},
		{"WorkingSetSize > 2.1e7", true},
		// Reals.
		{"Load = 0.75", true},
		{"Load > 0", true},
		{"Load < 1", true},
		{"Load = '0.75'", true},
		// Booleans.
		{"Critical = TRUE", true},
		{"Critical = true", true},
		{"Critical <> FALSE", true},
		{"Critical = 1", true},
		{"Critical = 0", false},
		{"Critical = 'True'", true},
		// char16.
		{"Letter = 67", true},
		{"Letter = 'C'", true},
		// Datetimes, against DMTF and ISO 8601 constants in any zone.
		{"CreationDate = '20240301083015.123456+060'", true},
		{"CreationDate = '20240301073015.123456+000'", true},
		{"CreationDate = '2024-03-01T07:30:15.123456Z'", true},
		{"CreationDate > '2024-03-01T07:30:15Z'", true},
		{"CreationDate < '2024-03-01T08:30:15+01:00'", false},
		{"CreationDate >= '2024-03-01'", true},
		{"CreationDate < '20250101000000.000000+000'", true},
		// WMI's locale-style date forms (en-US order, local time zone; the
		// constants are a day or more from the value, so any zone agrees).
		{"CreationDate > 'Feb 28 2024'", true},
		{"CreationDate > 'February 28, 2024'", true},
		{"CreationDate < 'March 3, 2024'", true},
		{"CreationDate < '2 Mar 2024'", true},
		{"CreationDate < '28 Feb, 2024'", false},
		{"CreationDate > '2/28/2024'", true},
		{"CreationDate < '2/28/2024'", false},
		{"CreationDate > '2024/2/28 11:59 PM'", true},
		{"CreationDate > '2024.2.28 23:59:59'", true},
		{"CreationDate > 'Feb 2024'", true},
		{"CreationDate < 'Jan 2024'", false},
		{"Uptime = '00000000013000.000000:000'", true},
		{"Uptime > 'PT1H'", true},
		{"Uptime < 'P1D'", true},
		// NULL: comparisons are unknown, so neither they nor their negation select.
		{"Description IS NULL", true},
		{"Description IS NOT NULL", false},
		{"Name IS NOT NULL", true},
		{"Missing IS NULL", true},
		{"Description = 'x'", false},
		{"Description <> 'x'", false},
		{"NOT Description = 'x'", false},
		{"Name = NULL", false},
		{"Name <> NULL", false},
		{"NOT Name = NULL", false},
		{"Missing = 1", false},
		{"Description = 'x' OR Name = 'svchost.exe'", true},
		{"Description = 'x' AND Name = 'svchost.exe'", false},
		{"NOT (Description = 'x' AND Name = 'other')", true}, // unknown AND false = false
		{"NOT (Description = 'x' OR Name = 'other')", false}, // unknown OR false = unknown
		{"Description LIKE '%'", false},
		// LIKE.
		{"Name LIKE 'svc%'", true},
		{"Name LIKE 'SVC%.EXE'", true},
		{"Name LIKE '%host%'", true},
		{"Name LIKE 'svchost.ex_'", true},
		{"Name LIKE 'svchost.e_'", false},
		{"Name LIKE '[r-t]vchost.exe'", true},
		{"Name LIKE '[^s]%'", false},
		{"Name NOT LIKE '[^s]%'", true},
		{"NOT Name LIKE 'x%'", true},
		{"ProcessId LIKE '47%'", true},
		// System properties.
		{"__CLASS = 'Win32_Process'", true},
		{"__class = 'WIN32_PROCESS'", true},
		{`__NAMESPACE = 'root\\cimv2'`, true},
		{"__SERVER = 'host1'", true},
		{`__RELPATH = 'Win32_Process.Handle="4711"'`, true},
		{`__PATH = '\\\\HOST1\\root\\cimv2:Win32_Process.Handle="4711"'`, true},
		{"__GENUS = 2", true},
		{"__PROPERTY_COUNT > 20", true},
		// ISA and embedded instances.
		{"Owner ISA 'Win32_Service'", true},
		{"Owner ISA 'CIM_Service'", false}, // no hierarchy known without IsA
		{"__THIS ISA 'Win32_Process'", true},
		{"__CLASS ISA 'Win32_Process'", true},
		{"Owner.Name = 'winrm'", true},
		{"Owner.State = 'Stopped'", false},
		{"Owner.Missing IS NULL", true},
		{"Name.Sub IS NULL", true},
		// References against object paths.
		{`Parent = 'Win32_Process.Handle="680"'`, true},
		{`Parent = '\\\\HOST1\\ROOT\\CIMV2:win32_process.handle="680"'`, true},
		{`Parent = 'Win32_Process.Handle="681"'`, false},
		{`Parent <> 'Win32_Process.Handle="681"'`, true},
		// Property against property, as event queries compare
		// TargetInstance with PreviousInstance.
		{"Caption = Name", true},
		{"Caption <> Name", false},
		{"ProcessId > ParentProcessId", true},
		{"ProcessId < ParentProcessId", false},
		{"Balance < Delta", true},
		{"KernelModeTime > OtherOperationCount", true},
		{"Load < Priority", true},
		{"Handle = ProcessId", true},
		{"Owner.Name = Owner.Name", true},
		{"Owner.State <> Name", true},
		{"Name = Description", false},
		{"NOT Name = Description", false},
		{"Description = Description", false},
		{"CreationDate = CreationDate", true},
		{"Parent = Parent", true},
		// Precedence: AND before OR, NOT tightest.
		{"Name = 'x' AND ProcessId = 1 OR ProcessId = 4711", true},
		{"Name = 'x' AND (ProcessId = 1 OR ProcessId = 4711)", false},
		{"NOT Name = 'x' AND ProcessId = 4711", true},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			q, err := Parse("SELECT * FROM Win32_Process WHERE " + tt.where)
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.Match(inst)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	inst := process()
	tests := []struct{ where, msg string }{
		{"Tags = 'a'", "array"},
		{"Tags LIKE 'a'", "array"},
		{"Owner = 'x'", "embedded instance"},
		{"CreationDate = 5", "datetime"},
		{"CreationDate = 'yesterday'", "not a datetime"},
		{"Uptime = '2024-01-01T00:00:00Z'", "interval"},
		{"ProcessId = 'many'", "not a uint32"},
		{"Critical = 'maybe'", "not a boolean"},
		{"Load = 'x'", "not a number"},
		{"Parent = 5", "object path"},
		{"ProcessId ISA 'X'", "not an object"},
		{"Name = Tags", "array"},
		{"Name = Owner", "instance"},
		{"CreationDate < Name", "not a datetime"},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			q, err := Parse("SELECT * FROM Win32_Process WHERE " + tt.where)
			if err != nil {
				t.Fatal(err)
			}
			_, err = q.Match(inst)
			if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "wql: ") {
				t.Fatalf("error %v, want one mentioning %q", err, tt.msg)
			}
		})
	}
}

func TestMatchIsAHook(t *testing.T) {
	q, err := Parse("SELECT * FROM X WHERE Owner ISA 'CIM_Service'")
	if err != nil {
		t.Fatal(err)
	}
	q.IsA = func(class, base string) bool {
		return strings.EqualFold(class, base) || (strings.EqualFold(class, "Win32_Service") && strings.EqualFold(base, "CIM_Service"))
	}
	if ok, err := q.Match(process()); !ok || err != nil {
		t.Fatalf("ISA through the hook: %v %v", ok, err)
	}
	if ok, _ := (&Query{}).Match(nil); !ok {
		t.Fatal("a query without WHERE must match")
	}
}

func TestProject(t *testing.T) {
	inst := process()
	tests := []struct {
		query string
		want  string
	}{
		{"SELECT * FROM Win32_Process", strings.Join(inst.Names(), ",")},
		{"SELECT name FROM Win32_Process", "Handle,Name"},
		{"SELECT ProcessId, Name, __CLASS FROM Win32_Process", "Handle,Name,ProcessId"},
		{"SELECT Owner.Name FROM Win32_Process", "Handle,Owner"},
		{"SELECT Handle FROM Win32_Process", "Handle"},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		got := q.Project(inst)
		if names := strings.Join(got.Names(), ","); names != tt.want {
			t.Errorf("%s kept %s, want %s", tt.query, names, tt.want)
		}
		if got == inst {
			t.Errorf("%s: Project returned the instance itself", tt.query)
		}
	}
	if inst.Len() < 20 {
		t.Fatal("Project changed its input")
	}
}

func TestLike(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"", "", true},
		{"", "%", true},
		{"", "_", false},
		{"abc", "abc", true},
		{"abc", "ABC", true},
		{"abc", "ab", false},
		{"abc", "a%", true},
		{"abc", "%c", true},
		{"abc", "%b%", true},
		{"abc", "%%%", true},
		{"abc", "a_c", true},
		{"abc", "a__c", false},
		{"abc", "[a-c][a-c][a-c]", true},
		{"abc", "[A-C]bc", true},
		{"abc", "[^a]bc", false},
		{"xbc", "[^a]bc", true},
		{"a%c", "a[%]c", true},
		{"abc", "a[%]c", false},
		{"a_c", "a[_]c", true},
		{"a]c", "a[]]c", true},
		{"a-c", "a[-]c", true},
		{"abc", "a[xyzb]c", true},
		{"Ünïcode", "ü%E", true},
		{"日本語", "日_語", true},
		{"mississippi", "%iss%ppi", true},
		{"mississippi", "%iss%ppx", false},
		{strings.Repeat("a", 200), strings.Repeat("%a", 50) + "b", false},
	}
	for _, tt := range tests {
		if got := like(tt.s, tt.p); got != tt.want {
			t.Errorf("like(%q, %q) = %v, want %v", tt.s, tt.p, got, tt.want)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	inst := process()
	q, err := Parse("SELECT Name, ProcessId FROM Win32_Process WHERE (Name LIKE 'svc%' OR Name = 'lsass.exe') AND ProcessId > 4 AND WorkingSetSize >= 1048576 AND CommandLine IS NOT NULL AND CreationDate > '20240101000000.000000+000'")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := q.Match(inst)
		if !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func TestCheck(t *testing.T) {
	class := &model.Class{Name: "Win32_Service", Properties: []model.PropertyDecl{
		{Name: "Name", Type: model.TypeString, Key: true}, {Name: "State", Type: model.TypeString}, {Name: "Owner", Type: model.TypeInstance},
	}}
	tests := []struct{ query, bad string }{
		{"SELECT * FROM Win32_Service", ""},
		{"SELECT name, STATE FROM Win32_Service WHERE __CLASS = 'x' AND Owner.Anything = 1", ""},
		{"SELECT Nme FROM Win32_Service", "Nme"},
		{"SELECT * FROM Win32_Service WHERE State = 'a' OR (NOT Color IS NULL)", "Color"},
		{"SELECT * FROM Win32_Service WHERE Shade LIKE 'a%'", "Shade"},
		{"SELECT * FROM Win32_Service WHERE Thing ISA 'X'", "Thing"},
		{`ASSOCIATORS OF {Win32_Service.Name="x"}`, ""},
	}
	for _, tt := range tests {
		q, err := Parse(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		err = q.Check(class)
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("%s: %v", tt.query, err)
		case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad) || !strings.HasPrefix(err.Error(), "wql: ")):
			t.Errorf("%s: error %v, want one naming %s", tt.query, err, tt.bad)
		}
	}
	q, _ := Parse("SELECT Anything FROM X")
	if q.Check(&model.Class{Name: "X"}) != nil || q.Check(nil) != nil {
		t.Error("a class without declared properties accepts every name")
	}
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"Name LIKE '%s[a-z]_%'", "KernelModeTime > -1", "CreationDate < '20250101000000.000000+000'",
		"Owner.Name = 'x' OR Parent = 'Win32_Process.Handle=1'", "NOT (Description = 'x' AND Letter = 67)",
		"Uptime > 'PT1H'", "__PATH LIKE '%cimv2%'",
	} {
		f.Add(s)
	}
	inst := process()
	f.Fuzz(func(t *testing.T, where string) {
		q, err := Parse("SELECT * FROM Win32_Process WHERE " + where)
		if err != nil {
			return
		}
		ok, err := q.Match(inst)
		if err != nil && ok {
			t.Fatalf("%q: matched with an error %v", where, err)
		}
		// NOT flips a known result and keeps an unknown one unknown, so a
		// condition and its negation never both match.
		if ok && err == nil {
			nq := &Query{ClassName: q.ClassName, Where: &Not{X: q.Where}}
			if both, _ := nq.Match(inst); both {
				t.Fatalf("%q and its negation both match", where)
			}
		}
	})
}
