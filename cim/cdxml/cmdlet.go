package cdxml

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Module is a compiled CDXML module: the cmdlets of its documents.
type Module struct {
	Name    string   // the folder's or the file's name, without extension
	Files   []string // the documents, as named in messages
	Cmdlets []*Cmdlet
	Enums   map[string]*EnumType // by lower-case name
}

// Cmdlet returns the cmdlet with a PowerShell name, snake_case name or
// alias (PowerShell names case-insensitively).
func (m *Module) Cmdlet(name string) *Cmdlet {
	for _, c := range m.Cmdlets {
		if strings.EqualFold(c.Name, name) || c.Snake == name {
			return c
		}
		for _, a := range c.Aliases {
			if strings.EqualFold(a, name) {
				return c
			}
		}
	}
	return nil
}

// CmdletKind is what a cmdlet does.
type CmdletKind int

// The kinds of cmdlets.
const (
	CmdletGet      CmdletKind = iota // the Get cmdlet: query and return instances
	CmdletInstance                   // invoke a method on each selected instance
	CmdletStatic                     // invoke a static method
)

// Cmdlet is one cmdlet of a module, with its parameters resolved.
type Cmdlet struct {
	Name    string // Verb-Noun
	Snake   string // get_net_ip_address
	Aliases []string
	Kind    CmdletKind
	File    string // the document that defines it
	Line    int

	Namespace string // "" means root/cimv2
	ClassName string

	ConfirmImpact string // "" when the cmdlet changes nothing (no what_if)
	HelpURI       string
	Obsolete      *Obsolete

	// Params are the cmdlet's parameters: query parameters first, then
	// the method's, then input_object, pass_thru and what_if.
	Params []*Param
	// Sets are the parameter sets in the order they are defined; nil
	// when the cmdlet has a single unnamed one. DefaultSet is used when
	// the arguments fit several.
	Sets       []string
	DefaultSet string

	// Method is an instance cmdlet's method; Methods a static cmdlet's,
	// by parameter set (in Sets order).
	Method  *Method
	Methods []*Method

	// ComputerNameParam is set when the cmdlet has a parameter spelled
	// computer_name of its own (then cimsh's computer_name option is not
	// offered).
	ComputerNameParam bool

	query    *GetCmdletParameters         // the query parameters it uses (nil: none)
	defaults map[*MethodParam]model.Value // the methods' DefaultValues, typed
	byKey    map[string]*Param            // exact spellings
	byPS     map[string]*Param            // PowerShell spellings, lower case
}

// ParamRole is what a parameter does.
type ParamRole int

// The parameter roles.
const (
	RoleRegular     ParamRole = iota // RegularQuery: property = one of the values
	RoleExclude                      // ExcludeQuery: property = none of the values
	RoleMin                          // MinValueQuery: property >= value
	RoleMax                          // MaxValueQuery: property <= value
	RoleAssociation                  // QueryableAssociations: instances associated with the value
	RoleOption                       // QueryOptions: an operation option of the query
	RoleMethod                       // an in parameter of the method
	RoleInputObject                  // input_object: the instances to act on
	RolePassThru                     // pass_thru: return the instances acted on
	RoleWhatIf                       // what_if: say what would be done, do nothing
)

// Param is one parameter of a cmdlet.
type Param struct {
	Name    string // PowerShell spelling (PSName)
	Snake   string
	Aliases []string
	Role    ParamRole
	Type    Type
	Meta    ParamMeta // validation; zero when the file gives none
	// Sets are the parameter sets the parameter belongs to; nil means
	// every set.
	Sets      []string
	Position  int // -1: named only
	Mandatory bool
	// Wildcards: string values are PowerShell wildcard patterns
	// (RegularQuery and ExcludeQuery with AllowGlobbing).
	Wildcards bool
	// Property is the property a query filters on, or the option's name.
	Property string
	// ErrorOnNoMatch is the file's attribute, nil when absent.
	ErrorOnNoMatch *bool
	Assoc          *Association
	// MethodParams are the method parameters it feeds, by parameter set
	// ("" for an instance cmdlet's method).
	MethodParams map[string]*MethodParam
	Line         int
}

// InSet reports whether the parameter belongs to a set.
func (p *Param) InSet(set string) bool {
	if p.Sets == nil || set == "" {
		return true
	}
	for _, s := range p.Sets {
		if strings.EqualFold(s, set) {
			return true
		}
	}
	return false
}

// Spellings lists the names the parameter answers to: its PowerShell
// name and snake_case, then its aliases and theirs.
func (p *Param) Spellings() []string {
	var out []string
	add := func(s string) {
		for _, o := range out {
			if o == s {
				return
			}
		}
		out = append(out, s)
	}
	add(p.Snake)
	add(p.Name)
	for _, a := range p.Aliases {
		add(SnakeCase(a))
		add(a)
	}
	return out
}

// Lookup finds a parameter by any of its spellings: snake_case exactly,
// PowerShell names and aliases in any case.
func (c *Cmdlet) Lookup(key string) *Param {
	if p, ok := c.byKey[key]; ok {
		return p
	}
	return c.byPS[strings.ToLower(key)]
}

// Names lists every spelling of every parameter (completion).
func (c *Cmdlet) Names() []string {
	var out []string
	for _, p := range c.Params {
		out = append(out, p.Spellings()...)
	}
	return out
}

// Reserved parameter names: the CIM adapter's common parameters and
// cimsh's own options, which a CDXML parameter may not take.
var reservedNames = map[string]string{
	"cim_session": "CimSession", "throttle_limit": "ThrottleLimit", "as_job": "AsJob",
}

// Special parameter set names, as PowerShell names them.
const (
	setInputObject = "InputObject (cdxml)"
	setQuery       = "Query (cdxml)"
)

// Compile turns parsed documents into a module. Two cmdlets with the same
// name (or snake_case name), parameters that clash, and types that name
// no enum of the module are errors naming the file and line.
func Compile(name string, docs []*Document) (*Module, error) {
	enums, err := compileEnums(docs)
	if err != nil {
		return nil, err
	}
	m := &Module{Name: name, Enums: enums}
	byName := map[string]*Cmdlet{}
	for _, d := range docs {
		m.Files = append(m.Files, d.File)
		cmdlets, err := compileDocument(d, enums)
		if err != nil {
			return nil, err
		}
		for _, c := range cmdlets {
			for _, key := range []string{strings.ToLower(c.Name), c.Snake} {
				if old, ok := byName[key]; ok {
					what := "is defined twice"
					if !strings.EqualFold(old.Name, c.Name) {
						what = fmt.Sprintf("and %s are both %s in snake_case", old.Name, c.Snake)
					}
					return nil, &ParseError{File: c.File, Line: c.Line,
						Msg: fmt.Sprintf("cmdlet %s %s (first at %s:%d)", c.Name, what, old.File, old.Line)}
				}
				byName[key] = c
			}
			m.Cmdlets = append(m.Cmdlets, c)
		}
	}
	// Aliases only where they name nothing else.
	for _, c := range m.Cmdlets {
		var keep []string
		for _, a := range c.Aliases {
			if _, taken := byName[strings.ToLower(a)]; !taken {
				byName[strings.ToLower(a)] = c
				keep = append(keep, a)
			}
		}
		c.Aliases = keep
	}
	return m, nil
}

// compileDocument makes the cmdlets of one document.
func compileDocument(d *Document, enums map[string]*EnumType) ([]*Cmdlet, error) {
	cl := d.Class
	var out []*Cmdlet
	base := func(meta *CmdletMeta, kind CmdletKind, line int) *Cmdlet {
		noun := meta.Noun
		if noun == "" {
			noun = cl.DefaultNoun
		}
		c := &Cmdlet{Name: meta.Verb + "-" + noun, Aliases: meta.Aliases, Kind: kind, File: d.File, Line: line,
			Namespace: cl.Namespace, ClassName: cl.Name, HelpURI: meta.HelpURI, Obsolete: meta.Obsolete}
		c.Snake = SnakeCase(c.Name)
		if kind != CmdletGet && meta.ConfirmImpact != "" && meta.ConfirmImpact != "None" {
			c.ConfirmImpact = meta.ConfirmImpact
		}
		return c
	}
	if ic := cl.Instance; ic != nil {
		meta := &CmdletMeta{Verb: "Get", Line: ic.Line}
		line := ic.Line
		q := ic.GetParams
		if g := ic.GetCmdlet; g != nil {
			meta, line = g.Meta, g.Line
			if g.GetParams != nil {
				q = g.GetParams
			}
		}
		c := base(meta, CmdletGet, line)
		if err := c.addQuery(q, enums, false); err != nil {
			return nil, err
		}
		if err := c.index(); err != nil {
			return nil, err
		}
		out = append(out, c)
		for _, ce := range ic.Cmdlets {
			c := base(ce.Meta, CmdletInstance, ce.Line)
			c.Method = ce.Method
			q := ic.GetParams
			if ce.GetParams != nil {
				q = ce.GetParams
			}
			if err := c.addQuery(q, enums, true); err != nil {
				return nil, err
			}
			if err := c.addInstanceMethod(ce.Method, enums); err != nil {
				return nil, err
			}
			if err := c.index(); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	for _, sc := range cl.Static {
		c := base(sc.Meta, CmdletStatic, sc.Line)
		if err := c.addStaticMethods(sc, enums); err != nil {
			return nil, err
		}
		if err := c.index(); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (c *Cmdlet) errorf(line int, format string, args ...any) error {
	return &ParseError{File: c.File, Line: line, Msg: c.Name + ": " + fmt.Sprintf(format, args...)}
}

// newParam makes a parameter from its metadata; name is the property,
// option or method parameter name it defaults to.
func newParam(name string, role ParamRole, t Type, meta *ParamMeta, line int) *Param {
	p := &Param{Name: name, Role: role, Type: t, Position: -1, Line: line}
	if meta != nil {
		p.Meta = *meta
		if meta.PSName != "" {
			p.Name = meta.PSName
		}
		p.Aliases = meta.Aliases
		p.Mandatory = meta.IsMandatory
		if meta.Position != nil {
			p.Position = *meta.Position
		}
		p.ErrorOnNoMatch = meta.ErrorOnNoMatch
		p.Line = meta.Line
	}
	p.Snake = SnakeCase(p.Name)
	return p
}

// addQuery adds the query parameters and their parameter sets (and, for
// an instance cmdlet, input_object).
func (c *Cmdlet) addQuery(q *GetCmdletParameters, enums map[string]*EnumType, instance bool) error {
	c.query = q
	var query []*Param
	var named []string // parameter sets named by the query parameters
	addSets := func(meta *ParamMeta) {
		if meta == nil {
			return
		}
		for _, s := range meta.ParameterSets {
			if !containsFold(named, s) && !strings.EqualFold(s, setInputObject) {
				named = append(named, s)
			}
		}
	}
	if q != nil {
		for _, prop := range q.Properties {
			for _, pq := range prop.Queries {
				t := resolveType(prop.Type, enums)
				p := newParam(prop.Name, ParamRole(pq.Kind), t, pq.Meta, pq.Line)
				p.Property = prop.Name
				if pq.Kind == RegularQuery || pq.Kind == ExcludeQuery {
					p.Type.Array = true
					if pq.AllowGlobbing != nil {
						p.Wildcards = *pq.AllowGlobbing
					} else {
						p.Wildcards = t.Kind == KindValue && t.CIM == model.TypeString && !t.Array
					}
				}
				if pq.Meta != nil {
					p.Sets = pq.Meta.ParameterSets
				}
				addSets(pq.Meta)
				query = append(query, p)
			}
		}
		for _, a := range q.Associations {
			p := newParam(a.SourceRole, RoleAssociation, resolveType(a.Type, enums), a.Meta, a.Line)
			p.Assoc = a
			if a.Meta != nil {
				p.Sets = a.Meta.ParameterSets
			}
			addSets(a.Meta)
			query = append(query, p)
		}
		for _, o := range q.Options {
			p := newParam(o.Name, RoleOption, resolveType(o.Type, enums), o.Meta, o.Line)
			p.Property = o.Name
			if o.Meta != nil {
				p.Sets = o.Meta.ParameterSets
			}
			addSets(o.Meta)
			query = append(query, p)
		}
	}
	if len(query) > 0 && len(named) == 0 {
		named = []string{setQuery}
	}
	c.Sets = append(c.Sets, named...)
	if q != nil && q.DefaultSet != "" {
		c.DefaultSet = q.DefaultSet
		if !containsFold(named, q.DefaultSet) {
			return c.errorf(q.Line, "DefaultCmdletParameterSet %q is not a parameter set of the query parameters", clip(q.DefaultSet))
		}
	} else if len(named) == 1 {
		c.DefaultSet = named[0]
	}
	for _, p := range query {
		if p.Sets == nil && len(named) > 0 {
			p.Sets = named // every query set, never input_object's
		}
		for _, s := range p.Sets {
			if strings.EqualFold(s, setInputObject) {
				return c.errorf(p.Line, "parameter %s names the reserved parameter set %q", p.Name, setInputObject)
			}
		}
		if err := c.checkType(p); err != nil {
			return err
		}
	}
	c.Params = append(c.Params, query...)
	if instance {
		c.Sets = append(c.Sets, setInputObject)
		in := &Param{Name: "InputObject", Snake: "input_object", Role: RoleInputObject, Position: -1,
			Type: Type{PSType: "CimInstance[]", Kind: KindInstance, Array: true, Class: c.ClassName},
			Sets: []string{setInputObject}, Mandatory: len(query) > 0}
		c.Params = append(c.Params, in)
	}
	return nil
}

// checkType refuses a parameter whose type names something cimsh cannot
// give: an enum-like name that is no enum of the module is still passed
// as given (KindAny), but an association must take an instance.
func (c *Cmdlet) checkType(p *Param) error {
	if p.Role == RoleAssociation && p.Type.Kind != KindInstance && p.Type.Kind != KindAny {
		return c.errorf(p.Line, "association parameter %s has type %s, not an instance", p.Name, p.Type.PSType)
	}
	return nil
}

// addDefaults converts a method's DefaultValues to their parameters'
// types; one that does not convert is an error in the file.
func (c *Cmdlet) addDefaults(m *Method, enums map[string]*EnumType) error {
	for _, mp := range m.Params {
		if mp.Default == nil {
			continue
		}
		p := &Param{Name: mp.Name, Snake: SnakeCase(mp.Name), Type: resolveType(mp.Type, enums)}
		v, err := convertArg(p, model.String(*mp.Default), false)
		if err != nil {
			return c.errorf(mp.Line, "DefaultValue %q of %s: %s", clip(*mp.Default), mp.Name, errText(err))
		}
		if c.defaults == nil {
			c.defaults = map[*MethodParam]model.Value{}
		}
		c.defaults[mp] = v
	}
	return nil
}

// addInstanceMethod adds an instance method's parameters, pass_thru and
// what_if.
func (c *Cmdlet) addInstanceMethod(m *Method, enums map[string]*EnumType) error {
	if err := c.addDefaults(m, enums); err != nil {
		return err
	}
	outputs := false
	for _, mp := range m.Params {
		if mp.Output != nil && !mp.Output.ErrorCode {
			outputs = true
		}
		if mp.Meta == nil {
			continue
		}
		p := newParam(mp.Name, RoleMethod, resolveType(mp.Type, enums), mp.Meta, mp.Line)
		p.MethodParams = map[string]*MethodParam{"": mp}
		c.Params = append(c.Params, p)
	}
	if r := m.Return; r != nil && r.Output != nil && !r.Output.ErrorCode {
		outputs = true
	}
	if !outputs {
		c.Params = append(c.Params, &Param{Name: "PassThru", Snake: "pass_thru", Role: RolePassThru, Position: -1,
			Type: Type{PSType: "switch", Kind: KindSwitch}})
	}
	c.addWhatIf()
	return nil
}

func (c *Cmdlet) addWhatIf() {
	if c.ConfirmImpact != "" {
		c.Params = append(c.Params, &Param{Name: "WhatIf", Snake: "what_if", Role: RoleWhatIf, Position: -1,
			Type: Type{PSType: "switch", Kind: KindSwitch}})
	}
}

// addStaticMethods adds each method's parameters in its parameter set; a
// parameter several methods share is one parameter in several sets.
func (c *Cmdlet) addStaticMethods(sc *StaticCmdlet, enums map[string]*EnumType) error {
	names := map[string]int{}
	for _, m := range sc.Methods {
		names[strings.ToLower(m.Name)]++
	}
	byName := map[string]*Param{}
	for i, m := range sc.Methods {
		set := m.ParameterSet
		if set == "" {
			// PowerShell numbers the generated set names; the method's
			// name reads better when it is unique.
			set = m.Name
			if names[strings.ToLower(m.Name)] > 1 {
				set = fmt.Sprintf("%s%d", m.Name, i)
			}
		}
		if containsFold(c.Sets, set) {
			return c.errorf(m.Line, "two methods make the parameter set %q", clip(set))
		}
		if err := c.addDefaults(m, enums); err != nil {
			return err
		}
		c.Sets = append(c.Sets, set)
		c.Methods = append(c.Methods, m)
		for _, mp := range m.Params {
			if mp.Meta == nil {
				continue
			}
			p := newParam(mp.Name, RoleMethod, resolveType(mp.Type, enums), mp.Meta, mp.Line)
			if old, ok := byName[strings.ToLower(p.Name)]; ok {
				if old.MethodParams[strings.ToLower(set)] != nil {
					return c.errorf(mp.Line, "parameter %s appears twice in method %s", p.Name, m.Name)
				}
				old.Sets = append(old.Sets, set)
				old.MethodParams[strings.ToLower(set)] = mp
				if p.Mandatory {
					old.Mandatory = true // see mandatoryIn
				}
				continue
			}
			p.Sets = []string{set}
			p.MethodParams = map[string]*MethodParam{strings.ToLower(set): mp}
			byName[strings.ToLower(p.Name)] = p
			c.Params = append(c.Params, p)
		}
	}
	if len(c.Sets) == 1 {
		c.DefaultSet = c.Sets[0]
	}
	if sc.Meta.DefaultSet != "" {
		c.DefaultSet = sc.Meta.DefaultSet
	}
	if len(c.Sets) == 1 && len(sc.Methods) == 1 && sc.Methods[0].ParameterSet == "" {
		// One method: no parameter sets to speak of.
		for _, p := range c.Params {
			p.Sets = nil
		}
		c.Sets = nil
		c.DefaultSet = ""
		for _, p := range c.Params {
			for k, mp := range p.MethodParams {
				delete(p.MethodParams, k)
				p.MethodParams[""] = mp
			}
		}
	}
	c.addWhatIf()
	return nil
}

// Static method of a parameter set.
func (c *Cmdlet) staticMethod(set string) *Method {
	if c.Sets == nil {
		return c.Methods[0]
	}
	for i, s := range c.Sets {
		if strings.EqualFold(s, set) {
			return c.Methods[i]
		}
	}
	return nil
}

// mandatoryIn reports whether a parameter is mandatory in a set: a static
// cmdlet's parameter is mandatory where its method says so.
func (p *Param) mandatoryIn(set string) bool {
	if !p.InSet(set) {
		return false
	}
	if len(p.MethodParams) > 1 {
		mp := p.MethodParams[strings.ToLower(set)]
		return mp != nil && mp.Meta != nil && mp.Meta.IsMandatory
	}
	return p.Mandatory
}

// index builds the name lookup and refuses clashes.
func (c *Cmdlet) index() error {
	c.byKey = map[string]*Param{}
	c.byPS = map[string]*Param{}
	for _, p := range c.Params {
		if p.Role < RoleInputObject {
			if ps, ok := reservedNames[p.Snake]; ok {
				return c.errorf(p.Line, "parameter %s clashes with the common parameter %s", p.Name, ps)
			}
			if p.Snake == "computer_name" {
				c.ComputerNameParam = true
			}
		}
		for _, s := range p.Spellings() {
			if old, ok := c.byKey[s]; ok && old != p {
				return c.errorf(p.Line, "parameters %s and %s both answer to %s", old.Name, p.Name, s)
			}
			c.byKey[s] = p
		}
		for _, s := range append([]string{p.Name}, p.Aliases...) {
			l := strings.ToLower(s)
			if old, ok := c.byPS[l]; ok && old != p {
				return c.errorf(p.Line, "parameters %s and %s both answer to %s", old.Name, p.Name, s)
			}
			if old, ok := c.byKey[SnakeCase(s)]; ok && old != p {
				return c.errorf(p.Line, "parameters %s and %s both answer to %s", old.Name, p.Name, SnakeCase(s))
			}
			c.byPS[l] = p
		}
	}
	return nil
}

// setsOf lists the sets a parameter belongs to, for messages.
func (c *Cmdlet) setsOf(p *Param) []string {
	if p.Sets == nil {
		return c.Sets
	}
	return p.Sets
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// sortedParams returns params ordered by position (named ones last),
// keeping declaration order among equals.
func sortedParams(ps []*Param) []*Param {
	out := append([]*Param(nil), ps...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Position, out[j].Position
		if a < 0 {
			return false
		}
		return b < 0 || a < b
	})
	return out
}
