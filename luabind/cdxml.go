package luabind

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/cdxml"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/scripts"
	lua "github.com/yuin/gopher-lua"
)

// CDXML modules as Lua: cim.import_cdxml(path) returns a table of
// functions, one per cmdlet, by PowerShell name, snake_case name and
// alias. Each function takes positional arguments (the parameters with a
// Position, in order) and an option table keyed by the cmdlet's
// parameters (snake_case or PowerShell spelling, aliases too) plus
// cim_session, computer_name and throttle_limit.

// bundledPrefix names the modules cimsh embeds: "cimsh:CimshProcess".
const bundledPrefix = "cimsh:"

// cdxmlFunc is one cmdlet bound to the module.
type cdxmlFunc struct {
	c   *cdxml.Cmdlet
	mod *cdxml.Module
}

// cdxmlCommon are the options every CDXML function takes besides the
// cmdlet's parameters.
var cdxmlCommon = []Opt{
	optSession,
	{Name: "computer_name", Type: TStringList, Module: true,
		Doc: "where to run, through a temporary session each (cimsh's own; CDXML cmdlets have none)"},
	optThrottle,
}

// bundledCDXML returns the embedded CDXML modules (scripts/cdxml).
func bundledCDXML() fs.FS {
	sub, err := fs.Sub(scripts.FS, "cdxml")
	if err != nil {
		panic("luabind: the bundled CDXML folder: " + err.Error())
	}
	return sub
}

// bundledNames lists the bundled CDXML modules.
func bundledNames() []string {
	names, _ := fs.Glob(bundledCDXML(), "*.cdxml")
	for i, n := range names {
		names[i] = strings.TrimSuffix(n, ".cdxml")
	}
	sort.Strings(names)
	return names
}

// luaImportCDXML is cim.import_cdxml(path).
func (m *Module) luaImportCDXML(L *lua.LState) int {
	const who = "cim.import_cdxml"
	v := L.Get(1)
	p, ok := v.(lua.LString)
	if !ok || L.GetTop() != 1 {
		L.RaiseError("%s: want the path of a .cdxml file, a module folder or a .psd1, or %sNAME (usage: %s)", who, bundledPrefix, specByName("import_cdxml").Usage)
	}
	var (
		mod *cdxml.Module
		err error
	)
	if name, ok := strings.CutPrefix(string(p), bundledPrefix); ok {
		mod, err = m.loadBundled(name)
	} else {
		if strings.TrimSpace(string(p)) == "" {
			L.RaiseError("%s: the path is empty", who)
		}
		mod, err = cdxml.Load(string(p))
	}
	if err != nil {
		m.pushOpFail(who, loadFault(err))
		return 2
	}
	t := L.NewTable()
	for _, c := range mod.Cmdlets {
		f := &cdxmlFunc{c: c, mod: mod}
		fn := L.NewFunction(m.cdxmlCall(f))
		m.funcs[fn] = f.spec()
		t.RawSetString(c.Name, fn)
		t.RawSetString(c.Snake, fn)
		for _, a := range c.Aliases {
			t.RawSetString(a, fn)
		}
	}
	m.mu.Lock()
	if m.cdxmlTables == nil {
		m.cdxmlTables = map[*lua.LTable]*cdxml.Module{}
	}
	m.cdxmlTables[t] = mod
	m.mu.Unlock()
	L.Push(t)
	return 1
}

// loadBundled loads an embedded module by name (case-insensitive).
func (m *Module) loadBundled(name string) (*cdxml.Module, error) {
	for _, n := range bundledNames() {
		if strings.EqualFold(n, strings.TrimSuffix(name, ".cdxml")) {
			return cdxml.LoadFS(bundledCDXML(), n+".cdxml")
		}
	}
	return nil, &model.Fault{Category: model.CategoryNotFound,
		Reason: fmt.Sprintf("no bundled CDXML module %s (bundled: %s)", model.Quote(name), strings.Join(bundledNames(), ", "))}
}

// luaBundledCDXML is cim.bundled_cdxml([name]): the names of the bundled
// modules, or one's text (to copy and adapt).
func luaBundledCDXML(L *lua.LState) int {
	if L.GetTop() == 0 {
		t := L.NewTable()
		for _, n := range bundledNames() {
			t.Append(lua.LString(n))
		}
		L.Push(t)
		return 1
	}
	name := strings.TrimSuffix(strings.TrimPrefix(L.CheckString(1), bundledPrefix), ".cdxml")
	for _, n := range bundledNames() {
		if strings.EqualFold(n, name) {
			data, err := fs.ReadFile(bundledCDXML(), n+".cdxml")
			if err != nil {
				L.RaiseError("cim.bundled_cdxml: %v", err)
			}
			L.Push(lua.LString(data))
			return 1
		}
	}
	L.RaiseError("cim.bundled_cdxml: no bundled module %s (bundled: %s)", model.Quote(name), strings.Join(bundledNames(), ", "))
	return 0
}

// loadFault turns a load error into the fault import_cdxml returns.
func loadFault(err error) error {
	if _, ok := model.AsFault(err); ok {
		return err
	}
	cat := model.CategoryInvalidParameter
	var ae *cdxml.AdapterError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		cat = model.CategoryNotFound
	case errors.Is(err, fs.ErrPermission):
		cat = model.CategoryAccessDenied
	case errors.As(err, &ae):
		cat = model.CategoryNotSupported
	}
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = fmt.Sprintf("%s: %v", pe.Path, pe.Err)
		if errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("%s: no such file or folder", pe.Path)
		}
	}
	return &model.Fault{Category: cat, Reason: userText(msg), Err: err}
}

// cdxmlCall is the Lua function of one cmdlet.
func (m *Module) cdxmlCall(f *cdxmlFunc) lua.LGFunction {
	c := f.c
	return func(L *lua.LState) int {
		who := c.Name
		pos, named, common := m.cdxmlArgs(L, f)
		call, err := c.Bind(named, pos)
		if err != nil {
			L.RaiseError("%s: %s", who, err)
		}
		// The query's own mistakes (two associated instances) raise
		// before anything is sent, too.
		if c.Kind != cdxml.CmdletStatic && len(call.Inputs) == 0 {
			if _, err := call.Query(); err != nil {
				L.RaiseError("%s: %s", who, err)
			}
		}
		t := m.resolveTarget(common, nil)
		t.who = who
		var (
			mu     sync.Mutex
			whatIf = map[*cim.Session][]string{}
		)
		n := m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
			res, err := call.Run(ctx, s)
			if err != nil {
				return opResult{}, err
			}
			if len(res.WhatIf) > 0 {
				mu.Lock()
				whatIf[s] = res.WhatIf
				mu.Unlock()
			}
			if c.Kind == cdxml.CmdletStatic && !call.WhatIf {
				return opResult{items: instancesToItems(res.Items), single: true}, nil
			}
			return opResult{items: instancesToItems(res.Items)}, nil
		})
		m.printWhatIf(t, whatIf)
		return n
	}
}

func instancesToItems(list []*model.Instance) []any {
	out := make([]any, len(list))
	for i, inst := range list {
		out[i] = inst
	}
	return out
}

// printWhatIf prints what_if's lines, session by session.
func (m *Module) printWhatIf(t *target, lines map[*cim.Session][]string) {
	if len(lines) == 0 {
		return
	}
	var w io.Writer = os.Stdout
	if m.opts.Stdout != nil {
		w = m.opts.Stdout
	}
	for _, s := range t.sessions {
		for _, l := range lines[s.s] {
			io.WriteString(w, EscapeControls(l, true)+"\n")
		}
		delete(lines, s.s)
	}
}

// cdxmlArgs reads a CDXML function's arguments: positional values, then
// (last) the option table. A table that is a list is a positional value
// (get_x({"a", "b"})); any other table is the options.
func (m *Module) cdxmlArgs(L *lua.LState, f *cdxmlFunc) ([]model.Value, []cdxml.Arg, *args) {
	c := f.c
	who := c.Name
	top := L.GetTop()
	for top > 0 && L.Get(top) == lua.LNil {
		top-- // f(nil) is f()
	}
	var opts *lua.LTable
	if t, ok := L.Get(top).(*lua.LTable); ok && !isList(t) {
		opts = t
		top--
	}
	var pos []model.Value
	for i := 1; i <= top; i++ {
		v := L.Get(i)
		if v == lua.LNil {
			L.RaiseError("%s: positional argument %d is nil", who, i)
		}
		cv, err := fromLua(v)
		if err != nil {
			L.RaiseError("%s: positional argument %d: %s", who, i, userText(err.Error()))
		}
		pos = append(pos, cv)
	}
	common := &args{L: L, who: who, vals: map[string]lua.LValue{}}
	var named []cdxml.Arg
	if opts == nil {
		return pos, nil, common
	}
	opts.ForEach(func(k, v lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok {
			L.RaiseError("%s: option keys must be names, got %s %s", who, k.Type(), describeLua(k))
		}
		key := string(ks)
		if o := f.commonOpt(key); o != nil {
			if !typeOK(o.Type, v) {
				L.RaiseError("%s: option %s must be %s, got %s", who, key, o.Type, luaTypeName(v))
			}
			common.vals[o.Name] = v
			return
		}
		switch strings.ToLower(key) {
		case "as_job", "asjob":
			L.RaiseError("%s: AsJob is not supported: cimsh runs a cmdlet to its end (give cim_session a list of sessions to run on several computers in parallel)", who)
		case "confirm":
			L.RaiseError("%s: confirm is not supported: cimsh never prompts (what_if=true shows what would be done)", who)
		}
		p := c.Lookup(key)
		if p == nil {
			msg := fmt.Sprintf("%s: unknown option %s", who, model.Quote(key))
			if s := suggest(key, f.optionNames()); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			L.RaiseError("%s", msg)
		}
		cv, err := fromLua(v)
		if err != nil {
			L.RaiseError("%s: %s: %s", who, p.Snake, userText(err.Error()))
		}
		named = append(named, cdxml.Arg{Param: p, Value: cv})
	})
	// Tables have no order: bind in the cmdlet's parameter order, so
	// that messages do not depend on hashing.
	order := map[*cdxml.Param]int{}
	for i, p := range c.Params {
		order[p] = i
	}
	sort.SliceStable(named, func(i, j int) bool { return order[named[i].Param] < order[named[j].Param] })
	return pos, named, common
}

// isList reports whether t is a non-empty sequence with no other keys.
func isList(t *lua.LTable) bool {
	n := t.Len()
	if n == 0 {
		return false
	}
	count := 0
	t.ForEach(func(lua.LValue, lua.LValue) { count++ })
	return count == n
}

// commonOpt returns the cimsh option key names, nil when key is none (or
// is the cmdlet's own parameter, which wins over computer_name).
func (f *cdxmlFunc) commonOpt(key string) *Opt {
	for i := range cdxmlCommon {
		o := &cdxmlCommon[i]
		if o.Name == key {
			if o.Name == "computer_name" && f.c.ComputerNameParam {
				return nil
			}
			return o
		}
	}
	return nil
}

// optionNames lists the snake_case names a function takes.
func (f *cdxmlFunc) optionNames() []string {
	var out []string
	for _, p := range f.c.Params {
		out = append(out, p.Snake)
	}
	for _, o := range cdxmlCommon {
		if o.Name == "computer_name" && f.c.ComputerNameParam {
			continue
		}
		out = append(out, o.Name)
	}
	return out
}

// spec is the function's FuncSpec: its options for completion, and its
// help.
func (f *cdxmlFunc) spec() *FuncSpec {
	s := &FuncSpec{Name: f.c.Snake, Cmdlet: f.c.Name, Doc: f.doc(), Help: f.help}
	for _, p := range f.c.Params {
		s.Options = append(s.Options, Opt{Name: p.Snake, Type: TAny, Doc: paramDoc(p)})
	}
	for _, o := range cdxmlCommon {
		if o.Name == "computer_name" && f.c.ComputerNameParam {
			continue
		}
		s.Options = append(s.Options, o)
	}
	return s
}

// doc is the cmdlet's one line.
func (f *cdxmlFunc) doc() string {
	c := f.c
	class := c.ClassName
	if c.Namespace != "" {
		class = c.Namespace + ":" + class
	}
	switch c.Kind {
	case cdxml.CmdletGet:
		return "instances of " + class
	case cdxml.CmdletInstance:
		return fmt.Sprintf("%s on each selected instance of %s", methodText(c.Method), class)
	}
	var ms []string
	for _, m := range c.Methods {
		ms = append(ms, methodText(m))
	}
	return fmt.Sprintf("%s of %s", strings.Join(ms, " or "), class)
}

func methodText(m *cdxml.Method) string {
	switch strings.ToLower(m.Name) {
	case "cim:createinstance":
		return "create an instance (cim:CreateInstance)"
	case "cim:modifyinstance":
		return "modify (cim:ModifyInstance)"
	case "cim:deleteinstance":
		return "delete (cim:DeleteInstance)"
	}
	return "method " + m.Name
}

// help is help(m.get_x): what the cmdlet does, how to call it, every
// option with its type, parameter sets and validation, and what it
// returns.
func (f *cdxmlFunc) help() string {
	c := f.c
	var b strings.Builder
	fmt.Fprintf(&b, "%s  (CDXML cmdlet %s", c.Snake, c.Name)
	if len(c.Aliases) > 0 {
		fmt.Fprintf(&b, ", alias %s", strings.Join(c.Aliases, ", "))
	}
	fmt.Fprintf(&b, ", from %s)\n  %s\n", path.Base(strings.ReplaceAll(c.File, `\`, "/")), f.doc())
	if c.Obsolete != nil {
		fmt.Fprintf(&b, "  obsolete: %s\n", orText(c.Obsolete.Message, "the module marks it obsolete"))
	}
	var posNames []string
	for _, p := range c.Params {
		if p.Position >= 0 {
			posNames = append(posNames, p.Snake)
		}
	}
	usage := fmt.Sprintf("m.%s{...}", c.Snake)
	if len(posNames) > 0 {
		sorted := append([]*cdxml.Param(nil), c.Params...)
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Position < sorted[j].Position })
		var ps []string
		for _, p := range sorted {
			if p.Position >= 0 {
				ps = append(ps, p.Snake)
			}
		}
		usage += fmt.Sprintf("  m.%s(%s [, {...}])", c.Snake, strings.Join(ps, ", "))
	}
	fmt.Fprintf(&b, "  usage: %s\n", usage)
	if len(c.Sets) > 1 {
		var sets []string
		for _, s := range c.Sets {
			if strings.EqualFold(s, c.DefaultSet) {
				s += " (default)"
			}
			sets = append(sets, s)
		}
		fmt.Fprintf(&b, "  parameter sets: %s; an option in [...] belongs only to those\n", strings.Join(sets, ", "))
	}
	b.WriteString("  options:\n")
	w := 0
	opts := f.spec().Options
	for _, o := range opts {
		w = max(w, len(o.Name))
	}
	for _, p := range c.Params {
		fmt.Fprintf(&b, "    %-*s  %s\n", w, p.Snake, paramDoc(p))
	}
	for _, o := range cdxmlCommon {
		if o.Name == "computer_name" && c.ComputerNameParam {
			continue
		}
		fmt.Fprintf(&b, "    %-*s  %s: %s\n", w, o.Name, o.Type, o.Doc)
	}
	var ps []string
	for _, p := range c.Params {
		if p.Name != p.Snake && len(ps) < 2 {
			ps = append(ps, p.Name)
		}
	}
	if len(ps) > 0 {
		fmt.Fprintf(&b, "  Options take their PowerShell spelling too (%s), and their aliases.\n", strings.Join(ps, ", "))
	}
	b.WriteString("  AsJob is not supported: the call returns when the cmdlet is done.\n")
	b.WriteString("  returns: " + f.returns() + "\n")
	if c.HelpURI != "" {
		fmt.Fprintf(&b, "  online help: %s\n", c.HelpURI)
	}
	return b.String()
}

// returns says what a call returns.
func (f *cdxmlFunc) returns() string {
	c := f.c
	base := ""
	switch c.Kind {
	case cdxml.CmdletGet:
		base = "the instances (a list)"
	case cdxml.CmdletInstance:
		switch strings.ToLower(c.Method.Name) {
		case "cim:deleteinstance", "cim:modifyinstance":
			base = "an empty list (with pass_thru, the instances acted on)"
		default:
			base = "a list of the method's outputs (ReturnValue and out parameters), one per instance acted on"
			if c.Lookup("pass_thru") != nil {
				base += " (with pass_thru, the instances)"
			}
		}
	default:
		base = "the method's output (ReturnValue and out parameters)"
		for _, m := range c.Methods {
			if strings.EqualFold(m.Name, "cim:CreateInstance") {
				base = "the instance created"
			}
		}
	}
	base += "; nil, err when it fails"
	if c.Kind != cdxml.CmdletStatic {
		base += " or when values select nothing (ErrorOnNoMatch)"
	}
	base += "; with a list of cim_session, the combined results and a list of per-host errors"
	if c.ConfirmImpact != "" {
		base += fmt.Sprintf(". ConfirmImpact %s: what_if=true prints what would be done and does nothing; cimsh never prompts", c.ConfirmImpact)
	}
	return base
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// paramDoc describes a parameter: type, sets, validation, role.
func paramDoc(p *cdxml.Param) string {
	var b strings.Builder
	t := p.Type.String()
	if p.Type.Kind == cdxml.KindEnum {
		t += " (" + strings.Join(p.Type.Enum.Names(), ", ")
		if p.Type.Enum.Flags {
			t += "; flags: names joined with commas"
		}
		t += ")"
	}
	if p.Type.Array {
		t += ", or one"
	}
	b.WriteString(t)
	var attrs []string
	if p.Sets != nil {
		attrs = append(attrs, "["+strings.Join(p.Sets, ", ")+"]")
	}
	if p.Mandatory {
		attrs = append(attrs, "mandatory")
	}
	if p.Position >= 0 {
		attrs = append(attrs, fmt.Sprintf("position %d", p.Position))
	}
	if p.Name != p.Snake {
		attrs = append(attrs, "PowerShell "+p.Name)
	}
	if len(p.Aliases) > 0 {
		attrs = append(attrs, "aliases "+strings.Join(p.Aliases, ", "))
	}
	v := &p.Meta
	if len(v.ValidateSet) > 0 {
		attrs = append(attrs, "one of "+strings.Join(v.ValidateSet, ", "))
	}
	if r := v.ValidateRange; r != nil {
		attrs = append(attrs, fmt.Sprintf("%s to %s", r.Min, r.Max))
	}
	if l := v.ValidateLength; l != nil {
		attrs = append(attrs, fmt.Sprintf("%d to %d characters", l.Min, l.Max))
	}
	if n := v.ValidateCount; n != nil {
		attrs = append(attrs, fmt.Sprintf("%d to %d values", n.Min, n.Max))
	}
	if v.ValidateNotNullOrEmpty {
		attrs = append(attrs, "not empty")
	}
	if v.AllowEmptyString {
		attrs = append(attrs, `"" allowed`)
	}
	if v.AllowEmptyCollection {
		attrs = append(attrs, "{} allowed")
	}
	if v.Obsolete != nil {
		attrs = append(attrs, "obsolete")
	}
	if len(attrs) > 0 {
		b.WriteString(" " + strings.Join(attrs, "; "))
	}
	b.WriteString(": " + roleDoc(p))
	return b.String()
}

// roleDoc says what a parameter does.
func roleDoc(p *cdxml.Param) string {
	wild := ""
	if p.Wildcards {
		wild = " (wildcards * ? [])"
	}
	switch p.Role {
	case cdxml.RoleRegular:
		return fmt.Sprintf("%s is one of the values%s", p.Property, wild)
	case cdxml.RoleExclude:
		return fmt.Sprintf("%s is none of the values%s", p.Property, wild)
	case cdxml.RoleMin:
		return fmt.Sprintf("%s at least the value", p.Property)
	case cdxml.RoleMax:
		return fmt.Sprintf("%s at most the value", p.Property)
	case cdxml.RoleAssociation:
		return fmt.Sprintf("the instances associated with it through %s", p.Assoc.Association)
	case cdxml.RoleOption:
		return fmt.Sprintf("the query's operation option %s", p.Property)
	case cdxml.RoleInputObject:
		return "the instances to act on, instead of a query"
	case cdxml.RolePassThru:
		return "return the instances acted on"
	case cdxml.RoleWhatIf:
		return "print what would be done, do nothing"
	}
	for _, mp := range p.MethodParams {
		if strings.HasPrefix(strings.ToLower(mp.Name), "cim:") {
			break
		}
		if mp.Default != nil {
			return fmt.Sprintf("the method's %s (default %s)", mp.Name, *mp.Default)
		}
		return fmt.Sprintf("the method's %s", mp.Name)
	}
	return "a parameter of the method"
}

// cdxmlModuleHelp is help(m) for a table import_cdxml returned.
func (m *Module) cdxmlModuleHelp(t *lua.LTable) (string, bool) {
	m.mu.Lock()
	mod := m.cdxmlTables[t]
	m.mu.Unlock()
	if mod == nil {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CDXML module %s (%s): help(m.NAME) for a cmdlet's options\n", mod.Name, strings.Join(mod.Files, ", "))
	w := 0
	for _, c := range mod.Cmdlets {
		w = max(w, len(c.Snake))
	}
	for _, c := range mod.Cmdlets {
		f := &cdxmlFunc{c: c, mod: mod}
		fmt.Fprintf(&b, "  m.%-*s  %s: %s\n", w, c.Snake, c.Name, f.doc())
	}
	return b.String(), true
}
