package luabind

import (
	"regexp"
	"strings"
	"testing"
)

// TestMethodHelpIsTheFunctionsHelp checks that help(s.get_instance) is
// help(cim.get_instance), and that every session, instance and class
// method and every value of the module's types has help.
func TestMethodHelpIsTheFunctionsHelp(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		inst = s:get_instance("Win32_Service")[1]
		cls = s:get_class("Win32_Service")
		_, err = s:get_instance("Nope")
		it = s:instances("Cimsh_Item")`)
	help := func(expr string) string {
		e.out.Reset()
		e.ok("help(" + expr + ")")
		return e.out.String()
	}
	for _, name := range []string{"get_instance", "query", "instances", "each_instance", "invoke_method", "get_class", "new_instance",
		"set_instance", "remove_instance", "get_associated_instance", "register_indication_event"} {
		if m, f := help("s."+name), help("cim."+name); m != f || !strings.HasPrefix(m, "cim."+name) {
			t.Errorf("help(s.%s) = %q\nhelp(cim.%s) = %q", name, m, name, f)
		}
	}
	if got := help("s.test"); !strings.HasPrefix(got, "cim.test_wsman") {
		t.Errorf("help(s.test) = %q", got)
	}
	for expr, want := range map[string]string{
		"s.close":                            "s:close\n  close the session",
		"inst.invoke":                        "inst:invoke\n  call a method",
		"inst.properties":                    "inst:properties\n",
		"cls.property":                       "cls:property\n",
		"cls":                                "cls.super_class  the superclass name",
		"err":                                "fields (nil when the failure has none): category, message, operation,",
		"it":                                 "iterator of instances",
		"cim.datetime('P1D')":                "datetime or interval",
		"cim.uint64('18446744073709551615')": "boxed 64-bit integer",
		"s":                                  "help(s.NAME) for options",
	} {
		if got := help(expr); !strings.Contains(got, want) || strings.Contains(got, "no help") {
			t.Errorf("help(%s) = %q, want %q", expr, got, want)
		}
	}
}

// TestHelpTexts reviews every option's help line for the faults found
// once: a doc repeating what its type already says, the timeout without
// its default.
func TestHelpTexts(t *testing.T) {
	paren := regexp.MustCompile(`\(([^)]+)\)`)
	for _, s := range Specs {
		for _, o := range s.Options {
			if o.Doc == "" {
				t.Errorf("cim.%s: option %s has no help", s.Name, o.Name)
			}
			// "a credential (cim.credential)" already names the constructor.
			if m := paren.FindStringSubmatch(o.Type.String()); m != nil && strings.Contains(o.Doc, m[1]) {
				t.Errorf("cim.%s: option %s repeats its type: %q: %q", s.Name, o.Name, o.Type, o.Doc)
			}
			if o.Name == "operation_timeout_sec" && !strings.Contains(o.Doc, "180") {
				t.Errorf("cim.%s: operation_timeout_sec does not give the default (180 s): %q", s.Name, o.Doc)
			}
		}
	}
	h := specHelp(specByName("new_session"))
	for _, want := range []string{"default 180", "a call's own operation_timeout_sec overrides it", "leave it out for the local machine", "credssp is refused"} {
		if !strings.Contains(h, want) {
			t.Errorf("help(cim.new_session) lacks %q:\n%s", want, h)
		}
	}
}
