package luabind

import "testing"

// TestIntervalTextExact checks that an interval prints its exact
// microseconds in tostring, format_list, to_json and to_csv (the float
// formatting printed 15.729959000000001).
func TestIntervalTextExact(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		iv = cim.datetime("00000000002315.729959:000")
		inst = cim.new_instance{class_name = "T", property = {Age = iv, At = cim.datetime("20240301080000.000001+000")}, client_only = true}
		r1 = tostring(iv)
		r2 = cim.to_json({age = iv}, {compress = true})
		r3 = cim.to_json(inst, {compress = true})
		r4 = cim.format_list(inst)
		r5 = cim.to_csv({inst})
		r6 = tostring(iv + cim.datetime("PT0.000001S"))
	`)
	for name, want := range map[string]string{
		"r1": "P0DT0H23M15.729959S",
		"r2": `{"age":"P0DT0H23M15.729959S"}`,
		"r3": `{"Age":"P0DT0H23M15.729959S","At":"2024-03-01T08:00:00.000001Z"}`,
		"r4": "Age : P0DT0H23M15.729959S\nAt  : 2024-03-01T08:00:00.000001Z\n",
		"r5": "Age,At\nP0DT0H23M15.729959S,2024-03-01T08:00:00.000001Z\n",
		"r6": "P0DT0H23M15.72996S",
	} {
		if got := e.L.GetGlobal(name).String(); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
}
