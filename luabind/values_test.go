package luabind

import (
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// TestBoxedIntegers checks that 64-bit integers beyond 2^53 stay exact
// through tostring, comparison, arithmetic, JSON and CSV.
func TestBoxedIntegers(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		local s = cim.new_session()
		local os_ = s:get_instance("Win32_OperatingSystem")[1]
		local max = os_.MaxProcessMemorySize          -- 2^64-1 as uint64
		local odd = os_.TotalVirtualMemorySize        -- 2^53+1
		local min = os_.MinOffset                     -- -2^63
		assert(tostring(max) == "18446744073709551615", tostring(max))
		assert(tostring(odd) == "9007199254740993", tostring(odd))
		assert(tostring(min) == "-9223372036854775808", tostring(min))
		assert(type(max) == "userdata" and type(odd) == "userdata")
		-- equality and order among boxed integers
		assert(max == cim.uint64("18446744073709551615"))
		assert(odd == cim.uint64("9007199254740993"))
		assert(odd + 1 == cim.uint64("9007199254740994"))
		assert(odd - 1 == 9007199254740992 and type(odd - 1) == "number")
		assert(min < odd and odd < max and not (max < odd))
		assert(odd <= odd and min <= max)
		-- exact arithmetic, results within 2^53 become plain numbers
		assert(tostring(max - 1) == "18446744073709551614")
		assert(tostring(odd * 2) == "18014398509481986")
		assert(max - max == 0 and type(max - max) == "number")
		assert(tostring(max / 3) == "6148914691236517205")
		assert(tostring(max % 10) == "5")
		assert(tostring(-odd) == "-9007199254740993")
		assert("x" .. odd == "x9007199254740993")
		-- lossy conversion on request only
		assert(cim.tonumber(odd) == 9007199254740992)
		assert(cim.tonumber(42) == 42 and cim.tonumber("0x10") == 16 and cim.tonumber("no") == nil)
		-- small values are plain numbers
		assert(type(cim.uint64("12")) == "number" and cim.int64(-5) == -5)
		assert(tostring(cim.int64("-9223372036854775808")) == "-9223372036854775808")
		-- output
		local j = cim.to_json({max = max, min = min, odd = odd}, {compress = true})
		assert(j == '{"max":18446744073709551615,"min":-9223372036854775808,"odd":9007199254740993}', j)
		local c = cim.to_csv({os_}, {"MaxProcessMemorySize", "MinOffset", "TotalVirtualMemorySize"})
		assert(c == "MaxProcessMemorySize,MinOffset,TotalVirtualMemorySize\n18446744073709551615,-9223372036854775808,9007199254740993\n", c)
	`)
	for _, bad := range []struct{ code, want string }{
		{`local x = cim.uint64("18446744073709551615") + 1`, "outside the 64-bit range"},
		{`local x = cim.uint64("18446744073709551615") + 0.5`, "combine only with integers"},
		{`local x = cim.uint64("18446744073709551615") / 0`, "division by zero"},
		{`local x = cim.uint64("18446744073709551615") < "a"`, "attempt to compare"},
	} {
		if msg := e.fails(bad.code); !strings.Contains(msg, bad.want) {
			t.Errorf("%s: %q does not contain %q", bad.code, msg, bad.want)
		}
	}
}

// TestDatetimes checks datetimes and intervals: ISO 8601 text,
// comparison, arithmetic and fields.
func TestDatetimes(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		local s = cim.new_session()
		local os_ = s:get_instance("Win32_OperatingSystem")[1]
		local boot, up = os_.LastBootUpTime, os_.Uptime
		assert(tostring(boot) == "2024-03-01T08:00:00Z", tostring(boot))
		assert(tostring(up) == "P1DT2H3M4S", tostring(up))
		assert(boot.kind == "timestamp" and up.kind == "interval")
		assert(boot.year == 2024 and boot.month == 3 and boot.day == 1 and boot.hour == 8)
		assert(boot:unix() == 1709280000, boot:unix())
		assert(up:seconds() == 93784)
		assert(boot:dmtf() == "20240301080000.000000+000", boot:dmtf())
		local later = cim.datetime("2024-03-02T08:00:00Z")
		assert(boot < later and boot <= later and not (later < boot))
		assert(boot == cim.datetime("20240301080000.000000+000"))
		assert(tostring(later - boot) == "P1DT0H0M0S", tostring(later - boot))
		assert(boot + up == cim.datetime("2024-03-02T10:03:04Z"))
		assert(up < cim.datetime("P2D"))
	`)
	if msg := e.fails(`local x = cim.datetime("P1D") < cim.datetime("2024-01-01")`); !strings.Contains(msg, "timestamp and an interval") {
		t.Error(msg)
	}
	if msg := e.fails(`cim.datetime("yesterday")`); !strings.Contains(msg, "not a CIM datetime") {
		t.Error(msg)
	}
}

// TestValueMapping checks NULL, arrays, embedded instances and
// references as Lua sees them.
func TestValueMapping(t *testing.T) {
	e := newEnv(t)
	inner := model.NewInstance("MSFT_Inner", "root/test")
	inner.SetKey("Id", model.Uint(model.TypeUint32, 7))
	inner.Set("Label", model.String("seven"))
	ref := &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2",
		Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}
	outer := model.NewInstance("MSFT_Outer", "root/test")
	outer.Set("Nothing", model.Null(model.TypeString))
	outer.Set("List", model.Array(model.TypeUint16, []model.Value{model.Uint(model.TypeUint16, 1), model.Uint(model.TypeUint16, 2)}))
	outer.Set("Empty", model.Array(model.TypeString, nil))
	outer.Set("Inner", model.Embedded(inner))
	outer.Set("Service", model.Ref(ref))
	outer.Set("Flag", model.Bool(true))
	outer.Set("Ratio", model.Real(model.TypeReal64, 0.25))
	outer.Set("When", model.DatetimeValue(model.NewTimestamp(time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))))
	e.ok(`s = cim.new_session()`)
	sess := toSession(e.L.GetGlobal("s"))
	e.L.SetGlobal("outer", e.m.newInstance(outer, sess))
	e.ok(`
		assert(outer.Nothing == nil and outer.nothing == nil)
		assert(#outer.List == 2 and outer.List[1] == 1 and outer.List[2] == 2)
		assert(type(outer.Empty) == "table" and #outer.Empty == 0)
		assert(outer.Inner.Label == "seven" and outer.inner.id == 7)
		assert(tostring(outer.Inner) == "MSFT_Inner (Id = 7)")
		assert(outer.Flag == true and outer.Ratio == 0.25)
		assert(tostring(outer.When) == "2020-01-02T03:04:05Z")
		local r = outer.Service
		assert(r.class_name == "Win32_Service" and r.keys.Name == "WinRM")
		assert(tostring(r) == 'Win32_Service.Name="WinRM"', tostring(r))
		local svc = assert(r:get())     -- references can be followed
		assert(svc.State == "Running" and svc.PSComputerName == "localhost")
		assert(outer.__CLASS == "MSFT_Outer" and outer.__NAMESPACE == "root/test")
		local names = {}
		for k, v in outer:properties() do names[#names + 1] = k end
		assert(table.concat(names, ",") == "Nothing,List,Empty,Inner,Service,Flag,Ratio,When")
		assert(cim.to_json(outer.Inner, {compress = true}) == '{"Id":7,"Label":"seven"}')
	`)
}

// TestInstanceAssignment checks that assigning a property converts the
// value to the property's type and records it for set_instance.
func TestInstanceAssignment(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		local svc = s:get_instance("Win32_Service")[1]
		svc.processid = 1234
		assert(svc.ProcessId == 1234)
		svc.DisplayName = "Remote Management"
		local out = assert(s:set_instance{input_object = svc})
		assert(out.DisplayName == "Remote Management")
		local again = s:get_instance("Win32_Service")[1]
		assert(again.DisplayName == "Remote Management", again.DisplayName)
		assert(s:set_instance{input_object = again, property = {State = "Paused"}})
		assert(again.State == "Paused")
		assert(s:get_instance{input_object = again}.State == "Paused")
	`)
	if msg := e.fails(`local svc = s:get_instance("Win32_Service")[1]; svc.ProcessId = -1`); !strings.Contains(msg, "out of range for uint32") {
		t.Error(msg)
	}
	if msg := e.fails(`local svc = s:get_instance("Win32_Service")[1]; svc.ProcessId = {}`); !strings.Contains(msg, "Win32_Service.ProcessId") {
		t.Error(msg)
	}
}
