package luabind

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// HelpText returns help() for a value: the function list for nil, the
// options of a module function (the function itself or its name), or
// the methods of a session or instance.
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
		b.WriteString("\nsession methods (s = cim.new_session{...}):\n")
		writeMap(&b, "s:", SessionMethods)
		b.WriteString("\ninstance methods:\n")
		writeMap(&b, "inst:", InstanceMethods)
		b.WriteString("\nOperational failures return nil, err (err.category, err.message, ...); mistakes raise.\n")
		return b.String()
	case *lua.LFunction:
		if s, ok := m.funcs[x]; ok {
			return specHelp(s)
		}
	case lua.LString:
		name := strings.TrimPrefix(strings.TrimPrefix(string(x), "cim."), "s:")
		if s := specByName(name); s != nil {
			return specHelp(s)
		}
		if name == "test" {
			return specHelp(specByName("test_wsman"))
		}
		return fmt.Sprintf("no help for %q%s\n", string(x), didYouMean(name, specNames()))
	case *lua.LUserData:
		switch x.Value.(type) {
		case *sessionUD:
			b.WriteString("session fields: " + strings.Join(SessionFields, ", ") + "\nmethods:\n")
			writeMap(&b, "s:", SessionMethods)
			return b.String()
		case *instanceUD:
			b.WriteString("instance: properties by name (any case), PSComputerName, __CLASS, __NAMESPACE, __PATH\nmethods:\n")
			writeMap(&b, "inst:", InstanceMethods)
			return b.String()
		}
	}
	return "help(): no help for this value; help() lists the functions\n"
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
