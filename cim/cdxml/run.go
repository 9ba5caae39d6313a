package cdxml

import (
	"context"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
)

// Result is what a call did on one session.
type Result struct {
	// Items are the instances a Get cmdlet selected, the instances acted
	// on (pass_thru, and the instance cim:CreateInstance made), or the
	// method's outputs (ReturnValue and out parameters, one per instance
	// acted on, in order).
	Items []*model.Instance
	// WhatIf says what the call would have done (what_if): one line per
	// action, nothing done.
	WhatIf []string
}

// The intrinsic methods.
const (
	methodCreate = "cim:createinstance"
	methodModify = "cim:modifyinstance"
	methodDelete = "cim:deleteinstance"
	// optionPrefix marks a method parameter that is an operation option.
	optionPrefix = "cim:operationoption:"
)

// Run runs the call on a session: the query (or input_object), then, per
// cmdlet, nothing more, the method on each selected instance, or the
// static method. A failure is the operation's *model.Fault; values that
// matched nothing, where ErrorOnNoMatch asks, are a CIM_ERR_NOT_FOUND
// fault, and an instance cmdlet then acts on nothing.
func (c *Call) Run(ctx context.Context, s *cim.Session) (*Result, error) {
	var (
		res *Result
		err error
	)
	switch c.Cmdlet.Kind {
	case CmdletGet:
		var items []*model.Instance
		if items, err = c.query(ctx, s); err == nil {
			res = &Result{Items: items}
		}
	case CmdletInstance:
		res, err = c.runInstance(ctx, s)
	default:
		res, err = c.runStatic(ctx, s)
	}
	if err != nil {
		return nil, stampHost(err, s)
	}
	return res, nil
}

// stampHost names the session's computer in a fault of the cmdlet's own
// (ErrorOnNoMatch, error codes), as the session names it in its faults.
func stampHost(err error, s *cim.Session) error {
	f, ok := model.AsFault(err)
	if !ok || f.ComputerName != "" {
		return err
	}
	fc := *f
	fc.ComputerName = s.ComputerName()
	if s.IsLocal() {
		fc.ComputerName = "localhost"
	}
	return &fc
}

// Query returns the WQL query the call sends ("" when it enumerates the
// class or an association).
func (c *Call) Query() (string, error) {
	sel, err := c.selection()
	if err != nil {
		return "", err
	}
	return sel.WQL(), nil
}

// query runs the selection and filters the results.
func (c *Call) query(ctx context.Context, s *cim.Session) ([]*model.Instance, error) {
	sel, err := c.selection()
	if err != nil {
		return nil, err
	}
	if len(sel.options) > 0 && s.Protocol() == "DCOM" {
		var names []string
		for _, o := range sel.options {
			names = append(names, o.Name)
		}
		return nil, model.NewFault(model.CIMNotSupported, "%s: query options (%s) are sent over WS-Man only, not DCOM", c.Cmdlet.Name, strings.Join(names, ", "))
	}
	ns := c.Cmdlet.Namespace
	var list []*model.Instance
	target := ""
	if a := sel.assoc; a != nil {
		target = a.inst.String()
		list, err = s.GetAssociatedInstances(ctx, cim.AssociatedQuery{
			Options: cim.Options{Namespace: ns, CustomOptions: sel.options},
			Input:   a.inst, Association: a.param.Assoc.Association, ResultClassName: c.Cmdlet.ClassName,
			Role: a.param.Assoc.SourceRole, ResultRole: a.param.Assoc.ResultRole,
		})
	} else {
		q := cim.InstanceQuery{Namespace: ns, ClassName: c.Cmdlet.ClassName, Options: sel.options}
		if w := sel.WQL(); w != "" {
			q = cim.InstanceQuery{Namespace: ns, Query: w, QueryDialect: "WQL", Options: sel.options}
		}
		list, err = s.GetInstances(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, inst := range list {
		if sel.keep(inst) {
			out = append(out, inst)
		}
	}
	if err := sel.notFound(len(out), target); err != nil {
		return nil, err
	}
	return out, nil
}

// runInstance acts on each instance the query (or input_object) selects.
func (c *Call) runInstance(ctx context.Context, s *cim.Session) (*Result, error) {
	var targets []*model.Instance
	if c.Set == setInputObject || len(c.Inputs) > 0 {
		for _, in := range c.Inputs {
			t := in.Clone()
			if t.Namespace == "" {
				t.Namespace = c.Cmdlet.Namespace
			}
			targets = append(targets, t)
		}
	} else {
		var err error
		targets, err = c.query(ctx, s)
		if err != nil {
			return nil, err
		}
	}
	m := c.Cmdlet.Method
	res := &Result{}
	if c.WhatIf {
		for _, t := range targets {
			res.WhatIf = append(res.WhatIf, c.whatIf(t.String(), m, s))
		}
		return res, nil
	}
	var (
		first    error
		done     int
		failures int
	)
	for _, t := range targets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, err := c.act(ctx, s, m, t)
		if err != nil {
			failures++
			if first == nil {
				first = annotate(err, t.String()+": ", "")
			}
			continue
		}
		done++
		if out != nil {
			res.Items = append(res.Items, out)
		}
	}
	if first != nil {
		note := ""
		if len(targets) > 1 {
			note = fmt.Sprintf(" (%d of the %d selected instances done, %d failed)", done, len(targets), failures)
		}
		return nil, annotate(first, "", note)
	}
	return res, nil
}

// act runs the method on one instance and returns what the cmdlet
// outputs for it (nil for nothing).
func (c *Call) act(ctx context.Context, s *cim.Session, m *Method, t *model.Instance) (*model.Instance, error) {
	args, opts := c.methodArgs(m, "", s)
	o := cim.Options{Namespace: t.Namespace, CustomOptions: opts}
	switch strings.ToLower(m.Name) {
	case methodDelete:
		if err := s.RemoveInstance(ctx, t, o); err != nil {
			return nil, err
		}
		if c.PassThru {
			return t, nil
		}
		return nil, nil
	case methodModify:
		inst := t.Clone()
		var props []string
		for _, a := range args {
			inst.Set(a.Name, a.Value)
			props = append(props, a.Name)
		}
		out, err := s.SetInstance(ctx, inst, props, o)
		if err != nil {
			return nil, err
		}
		if c.PassThru {
			if out == nil {
				out = inst
			}
			return out, nil
		}
		return nil, nil
	case methodCreate:
		return nil, model.NewFault(model.CIMNotSupported, "%s: cim:CreateInstance is a static method, not one of an instance", c.Cmdlet.Name)
	}
	args = referenceArgs(ctx, s, t.Namespace, t.ClassName, m.Name, args)
	out, err := s.InvokeMethod(ctx, cim.MethodCall{Options: o, Input: t, Method: m.Name, Arguments: args})
	if err != nil {
		return nil, err
	}
	if err := c.checkErrorCode(m, out); err != nil {
		return nil, err
	}
	if c.PassThru {
		return t, nil
	}
	return c.mapOutput(m, out), nil
}

// runStatic calls the static method of the call's parameter set.
func (c *Call) runStatic(ctx context.Context, s *cim.Session) (*Result, error) {
	m := c.Cmdlet.staticMethod(c.Set)
	if m == nil {
		return nil, fmt.Errorf("cdxml: %s has no method for parameter set %q", c.Cmdlet.Name, c.Set)
	}
	args, opts := c.methodArgs(m, c.Set, s)
	ns := c.Cmdlet.Namespace
	res := &Result{}
	if c.WhatIf {
		target := c.Cmdlet.ClassName
		if len(args) > 0 {
			var parts []string
			for _, a := range args {
				parts = append(parts, a.Name+" = "+shown(a.Value))
			}
			target += " with " + strings.Join(parts, ", ")
		}
		res.WhatIf = append(res.WhatIf, c.whatIf(target, m, s))
		return res, nil
	}
	o := cim.Options{Namespace: ns, CustomOptions: opts}
	switch strings.ToLower(m.Name) {
	case methodCreate:
		inst := model.NewInstance(c.Cmdlet.ClassName, ns)
		for _, a := range args {
			inst.Set(a.Name, a.Value)
		}
		out, err := s.NewInstance(ctx, inst, o)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = inst
		}
		res.Items = []*model.Instance{out}
		return res, nil
	case methodModify, methodDelete:
		return nil, model.NewFault(model.CIMNotSupported, "%s: %s acts on an instance; a static cmdlet has none", c.Cmdlet.Name, m.Name)
	}
	args = referenceArgs(ctx, s, ns, c.Cmdlet.ClassName, m.Name, args)
	out, err := s.InvokeMethod(ctx, cim.MethodCall{Options: o, ClassName: c.Cmdlet.ClassName, Method: m.Name, Arguments: args})
	if err != nil {
		return nil, err
	}
	if err := c.checkErrorCode(m, out); err != nil {
		return nil, err
	}
	res.Items = []*model.Instance{c.mapOutput(m, out)}
	return res, nil
}

// whatIf says what the call would do to a target.
func (c *Call) whatIf(target string, m *Method, s *cim.Session) string {
	host := s.ComputerName()
	if s.IsLocal() {
		host = "localhost"
	}
	return fmt.Sprintf("What if: Performing the operation %q (%s) on target %q on %s.", c.Cmdlet.Name, m.Name, target, host)
}

// methodArgs collects a method's in parameters: the values given, else
// the parameters' DefaultValue. Parameters named cim:operationOption:X
// are operation options instead. Over DCOM, which cimsh cannot send
// options over, an option the user did not give (a DefaultValue) is left
// out.
func (c *Call) methodArgs(m *Method, set string, s *cim.Session) (args, opts []model.Property) {
	byMethodParam := map[*MethodParam]*Param{}
	for _, p := range c.Cmdlet.Params {
		for _, mp := range p.MethodParams {
			byMethodParam[mp] = p
		}
	}
	for _, mp := range m.Params {
		var (
			v     model.Value
			have  bool
			given bool
		)
		if p := byMethodParam[mp]; p != nil {
			v, given = c.Values[p]
			have = given
		}
		if !have {
			v, have = c.Cmdlet.defaults[mp]
		}
		if !have {
			continue
		}
		if strings.HasPrefix(strings.ToLower(mp.Name), optionPrefix) {
			if !given && s.Protocol() == "DCOM" {
				continue
			}
			opts = append(opts, model.Property{Name: mp.Name[len(optionPrefix):], Value: v})
			continue
		}
		args = append(args, model.Property{Name: mp.Name, Value: v})
	}
	return args, opts
}

// referenceArgs turns instances given for reference parameters into
// their paths, when the session has the method's schema.
func referenceArgs(ctx context.Context, s *cim.Session, ns, class, method string, args []model.Property) []model.Property {
	need := false
	for _, a := range args {
		if _, ok := a.Value.AsInstance(); ok {
			need = true
		}
	}
	if !need {
		return args
	}
	cls, err := s.GetClass(ctx, ns, class)
	if err != nil || cls == nil || cls.Method(method) == nil {
		return args
	}
	decl := cls.Method(method)
	out := make([]model.Property, len(args))
	for i, a := range args {
		out[i] = a
		prm := decl.Parameter(a.Name)
		if prm == nil || prm.Type != model.TypeReference {
			continue
		}
		if inst, ok := a.Value.AsInstance(); ok {
			out[i].Value = model.Ref(inst.Path())
		}
	}
	return out
}

// checkErrorCode fails a call whose output marked ErrorCode is not zero.
func (c *Call) checkErrorCode(m *Method, out *model.Instance) error {
	if out == nil {
		return nil
	}
	check := func(name string) error {
		v, ok := out.Get(name)
		if !ok || v.IsNull() {
			return nil
		}
		n := bigOf(v)
		if n.Sign() == 0 {
			return nil
		}
		f := &model.Fault{Category: model.CategoryFailed,
			CIMMessage: fmt.Sprintf("%s: method %s returned %s %s", c.Cmdlet.Name, m.Name, name, n)}
		if n.IsUint64() && n.Uint64() <= 0xFFFFFFFF {
			f.ErrorCode = uint32(n.Uint64())
		}
		return f
	}
	if r := m.Return; r != nil && r.Output != nil && r.Output.ErrorCode {
		if err := check("ReturnValue"); err != nil {
			return err
		}
	}
	for _, mp := range m.Params {
		if mp.Output != nil && mp.Output.ErrorCode {
			if err := check(mp.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// mapOutput renames the outputs CmdletOutputMetadata gives a PSName.
func (c *Call) mapOutput(m *Method, out *model.Instance) *model.Instance {
	if out == nil {
		return nil
	}
	rename := map[string]string{}
	if r := m.Return; r != nil && r.Output != nil && r.Output.PSName != "" {
		rename["returnvalue"] = r.Output.PSName
	}
	for _, mp := range m.Params {
		if mp.Output != nil && mp.Output.PSName != "" {
			rename[strings.ToLower(mp.Name)] = mp.Output.PSName
		}
	}
	if len(rename) == 0 {
		return out
	}
	o := out.Clone()
	for i := range o.All() {
		if n, ok := rename[strings.ToLower(o.NameAt(i))]; ok {
			o.Rename(i, n)
		}
	}
	return o
}

// annotate returns err with text before and after its message: a copy
// of its fault, since faults may be shared.
func annotate(err error, prefix, suffix string) error {
	f, ok := model.AsFault(err)
	if !ok {
		return fmt.Errorf("%s%w%s", prefix, err, suffix)
	}
	fc := *f
	fc.CIMMessage = prefix + f.Summary() + suffix
	return &fc
}
