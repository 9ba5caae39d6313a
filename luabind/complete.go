package luabind

import (
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// luaKeywords are offered with the globals.
var luaKeywords = []string{"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}

// classOptionKeys are the options whose values are class names.
var classOptionKeys = map[string]bool{"class_name": true, "result_class_name": true, "association": true}

// classFirstArg are the functions whose first positional argument is a
// class name.
var classFirstArg = map[string]bool{"get_instance": true, "instances": true, "each_instance": true, "get_class": true}

// Complete returns the completions of the word before the end of text
// (the whole chunk typed so far, continuation lines included) and the
// length in bytes of that partial word. It reads globals and tables
// with raw access only and the sessions' class caches: it never runs
// user code and never touches the network.
func (m *Module) Complete(text string) (cands []string, partial int) {
	ctx := scan(text)
	if ctx.inString {
		word := text[ctx.stringStart:]
		return m.completeClass(text[:ctx.stringStart-1], ctx, word), len(word)
	}
	if ctx.inComment {
		return nil, 0
	}
	i := len(text)
	for i > 0 && isIdent(text[i-1]) {
		i--
	}
	word := text[i:]
	before := text[:i]
	if strings.HasSuffix(before, ".") || strings.HasSuffix(before, ":") {
		sep := before[len(before)-1]
		chain := trailingChain(before[:len(before)-1])
		if chain == "" {
			return nil, 0
		}
		return filterPrefix(m.members(chain, sep == ':'), word), len(word)
	}
	if spec, method, ok := m.optionContext(before, ctx); ok {
		var out []string
		for _, n := range spec.OptionNames(method) {
			if strings.HasPrefix(n, word) {
				out = append(out, n+"=")
			}
		}
		return out, len(word)
	}
	if word == "" {
		return nil, 0
	}
	var names []string
	if g, ok := m.L.Get(lua.GlobalsIndex).(*lua.LTable); ok {
		names = stringKeys(g)
	}
	names = append(names, luaKeywords...)
	return filterPrefix(names, word), len(word)
}

// scanState is what scan learns about the text before the cursor.
type scanState struct {
	inString    bool
	inComment   bool
	stringStart int   // index after the opening quote
	open        []int // positions of unclosed { ( [
}

// scan walks Lua text far enough to know whether the end is inside a
// string or comment, and which brackets are open.
func scan(s string) scanState {
	var st scanState
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				st.inComment = true
				return st
			}
			i += j
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(s) && s[j] != c && s[j] != '\n' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				st.inString = true
				st.stringStart = i + 1
				return st
			}
			i = j
		case c == '[' && i+1 < len(s) && s[i+1] == '[':
			j := strings.Index(s[i+2:], "]]")
			if j < 0 {
				st.inComment = true // a long string: nothing to complete
				return st
			}
			i += j + 3
		case c == '{' || c == '(' || c == '[':
			st.open = append(st.open, i)
		case c == '}' || c == ')' || c == ']':
			if len(st.open) > 0 {
				st.open = st.open[:len(st.open)-1]
			}
		}
	}
	return st
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// trailingChain returns the dotted/colon chain of names that ends s
// ("cim", "a.b", "s").
func trailingChain(s string) string {
	i := len(s)
	for i > 0 && (isIdent(s[i-1]) || s[i-1] == '.' || s[i-1] == ':') {
		i--
	}
	chain := s[i:]
	if chain == "" || chain[0] >= '0' && chain[0] <= '9' {
		return ""
	}
	return chain
}

// resolve looks a chain up with raw access only.
func (m *Module) resolve(chain string) lua.LValue {
	parts := strings.FieldsFunc(chain, func(r rune) bool { return r == '.' || r == ':' })
	var v lua.LValue = m.L.Get(lua.GlobalsIndex)
	for _, p := range parts {
		switch x := v.(type) {
		case *lua.LTable:
			v = x.RawGetString(p)
		case *lua.LUserData:
			if i := toInstance(x); i != nil {
				pv, _ := i.inst.Get(p)
				v = m.toLua(pv, nil)
				continue
			}
			return lua.LNil
		default:
			return lua.LNil
		}
	}
	return v
}

// members lists what can follow "chain." or "chain:".
func (m *Module) members(chain string, colon bool) []string {
	v := m.resolve(chain)
	switch x := v.(type) {
	case *lua.LTable:
		return stringKeys(x)
	case *lua.LUserData:
		switch u := x.Value.(type) {
		case *sessionUD:
			names := mapKeys(SessionMethods)
			if !colon {
				names = append(names, SessionFields...)
			}
			return names
		case *instanceUD:
			names := mapKeys(InstanceMethods)
			if !colon {
				names = append(names, u.inst.Names()...)
				names = append(names, "PSComputerName")
			}
			return names
		case *classUD:
			if colon {
				return []string{"property", "method"}
			}
			return classNames()
		case *errorUD:
			return ErrorFields
		case *datetimeUD:
			if colon {
				return DatetimeMethods
			}
			return append(append([]string(nil), DatetimeFields...), DatetimeMethods...)
		case *referenceUD:
			if colon {
				return []string{"get"}
			}
			return ReferenceFields
		case *subscriptionUD:
			if colon {
				return []string{"close", "events", "wait"}
			}
			return SubscriptionNames
		case *iterator:
			if colon {
				return []string{"close"}
			}
			return []string{"close", "count", "done"}
		case *credentialUD:
			return []string{"user", "has_password"}
		}
	}
	return nil
}

// callee finds the function called at an open bracket: the chain before
// pos (skipping spaces and one "(" before a "{").
func calleeAt(text string, pos int) (name string, method bool, receiver string) {
	s := strings.TrimRight(text[:pos], " \t\n")
	if strings.HasSuffix(s, "(") && text[pos] == '{' {
		s = strings.TrimRight(s[:len(s)-1], " \t\n")
	}
	chain := trailingChain(s)
	if chain == "" {
		return "", false, ""
	}
	k := strings.LastIndexAny(chain, ".:")
	if k < 0 {
		return chain, false, ""
	}
	return chain[k+1:], chain[k] == ':', chain[:k]
}

// optionContext reports whether the word at the end of before is an
// option key of a known function's table.
func (m *Module) optionContext(before string, st scanState) (*FuncSpec, bool, bool) {
	if len(st.open) == 0 {
		return nil, false, false
	}
	pos := st.open[len(st.open)-1]
	if before[pos] != '{' {
		return nil, false, false
	}
	prev := strings.TrimRight(before, " \t\n")
	if len(prev) == 0 {
		return nil, false, false
	}
	if last := prev[len(prev)-1]; last != '{' && last != ',' && last != ';' {
		return nil, false, false
	}
	// The option table after positional arguments, f("x", {...}): the
	// function is the one whose ( holds the table.
	if n := len(st.open); n >= 2 && before[st.open[n-2]] == '(' && strings.HasSuffix(strings.TrimRight(before[:pos], " \t\n"), ",") {
		pos = st.open[n-2]
	}
	name, method, _ := calleeAt(before, pos)
	if name == "test" && method {
		name = "test_wsman"
	}
	spec := m.calleeSpec(before, pos)
	if spec == nil {
		spec = specByName(name)
	}
	if spec == nil || len(spec.Options) == 0 {
		return nil, false, false
	}
	return spec, method, true
}

// calleeSpec returns the spec of the function called at an open bracket
// when the chain before it names one the module made (a CDXML cmdlet's
// m.get_x, or cim.get_instance), read with raw access only.
func (m *Module) calleeSpec(text string, pos int) *FuncSpec {
	s := strings.TrimRight(text[:pos], " \t\n")
	if strings.HasSuffix(s, "(") && text[pos] == '{' {
		s = strings.TrimRight(s[:len(s)-1], " \t\n")
	}
	chain := trailingChain(s)
	if chain == "" || strings.Contains(chain, ":") {
		return nil
	}
	if f, ok := m.resolve(chain).(*lua.LFunction); ok {
		return m.funcs[f]
	}
	return nil
}

// completeClass completes a class name inside a string that is the value
// of class_name= (and the like) or the first argument of get_instance,
// instances, each_instance or get_class.
func (m *Module) completeClass(before string, st scanState, word string) []string {
	b := strings.TrimRight(before, " \t\n")
	var receiver string
	switch {
	case strings.HasSuffix(b, "="):
		key := trailingChain(strings.TrimRight(b[:len(b)-1], " \t\n"))
		if !classOptionKeys[key] {
			return nil
		}
		if len(st.open) > 0 && before[st.open[len(st.open)-1]] == '{' {
			_, _, receiver = calleeAt(before, st.open[len(st.open)-1])
		}
	case strings.HasSuffix(b, "("):
		name, _, recv := calleeAt(b, len(b)-1)
		if !classFirstArg[name] {
			return nil
		}
		receiver = recv
	default:
		return nil
	}
	seen := map[string]bool{}
	var names []string
	add := func(list []string) {
		for _, n := range list {
			if !seen[strings.ToLower(n)] && strings.HasPrefix(strings.ToLower(n), strings.ToLower(word)) {
				seen[strings.ToLower(n)] = true
				names = append(names, n)
			}
		}
	}
	ns := namespaceIn(before)
	sessions := m.liveSessions()
	if s := toSession(m.resolve(receiver)); s != nil && receiver != "" {
		sessions = []*sessionUD{s}
	}
	for _, s := range sessions {
		add(s.s.CachedClassNames(ns))
		add(s.seen.names(ns))
	}
	sort.Strings(names)
	return names
}

// namespaceIn finds a namespace="..." option in the text, if any.
func namespaceIn(s string) string {
	i := strings.LastIndex(s, "namespace")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(s[i+len("namespace"):], " \t")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t")
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	j := strings.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return ""
	}
	return rest[1 : j+1]
}

func stringKeys(t *lua.LTable) []string {
	var out []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok && isName(string(s)) {
			out = append(out, string(s))
		}
	})
	return out
}

func isName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isIdent(s[i]) {
			return false
		}
	}
	return true
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func filterPrefix(names []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
