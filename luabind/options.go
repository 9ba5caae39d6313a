package luabind

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/editdist"
	lua "github.com/yuin/gopher-lua"
)

// OptType is the Lua type an option accepts.
type OptType int

// The option types.
const (
	TString        OptType = iota
	TNumber                // any number
	TInteger               // an integral number
	TBool                  // a boolean
	TStringList            // a string or a list of strings
	TTable                 // a table (arguments, property values)
	TFunction              // a function
	TSessions              // a session or a list of sessions
	TSessionOption         // a session option table (from new_session_option)
	TCredential            // a credential
	TInstance              // an instance
	TAny                   // anything
)

var optTypeNames = map[OptType]string{
	TString: "a string", TNumber: "a number", TInteger: "an integer", TBool: "a boolean",
	TStringList: "a string or a list of strings", TTable: "a table", TFunction: "a function",
	TSessions: "a session or a list of sessions", TSessionOption: "a session option (cim.new_session_option)",
	TCredential: "a credential (cim.credential)", TInstance: "an instance", TAny: "a value",
}

// String describes the type for messages and help.
func (t OptType) String() string { return optTypeNames[t] }

// Opt is one option of a function's option table.
type Opt struct {
	Name string
	Type OptType
	Doc  string
	// Module marks options that only the module function takes, not the
	// session method (cim_session, computer_name, throttle_limit).
	Module bool
}

// FuncSpec describes one function of the module: the single source of
// its validation, help text and completion.
type FuncSpec struct {
	Name   string // snake_case name: "get_instance"
	Cmdlet string // the PowerShell cmdlet it mirrors, if any
	Usage  string // call forms, one per line
	Doc    string // one line
	// Method is set when the function is also a session method.
	Method  bool
	Options []Opt
	// Help, when set, writes help() for the function instead of the
	// text made from the fields above (CDXML cmdlets).
	Help func() string
}

// Opt returns the named option, or nil.
func (f *FuncSpec) Opt(name string) *Opt {
	for i := range f.Options {
		if f.Options[i].Name == name {
			return &f.Options[i]
		}
	}
	return nil
}

// OptionNames returns the option names valid for the module function
// (method false) or the session method (method true).
func (f *FuncSpec) OptionNames(method bool) []string {
	var names []string
	for _, o := range f.Options {
		if method && o.Module {
			continue
		}
		names = append(names, o.Name)
	}
	return names
}

// args is a decoded, validated option table.
type args struct {
	L    *lua.LState
	who  string
	vals map[string]lua.LValue
}

// decodeOpts validates tbl against spec and returns its values. A nil
// tbl is an empty table. An unknown key or a value of the wrong type
// raises an error naming it.
func decodeOpts(L *lua.LState, spec *FuncSpec, who string, tbl *lua.LTable, method bool) *args {
	a := &args{L: L, who: who, vals: map[string]lua.LValue{}}
	if tbl == nil {
		return a
	}
	tbl.ForEach(func(k, v lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok {
			L.RaiseError("%s: option keys must be names, got %s %s", who, k.Type(), describeLua(k))
		}
		name := string(ks)
		o := spec.Opt(name)
		if o == nil || (method && o.Module) {
			valid := spec.OptionNames(method)
			msg := fmt.Sprintf("%s: unknown option %s", who, model.Quote(name))
			if s := suggest(name, valid); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			} else if method && o != nil {
				msg += " (it is an option of the module function cim." + spec.Name + ")"
			}
			L.RaiseError("%s", msg)
		}
		if !typeOK(o.Type, v) {
			L.RaiseError("%s: option %s must be %s, got %s", who, name, o.Type, luaTypeName(v))
		}
		a.vals[name] = v
	})
	return a
}

// typeOK reports whether v fits t. Lists are checked element by element.
func typeOK(t OptType, v lua.LValue) bool {
	switch t {
	case TAny:
		return true
	case TString:
		_, ok := v.(lua.LString)
		return ok
	case TNumber:
		_, ok := v.(lua.LNumber)
		return ok
	case TInteger:
		n, ok := v.(lua.LNumber)
		return ok && float64(n) == float64(int64(n))
	case TBool:
		_, ok := v.(lua.LBool)
		return ok
	case TStringList:
		if _, ok := v.(lua.LString); ok {
			return true
		}
		return listOf(v, func(e lua.LValue) bool { _, ok := e.(lua.LString); return ok })
	case TTable:
		_, ok := v.(*lua.LTable)
		return ok
	case TFunction:
		_, ok := v.(*lua.LFunction)
		return ok
	case TSessions:
		if toSession(v) != nil {
			return true
		}
		return listOf(v, func(e lua.LValue) bool { return toSession(e) != nil })
	case TSessionOption:
		return toSessionOption(v) != nil
	case TCredential:
		return toCredential(v) != nil
	case TInstance:
		return toInstance(v) != nil
	}
	return false
}

// listOf reports whether v is a non-empty sequence whose elements pass ok.
func listOf(v lua.LValue, ok func(lua.LValue) bool) bool {
	t, isT := v.(*lua.LTable)
	if !isT || t.Len() == 0 {
		return false
	}
	good := true
	n := 0
	t.ForEach(func(k, e lua.LValue) {
		n++
		if !ok(e) {
			good = false
		}
	})
	return good && n == t.Len()
}

func luaTypeName(v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		if n := udTypeName(ud); n != "" {
			return n
		}
	}
	return v.Type().String()
}

func describeLua(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		return model.Quote(string(s))
	}
	return v.String()
}

func (a *args) has(name string) bool { _, ok := a.vals[name]; return ok }

func (a *args) str(name string) string {
	if s, ok := a.vals[name].(lua.LString); ok {
		return string(s)
	}
	return ""
}

func (a *args) boolean(name string) bool {
	b, _ := a.vals[name].(lua.LBool)
	return bool(b)
}

func (a *args) num(name string) float64 {
	n, _ := a.vals[name].(lua.LNumber)
	return float64(n)
}

func (a *args) integer(name string) int { return int(a.num(name)) }

// seconds returns a duration given in seconds.
func (a *args) seconds(name string) time.Duration {
	return time.Duration(a.num(name) * float64(time.Second))
}

// strings returns a string-or-list option as a slice.
func (a *args) strings(name string) []string {
	switch v := a.vals[name].(type) {
	case lua.LString:
		return []string{string(v)}
	case *lua.LTable:
		var out []string
		for i := 1; i <= v.Len(); i++ {
			out = append(out, lua.LVAsString(v.RawGetInt(i)))
		}
		return out
	}
	return nil
}

func (a *args) table(name string) *lua.LTable {
	t, _ := a.vals[name].(*lua.LTable)
	return t
}

func (a *args) instance(name string) *instanceUD { return toInstance(a.vals[name]) }

// sessions returns the cim_session option as a list, and whether the
// caller gave a list (fan-out) rather than one session.
func (a *args) sessions(name string) ([]*sessionUD, bool) {
	v := a.vals[name]
	if s := toSession(v); s != nil {
		return []*sessionUD{s}, false
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return nil, false
	}
	var out []*sessionUD
	for i := 1; i <= t.Len(); i++ {
		out = append(out, toSession(t.RawGetInt(i)))
	}
	return out, true
}

// raise raises a programming-mistake error prefixed with the function.
func (a *args) raise(format string, x ...any) {
	a.L.RaiseError("%s: %s", a.who, fmt.Sprintf(format, x...))
}

// suggest returns the candidate closest to name by edit distance, when
// it is close enough to be a likely typo.
func suggest(name string, candidates []string) string {
	if len(name) > maxSuggestName {
		return "" // no typo is this long, and the distance costs len(name) a candidate
	}
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editdist.Distance(strings.ToLower(name), strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := len(name)/3 + 1
	if limit < 2 {
		limit = 2
	}
	if bestD <= limit || (best != "" && (strings.HasPrefix(best, name) || strings.HasPrefix(name, best))) {
		return best
	}
	return ""
}

// maxSuggestName bounds the names suggest compares.
const maxSuggestName = 128

// sortedKeys returns a table's string keys, sorted.
func sortedKeys(t *lua.LTable) []string {
	var keys []string
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			keys = append(keys, string(s))
		}
	})
	sort.Strings(keys)
	return keys
}
