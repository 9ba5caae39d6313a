package luabind

import "testing"

func TestSmoke(t *testing.T) {
	e := newEnv(t)
	e.ok(`
s = cim.new_session()
print(s)
local list = s:get_instance("Win32_Service")
print(#list, list[1], list[1].name, list[1].NAME, list[1].PSComputerName)
local os = s:get_instance{class_name="Win32_OperatingSystem"}[1]
print(os.caption, os.TotalVirtualMemorySize, os.MaxProcessMemorySize, os.MinOffset, os.LastBootUpTime, os.Uptime)
print(cim.format_table(list))
print(cim.format_list(os))
print(cim.to_json(os))
print(cim.to_csv(list))
local r, err = s:get_instance("Nope")
print(r, err, err.category)
for k, v in os:properties() do print(k, v) end
print(s:query("SELECT Name FROM Win32_Service WHERE State='Running'")[2].Name)
local n = 0
for i in s:instances("Cimsh_Item") do n = n + 1; if n == 3 then break end end
print(n, s:test().ProductVendor)
`)
	t.Log(e.out.String())
	t.Log(e.fails(`cim.new_session{computer_nam="x"}`))
	t.Log(e.fails(`cim.new_session{port="x"}`))
	t.Log(e.fails(`s:get_instance{cim_session=s}`))
}
