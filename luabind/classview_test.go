package luabind

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// TestClassPrintsSchema checks that a class prints as Get-CimClass shows
// it (superclass, properties with types and key/read/write flags,
// methods with parameters), answers to PowerShell's CimClass names, and
// formats with format_list and format_table.
func TestClassPrintsSchema(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		c = assert(s:get_class("Win32_Service"))
		text = tostring(c)
		list = cim.format_list(c)
		tbl = cim.format_table(assert(s:get_class("Win32_*")))
		assert(c.CimClassName == "Win32_Service" and c.cimclassname == "Win32_Service" and c.Name == "Win32_Service")
		assert(c.CimSuperClassName == c.super_class)
		assert(#c.CimClassProperties == #c.properties and #c.CimClassMethods == 3)
		assert(c.CimClassMethods[3].name == "Change" and c.CimClassMethods[3].parameters[2].name == "ErrorControl")
		assert(type(c.CimClassQualifiers) == "table")
		assert(c == s:get_class("win32_service"))
	`)
	text := e.L.GetGlobal("text").String()
	for _, want := range []string{
		"CimClassName       : Win32_Service\n",
		"CimClassProperties : Name         string  key\n",
		"                     DisplayName  string\n",
		"                     ExitCode     uint32\n",
		"CimClassMethods    : uint32 StopService()\n",
		"                     uint32 Change([in] string DisplayName, [in] uint8 ErrorControl)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("tostring(class) lacks %q:\n%s", want, text)
		}
	}
	if list := e.L.GetGlobal("list").String(); strings.TrimRight(list, "\n") != text {
		t.Errorf("format_list(class) differs from tostring:\n%s\n---\n%s", list, text)
	}
	tbl := e.L.GetGlobal("tbl").String()
	for _, want := range []string{"CimClassName          CimSuperClassName CimClassMethods", "Win32_Service", "{StopService, StartService, Change}"} {
		if !strings.Contains(tbl, want) {
			t.Errorf("format_table(classes) lacks %q:\n%s", want, tbl)
		}
	}
	if msg := e.fails(`return c.Nmae`); !strings.Contains(msg, `class has no field or method "Nmae" (did you mean "name"?)`) {
		t.Error(msg)
	}
}

// TestClassFlagsFromQualifiers checks key, read, write and required
// flags and units on property lines, and static methods, from a schema
// with qualifiers as Windows sends them.
func TestClassFlagsFromQualifiers(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		svc = s:get_instance("Win32_Service")[1]
		c = svc:get_class()`)
	ud := e.L.GetGlobal("c")
	cls := toClass(ud).c
	cls.Properties[0].Qualifiers = append(cls.Properties[0].Qualifiers, qualifier("read", true))
	cls.Properties[1].Qualifiers = append(cls.Properties[1].Qualifiers, qualifier("read", true), qualifier("write", true), qualifier("required", true))
	cls.Methods[0].Static = true
	text := ClassText(e.L, cls)
	for _, want := range []string{"Name         string  key read\n", "DisplayName  string  read write required\n", "static uint32 StopService()"} {
		if !strings.Contains(text, want) {
			t.Errorf("class text lacks %q:\n%s", want, text)
		}
	}
}

// TestFormatSessions checks format_table and format_list of sessions.
func TestFormatSessions(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session{name = "here"}
		-- Named, so that the Name column's width does not depend on how
		-- many sessions the tests before made (CimSession9 or CimSession10).
		r = cim.new_session{computer_name = "server2", port = 5986, name = "remote-sess"}
		tbl = cim.format_table(cim.get_session())
		list = cim.format_list(r)`)
	tbl := e.L.GetGlobal("tbl").String()
	for _, want := range []string{"Id Name        ComputerName Protocol Port Authentication Connected", " here        localhost    WSMAN         default", " server2      WSMAN    5986 default"} {
		if !strings.Contains(tbl, want) {
			t.Errorf("format_table(sessions) lacks %q:\n%s", want, tbl)
		}
	}
	list := e.L.GetGlobal("list").String()
	for _, want := range []string{"Id             : ", "InstanceId     : ", "ComputerName   : server2\n", "Port           : 5986\n"} {
		if !strings.Contains(list, want) {
			t.Errorf("format_list(session) lacks %q:\n%s", want, list)
		}
	}
}

func qualifier(name string, v bool) model.Qualifier {
	return model.Qualifier{Name: name, Value: model.Bool(v)}
}
