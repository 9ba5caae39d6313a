package luabind

import (
	"sort"
	"testing"
)

// Every method documented for instances is reachable as inst.name (the
// __index metamethod tells method names apart from properties with a
// switch of its own, which a new method must join), and a property
// keeps its value beside them.
func TestInstanceMethodsReachable(t *testing.T) {
	e := newEnv(t)
	e.ok(`s = cim.new_session(); svc = s:get_instance("Win32_Service")[1]`)
	var names []string
	for name := range InstanceMethods {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		e.ok(`assert(type(svc.` + name + `) == "function", "inst.` + name + ` is " .. type(svc.` + name + `))`)
	}
	e.ok(`assert(type(svc.Name) == "string")`)
}
