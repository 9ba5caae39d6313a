package luabind

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// call holds what every operation decodes first: who is calling (for
// messages), its positional shorthand and its options.
type call struct {
	who  string
	spec *FuncSpec
	a    *args
	pos  []lua.LValue // positional arguments before the option table
}

// begin decodes an operation's arguments: npos positional arguments (a
// string shorthand, an instance) may come before the option table.
func (m *Module) begin(L *lua.LState, name string, self *sessionUD, npos int) *call {
	spec := specByName(name)
	who := "cim." + name
	base := 1
	if self != nil {
		who = "s:" + name
		base = 2
	}
	c := &call{who: who, spec: spec}
	n := base
	for ; n < base+npos; n++ {
		v := L.Get(n)
		if _, isT := v.(*lua.LTable); isT || v == lua.LNil {
			break
		}
		c.pos = append(c.pos, v)
	}
	c.a = decodeOpts(L, spec, who, optTable(L, n, who), self != nil)
	if L.GetTop() > n {
		L.RaiseError("%s: too many arguments (usage: %s)", who, spec.Usage)
	}
	return c
}

func (c *call) posString(L *lua.LState, i int, what string) (string, bool) {
	if i >= len(c.pos) {
		return "", false
	}
	s, ok := c.pos[i].(lua.LString)
	if !ok {
		L.RaiseError("%s: %s must be a string, got %s", c.who, what, luaTypeName(c.pos[i]))
	}
	return string(s), true
}

func (c *call) options() cim.Options {
	return cim.Options{Namespace: c.a.str("namespace"), ResourceURI: c.a.str("resource_uri"), OperationTimeout: c.a.seconds("operation_timeout_sec")}
}

// isQuery tells a query from a class name in the shorthand forms.
func isQuery(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(l, "select ") || strings.HasPrefix(l, "associators of") || strings.HasPrefix(l, "references of")
}

// instanceQuery builds Get-CimInstance's parameter set from the options.
func (c *call) instanceQuery() cim.InstanceQuery {
	a := c.a
	return cim.InstanceQuery{
		ClassName:        a.str("class_name"),
		Namespace:        a.str("namespace"),
		Filter:           a.str("filter"),
		Query:            a.str("query"),
		QueryDialect:     a.str("query_dialect"),
		Property:         a.strings("property"),
		KeyOnly:          a.boolean("key_only"),
		Shallow:          a.boolean("shallow"),
		ResourceURI:      a.str("resource_uri"),
		OperationTimeout: a.seconds("operation_timeout_sec"),
		BatchSize:        a.integer("batch_size"),
		MaxInstances:     c.maxInstances(),
	}
}

// maxInstances reads max_instances (0 when absent: the default).
func (c *call) maxInstances() int {
	if !c.a.has("max_instances") {
		return 0
	}
	n := c.a.integer("max_instances")
	if n <= 0 {
		c.a.raise("max_instances must be positive")
	}
	return n
}

// applyShorthand puts a positional class name or query into q.
func (c *call) applyShorthand(L *lua.LState, q *cim.InstanceQuery, what string) {
	s, ok := c.posString(L, 0, what)
	if !ok {
		return
	}
	if c.a.has("class_name") || c.a.has("query") {
		L.RaiseError("%s: give the class or query once (positionally or as class_name=/query=)", c.who)
	}
	if isQuery(s) {
		q.Query = s
	} else {
		q.ClassName = s
	}
}

// checkQuery raises for a query cim would refuse (a programming mistake).
func (c *call) checkQuery(L *lua.LState, q cim.InstanceQuery) {
	switch {
	case q.Query != "" && (q.ClassName != "" || q.Filter != ""):
		L.RaiseError("%s: query cannot be combined with class_name or filter", c.who)
	case q.Query == "" && q.ClassName == "" && q.ResourceURI == "":
		L.RaiseError("%s: class_name, query or resource_uri is required (usage: %s)", c.who, c.spec.Usage)
	}
}

// opGetInstance is get_instance: by key with input_object, else a class
// or query enumerated to the end.
func (m *Module) opGetInstance(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "get_instance", self, 1)
	q := c.instanceQuery()
	c.applyShorthand(L, &q, "the class name")
	if in := c.a.instance("input_object"); in != nil {
		if q.ClassName != "" || q.Query != "" || q.Filter != "" {
			L.RaiseError("%s: input_object cannot be combined with class_name, query or filter", c.who)
		}
		opts := c.options()
		t := m.resolveTarget(c.a, self)
		return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
			inst, err := s.GetInstance(ctx, in.inst, opts)
			return opResult{items: []any{inst}, single: true}, err
		})
	}
	c.checkQuery(L, q)
	t := m.resolveTarget(c.a, self)
	return m.run(L, t, listOp(func(ctx context.Context, s *cim.Session) ([]*model.Instance, error) {
		return s.GetInstances(ctx, q)
	}))
}

func listOp(f func(ctx context.Context, s *cim.Session) ([]*model.Instance, error)) opFunc {
	return func(ctx context.Context, s *cim.Session) (opResult, error) {
		list, err := f(ctx, s)
		items := make([]any, len(list))
		for i, inst := range list {
			items[i] = inst
		}
		return opResult{items: items}, err
	}
}

// opQuery is query(wql [, opts]).
func (m *Module) opQuery(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "query", self, 1)
	wql, ok := c.posString(L, 0, "the query")
	if !ok || strings.TrimSpace(wql) == "" {
		L.RaiseError("%s: the query is required (usage: %s)", c.who, c.spec.Usage)
	}
	q := cim.InstanceQuery{Query: wql, Namespace: c.a.str("namespace"), QueryDialect: c.a.str("query_dialect"),
		OperationTimeout: c.a.seconds("operation_timeout_sec"), MaxInstances: c.maxInstances()}
	t := m.resolveTarget(c.a, self)
	return m.run(L, t, listOp(func(ctx context.Context, s *cim.Session) ([]*model.Instance, error) {
		return s.GetInstances(ctx, q)
	}))
}

// opInvokeMethod is invoke_method{class_name= or input_object=, method_name=, arguments=}.
func (m *Module) opInvokeMethod(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "invoke_method", self, 0)
	a := c.a
	call := cim.MethodCall{Options: c.options(), ClassName: a.str("class_name"), Method: a.str("method_name")}
	if in := a.instance("input_object"); in != nil {
		call.Input = in.inst
	}
	if call.Method == "" {
		a.raise("method_name is required")
	}
	if call.ClassName == "" && call.Input == nil {
		a.raise("class_name or input_object is required")
	}
	call.Arguments = tableToProperties(L, c.who, a.table("arguments"))
	t := m.resolveTarget(a, self)
	return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		cc := call
		if cc.Input != nil {
			cc.Input = cc.Input.Clone()
		}
		out, err := s.InvokeMethod(ctx, cc)
		return opResult{items: []any{out}, single: true}, err
	})
}

// buildInstance makes an instance from class_name, property and key.
func (c *call) buildInstance(L *lua.LState) *model.Instance {
	a := c.a
	cls := a.str("class_name")
	if cls == "" {
		a.raise("class_name is required")
	}
	inst := model.NewInstance(cls, a.str("namespace"))
	inst.ResourceURI = a.str("resource_uri")
	for _, p := range tableToProperties(L, c.who, a.table("property")) {
		inst.Set(p.Name, p.Value)
	}
	for _, k := range a.strings("key") {
		if inst.Index(k) < 0 {
			a.raise("key %s is not among the properties", model.Quote(k))
		}
		inst.SetKeyAt(inst.Index(k), true)
	}
	return inst
}

// opNewInstance is new_instance: client_only builds an instance without
// a server; with a session it creates one there.
func (m *Module) opNewInstance(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "new_instance", self, 0)
	a := c.a
	inst := c.buildInstance(L)
	if a.boolean("client_only") {
		if self != nil || a.has("cim_session") || a.has("computer_name") {
			a.raise("client_only cannot be combined with a session")
		}
		L.Push(m.newInstance(inst, nil))
		return 1
	}
	if self == nil && !a.has("cim_session") && !a.has("computer_name") {
		a.raise("give client_only=true to build the instance locally, or cim_session= (or computer_name=) to create it on a server")
	}
	opts := c.options()
	t := m.resolveTarget(a, self)
	return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		out, err := s.NewInstance(ctx, inst.Clone(), opts)
		return opResult{items: []any{out}, single: true}, err
	})
}

// inputObject is the instance an operation works on: positional
// (s:remove_instance(inst)) or input_object=; required.
func (c *call) inputObject(L *lua.LState) *instanceUD {
	if len(c.pos) > 0 {
		if c.a.has("input_object") {
			L.RaiseError("%s: give the instance once (positionally or as input_object=)", c.who)
		}
		in := toInstance(c.pos[0])
		if in == nil {
			L.RaiseError("%s: want an instance, got %s", c.who, luaTypeName(c.pos[0]))
		}
		return in
	}
	in := c.a.instance("input_object")
	if in == nil {
		c.a.raise("input_object is required")
	}
	return in
}

// opSetInstance is set_instance{input_object=, property=}.
func (m *Module) opSetInstance(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "set_instance", self, 1)
	a := c.a
	in := c.inputObject(L)
	if t := a.table("property"); t != nil {
		ud := L.NewUserData()
		ud.Value = in
		ud.Metatable = L.GetTypeMetatable(mtInstance)
		for _, k := range sortedKeys(t) {
			L.SetField(ud, k, t.RawGetString(k))
		}
	}
	props := append([]string(nil), in.changed...)
	opts := c.options()
	t := m.resolveTarget(a, self)
	n := m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		out, err := s.SetInstance(ctx, in.inst.Clone(), props, opts)
		return opResult{items: []any{out}, single: true}, err
	})
	if !t.fanout && n == 1 {
		if out := toInstance(L.Get(-1)); out != nil {
			*in.inst = *out.inst.Clone()
			in.changed = nil
		}
	}
	return n
}

// opRemoveInstance is remove_instance(inst) or {input_object=}.
func (m *Module) opRemoveInstance(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "remove_instance", self, 1)
	a := c.a
	in := c.inputObject(L)
	opts := c.options()
	t := m.resolveTarget(a, self)
	return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		return opResult{none: true}, s.RemoveInstance(ctx, in.inst, opts)
	})
}

// opAssociated is get_associated_instance{input_object=, ...}.
func (m *Module) opAssociated(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "get_associated_instance", self, 1)
	a := c.a
	in := c.inputObject(L)
	q := cim.AssociatedQuery{Options: c.options(), Input: in.inst, Association: a.str("association"),
		ResultClassName: a.str("result_class_name"), Role: a.str("role"), ResultRole: a.str("result_role"), KeyOnly: a.boolean("key_only"),
		MaxInstances: c.maxInstances()}
	t := m.resolveTarget(a, self)
	return m.run(L, t, listOp(func(ctx context.Context, s *cim.Session) ([]*model.Instance, error) {
		return s.GetAssociatedInstances(ctx, q)
	}))
}

// opTest is s:test() and cim.test_wsman{...}: the server's identity with
// the fields named as the server names them.
func (m *Module) opTest(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "test_wsman", self, 0)
	if self != nil {
		c.who, c.a.who = "s:test", "s:test"
	}
	t := m.resolveTarget(c.a, self)
	return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		id, err := s.Test(ctx)
		if err != nil {
			return opResult{}, err
		}
		inst := model.NewInstance("IdentifyResponse", "")
		if s.Protocol() == "DCOM" {
			inst.Set("Protocol", model.String("DCOM"))
		}
		inst.Set("ProtocolVersion", model.String(id.ProtocolVersion))
		inst.Set("ProductVendor", model.String(id.ProductVendor))
		inst.Set("ProductVersion", model.String(id.ProductVersion))
		if len(id.SecurityProfiles) > 0 {
			var e []model.Value
			for _, p := range id.SecurityProfiles {
				e = append(e, model.String(p))
			}
			inst.Set("SecurityProfiles", model.Array(model.TypeString, e))
		}
		inst.ComputerName = s.ComputerName()
		return opResult{items: []any{inst}, single: true}, nil
	})
}
