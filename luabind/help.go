package luabind

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// HelpText returns help() for a value: the function list for nil, the
// options of a module function or session method (the function itself or
// its name), or what a value of the module's types holds.
func (m *Module) HelpText(v lua.LValue) string {
	var b strings.Builder
	switch x := v.(type) {
	case *lua.LNilType:
		b.WriteString("cim module functions (help(cim.NAME) for options):\n")
		w := 0
		for _, s := range Specs {
			w = max(w, len(s.Name))
		}
		for _, s := range Specs {
			fmt.Fprintf(&b, "  cim.%-*s  %s\n", w, s.Name, s.Doc)
		}
		b.WriteString("\nsession methods (s = cim.new_session{...}; help(s.NAME) for options):\n")
		writeMap(&b, "s:", SessionMethods)
		b.WriteString("\ninstance methods:\n")
		writeMap(&b, "inst:", InstanceMethods)
		b.WriteString("\nhelp(x) also describes a session, instance, class, error, datetime or iterator x.\n")
		b.WriteString("Operational failures return nil, err (err.category, err.message, ...); mistakes raise.\n")
		return b.String()
	case *lua.LFunction:
		if s, ok := m.funcs[x]; ok {
			if s.Help != nil {
				return s.Help()
			}
			return specHelp(s)
		}
		if d, ok := m.methodDocs[x]; ok {
			return d
		}
	case *lua.LTable:
		if text, ok := m.cdxmlModuleHelp(x); ok {
			return text
		}
	case lua.LString:
		name := strings.TrimPrefix(strings.TrimPrefix(string(x), "cim."), "s:")
		if s := specByName(name); s != nil {
			return specHelp(s)
		}
		if name == "test" {
			return specHelp(specByName("test_wsman"))
		}
		return fmt.Sprintf("no help for %s%s; help takes a function (help(cim.get_instance)), its name (help(\"get_instance\")) or a value\n",
			model.Quote(string(x)), didYouMean(name, specNames()))
	case *lua.LUserData:
		if t := m.typeHelp(x); t != "" {
			return t
		}
	}
	return "help(): no help for this value; help() lists the functions\n"
}

// helpMethod records help() for a method of a userdata type: the
// function's spec when the method mirrors a module function
// (help(s.get_instance) is help(cim.get_instance)), else its line.
func (m *Module) helpMethod(f *lua.LFunction, self, name, doc string) {
	if self == "s" {
		spec := specByName(name)
		if name == "test" {
			spec = specByName("test_wsman")
		}
		if spec != nil {
			m.funcs[f] = spec
			return
		}
	}
	m.methodDocs[f] = fmt.Sprintf("%s:%s\n  %s\n", self, name, doc)
}

// typeHelp describes a value of one of the module's types.
func (m *Module) typeHelp(ud *lua.LUserData) string {
	var b strings.Builder
	switch x := ud.Value.(type) {
	case *sessionUD:
		b.WriteString("session fields: " + strings.Join(SessionFields, ", ") + "\nmethods (help(s.NAME) for options):\n")
		writeMap(&b, "s:", SessionMethods)
	case *instanceUD:
		b.WriteString("instance: properties by name (any case), PSComputerName, __CLASS, __NAMESPACE, __PATH\nmethods:\n")
		writeMap(&b, "inst:", InstanceMethods)
	case *classUD:
		fmt.Fprintf(&b, "class %s (print it for its schema; format_list and format_table take it)\nfields (any case):\n", x.c.Name)
		writeMap(&b, "cls.", ClassFields)
		b.WriteString("methods:\n")
		writeMap(&b, "cls:", ClassMethods)
	case *errorUD:
		b.WriteString("error (an operational failure: the second result of nil, err)\nfields (nil when the failure has none): " +
			strings.Join(ErrorFields, ", ") + "\ntostring(err) is one line: the operation, the computer, the message and the codes\n")
	case *datetimeUD:
		b.WriteString("datetime or interval: prints as ISO 8601, compares with == < <=; timestamp - timestamp is an interval\nfields: " +
			strings.Join(DatetimeFields, ", ") + "\nmethods: dt:" + strings.Join(DatetimeMethods, "(), dt:") + "()\n")
	case *boxedInt:
		b.WriteString("boxed 64-bit integer (beyond 2^53): exact tostring, string.format, JSON and CSV; + - * / % with integers;\n" +
			"== < <= with boxed integers only: cim.compare(a, b) orders it against numbers, cim.tonumber(x) converts (lossy)\n")
	case *iterator:
		b.WriteString("iterator of instances: for inst in it do ... end; it:close() releases it; fields count, done\n" +
			"it raises when its enumeration fails or is cut short (session closed, Ctrl-C, end of its chunk)\n")
	case *referenceUD:
		b.WriteString("reference (an object path): fields " + strings.Join(ReferenceFields, ", ") + "; ref:get() fetches the instance\n")
	case *credentialUD:
		b.WriteString("credential: fields user, has_password; printing it never shows the password\n")
	case *subscriptionUD:
		b.WriteString("subscription: " + strings.Join(SubscriptionNames, ", ") + " (help(cim.register_indication_event))\n")
	case *sessionOptionUD:
		b.WriteString("session option: give it to cim.new_session{session_option=} (help(cim.new_session_option))\n")
	}
	return b.String()
}

func specNames() []string {
	var names []string
	for _, s := range Specs {
		names = append(names, s.Name)
	}
	return names
}

func writeMap(b *strings.Builder, prefix string, m map[string]string) {
	var names []string
	w := 0
	for k := range m {
		names = append(names, k)
		w = max(w, len(k))
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(b, "  %s%-*s  %s\n", prefix, w, k, m[k])
	}
}

func specHelp(s *FuncSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cim.%s", s.Name)
	if s.Cmdlet != "" {
		fmt.Fprintf(&b, "  (%s)", s.Cmdlet)
	}
	fmt.Fprintf(&b, "\n  %s\n  usage: %s\n", s.Doc, s.Usage)
	if s.Method {
		fmt.Fprintf(&b, "  also a session method: s:%s(...)\n", s.Name)
	}
	if len(s.Options) > 0 {
		b.WriteString("  options:\n")
		w := 0
		for _, o := range s.Options {
			w = max(w, len(o.Name))
		}
		for _, o := range s.Options {
			note := ""
			if o.Module && s.Method {
				note = " [module function only]"
			}
			fmt.Fprintf(&b, "    %-*s  %s: %s%s\n", w, o.Name, o.Type, o.Doc, note)
		}
	}
	return b.String()
}

// luaHelp is the global help([x]).
func (m *Module) luaHelp(L *lua.LState) int {
	var w io.Writer = os.Stdout
	if m.opts.Stdout != nil {
		w = m.opts.Stdout
	}
	io.WriteString(w, wrapText(m.HelpText(L.Get(1)), m.width()))
	return 0
}
