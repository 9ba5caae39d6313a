package luabind

import (
	"reflect"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestComplete checks Tab completion: globals, fields, session and
// instance methods, option keys inside the table of a known function
// (also across continuation lines), and class names from the cache.
func TestComplete(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		svc = s:get_instance("Win32_Service")[1]
		mytable = {alpha = 1, beta = 2}
		myvar = 1
		assert(s:get_class("Win32_Service"))
		assert(s:get_class("Win32_OperatingSystem"))
	`)
	// A trap: completion must never run user code (no metamethods).
	e.ok(`trap = setmetatable({}, {__index = function() error("user code ran") end})`)
	cases := []struct {
		text    string
		want    []string
		partial int
	}{
		{`s:get_instance{cla`, []string{"class_name="}, 3},
		{`s:get_instance{class_name="Win32_Service", nam`, []string{"namespace="}, 3},
		{`cim.get_instance{cim`, []string{"cim_session="}, 3},
		{`s:get_instance{cim`, nil, 3},
		{"s:get_instance{\n  class_name = \"X\",\n  fil", []string{"filter="}, 3},
		{`cim.new_session({comp`, []string{"computer_name="}, 4},
		{`cim.new_session{credential=cim.credential("u"), auth`, []string{"authentication="}, 4},
		{`s:get_instance{class_name="Win32_S`, []string{"Win32_Service"}, 7},
		{`s:get_instance("Win32_`, []string{"Win32_OperatingSystem", "Win32_Service"}, 6},
		{`cim.get_instance{class_name = "win32_o`, []string{"Win32_OperatingSystem"}, 7},
		{`s:get_instance{filter="Win32_`, nil, 6},
		{`cim.get_i`, []string{"get_instance"}, 5},
		{`cim.new_s`, []string{"new_session", "new_session_option"}, 5},
		{`s:cl`, []string{"close"}, 2},
		{`s.comp`, []string{"computer_name"}, 4},
		{`svc:inv`, []string{"invoke"}, 3},
		{`svc.Disp`, []string{"DisplayName"}, 4},
		{`svc.PSC`, []string{"PSComputerName"}, 3},
		{`mytable.al`, []string{"alpha"}, 2},
		{`myv`, []string{"myvar"}, 3},
		{`wh`, []string{"while"}, 2},
		{`trap.x`, nil, 1},
		{`x = "cim.get_i`, nil, 9},
		{`-- cim.get_i`, nil, 0},
	}
	for _, c := range cases {
		got, n := e.m.Complete(c.text)
		if !reflect.DeepEqual(got, c.want) || n != c.partial {
			t.Errorf("Complete(%q) = %q, %d; want %q, %d", c.text, got, n, c.want, c.partial)
		}
	}
	if e.L.GetTop() != 0 {
		t.Errorf("completion left %d values on the stack", e.L.GetTop())
	}
	_ = lua.LNil
}

// TestCompleteSeenClasses checks that the class names of instances a
// session returned complete, without a schema fetch, and only for that
// session and namespace.
func TestCompleteSeenClasses(t *testing.T) {
	e := newEnv(t)
	e.ok(`s = cim.new_session(); other = cim.new_session{computer_name = "srv2"}`)
	if got, _ := e.m.Complete(`s:get_instance("Cimsh_I`); got != nil {
		t.Fatalf("before any listing: %q", got)
	}
	e.ok(`assert(#s:get_instance("SELECT * FROM Cimsh_Item WHERE Id < 3") == 2)`)
	for _, c := range []struct {
		text string
		want []string
	}{
		{`s:get_instance("Cimsh_I`, []string{"Cimsh_Item"}},
		{`s:instances("cimsh_i`, []string{"Cimsh_Item"}},
		{`other:get_instance("Cimsh_I`, nil},
		{`s:get_instance{namespace = "root/other", class_name = "Cimsh_I`, nil},
	} {
		if got, _ := e.m.Complete(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Complete(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
