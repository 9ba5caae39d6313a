package cdxml

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The adapters that mean "the default": PowerShell's CIM adapter, named
// with or without its assembly.
const cimAdapter = "Microsoft.PowerShell.Cmdletization.Cim.CimCmdletAdapter"

// Name patterns from the schema (cmdlets-over-objects.xsd), in Go's
// syntax: verbs are letters; nouns letters and digits; aliases also _
// and -; parameter names letters, digits and _. The schema's length
// bounds are counted apart from the regular expressions: Go's regexp
// expands a bounded repetition like {1,1000} into copies of its Unicode
// class, and compiling those took 24 ms and 20 MB at every start of
// cimsh, CDXML or not. They compile on first use, as most runs of cimsh
// read no CDXML.
var (
	reVerb      = pattern(`[\p{Ll}\p{Lu}\p{Lt}\p{Lo}\p{Lm}]+`, 100)
	reNoun      = pattern(`[\p{Ll}\p{Lu}\p{Lt}\p{Lo}\p{Lm}\p{Nd}]+`, 100)
	reAlias     = pattern(`[\p{Ll}\p{Lu}\p{Lt}\p{Lo}\p{Lm}\p{Nd}_-]+`, 100)
	reParamName = pattern(`[\p{Ll}\p{Lu}\p{Lt}\p{Lo}\p{Lm}\p{Nd}_]+`, 100)
	reParamSet  = pattern(`[^,;]+`, 100)
	reEnumValue = pattern(`[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}_][\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}\p{Nd}_]*`, 101)
	// Up to 11 dotted identifiers, each as an enum value name.
	reEnumName = dotted{part: reEnumValue, max: 11}
	reVersion  = pattern(`[12]?[0-9]{1,9}\.[12]?[0-9]{1,9}(\.[12]?[0-9]{1,9}(\.[12]?[0-9]{1,9})?)?`, 100)
	rePSType   = pattern(`[\p{Lu}\p{Ll}\p{Lt}\p{Lm}\p{Lo}\p{Nl}\p{Nd}_,= +&*\[\].\\\-"`+"`"+`]+`, 1000)
)

// A matcher checks a name against one of the schema's patterns.
type matcher interface{ MatchString(string) bool }

// namePattern is a whole-string regular expression and a maximum length
// in characters.
type namePattern struct {
	re  func() *regexp.Regexp
	max int
}

func pattern(expr string, max int) namePattern {
	return namePattern{
		re:  sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:` + expr + `)$`) }),
		max: max,
	}
}

func (n namePattern) MatchString(s string) bool {
	return utf8.RuneCountInString(s) <= n.max && n.re().MatchString(s)
}

// dotted matches up to max parts joined by dots, each matching part.
type dotted struct {
	part matcher
	max  int
}

func (d dotted) MatchString(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) > d.max {
		return false
	}
	for _, p := range parts {
		if !d.part.MatchString(p) {
			return false
		}
	}
	return true
}

// Parse reads one CDXML document. file names it in errors. A document
// that is not well-formed XML, breaks the schema, or names a CmdletAdapter
// other than the CIM one is refused with a *ParseError (an *AdapterError
// for the adapter) naming the file and the line.
func Parse(file string, data []byte) (*Document, error) {
	root, err := parseTree(file, data)
	if err != nil {
		return nil, err
	}
	p := &parser{file: file}
	doc := p.document(root)
	if p.err != nil {
		return nil, p.err
	}
	return doc, nil
}

// parser walks the tree, keeping the first error.
type parser struct {
	file string
	err  error
}

func (p *parser) failf(line int, format string, args ...any) {
	if p.err == nil {
		p.err = &ParseError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
}

// shape checks an element's attributes and children: attrs are the
// attributes it may have (those ending in "!" are required), kids the
// child elements it may have with their multiplicity ("" at most one, "!"
// exactly one, "+" one or more, "*" any number). It returns the children
// by name.
func (p *parser) shape(e *elem, attrs []string, kids map[string]string) map[string][]*elem {
	allowed := map[string]bool{}
	for _, a := range attrs {
		name := strings.TrimSuffix(a, "!")
		allowed[name] = true
		if strings.HasSuffix(a, "!") {
			if _, ok := e.attr(name); !ok {
				p.failf(e.line, "<%s> lacks the %s attribute", e.local, name)
			}
		}
	}
	for _, a := range e.attrs {
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
		case a.Name.Space == "http://www.w3.org/2001/XMLSchema-instance", a.Name.Space == "xml":
		case a.Name.Space == "" && allowed[a.Name.Local]:
		default:
			p.failf(e.line, "<%s> has an attribute %s the schema does not define", e.local, clip(a.Name.Local))
		}
	}
	out := map[string][]*elem{}
	for _, c := range e.children {
		if c.space != Namespace {
			p.failf(c.line, "<%s> is not in the CDXML namespace (%s)", clip(c.local), Namespace)
			continue
		}
		if _, ok := kids[c.local]; !ok {
			p.failf(c.line, "<%s> cannot hold <%s>", e.local, clip(c.local))
			continue
		}
		out[c.local] = append(out[c.local], c)
	}
	for name, mult := range kids {
		n := len(out[name])
		switch {
		case (mult == "!" || mult == "+") && n == 0:
			p.failf(e.line, "<%s> lacks <%s>", e.local, name)
		case (mult == "" || mult == "!") && n > 1:
			p.failf(out[name][1].line, "<%s> holds more than one <%s>", e.local, name)
		}
	}
	if len(e.children) > 0 || strings.TrimSpace(e.text.String()) == "" {
		return out
	}
	if _, textual := kids["#text"]; !textual {
		p.failf(e.line, "<%s> cannot hold text", e.local)
	}
	return out
}

// one returns the single child named name, or nil.
func one(kids map[string][]*elem, name string) *elem {
	if l := kids[name]; len(l) > 0 {
		return l[0]
	}
	return nil
}

// str returns an attribute, checking a required one is not empty.
func (p *parser) str(e *elem, name string) string {
	v, ok := e.attr(name)
	if ok && strings.TrimSpace(v) == "" {
		p.failf(e.line, "<%s %s> is empty", e.local, name)
	}
	return v
}

// matching returns an attribute that must match re when present.
func (p *parser) matching(e *elem, name string, re matcher, what string) string {
	v, ok := e.attr(name)
	if ok && !re.MatchString(v) {
		p.failf(e.line, "<%s %s=%q> is not a valid %s", e.local, name, clip(v), what)
	}
	return v
}

// boolean reads an xsd:boolean attribute; nil when absent.
func (p *parser) boolean(e *elem, name string) *bool {
	v, ok := e.attr(name)
	if !ok {
		return nil
	}
	var b bool
	switch strings.TrimSpace(v) {
	case "true", "1":
		b = true
	case "false", "0":
	default:
		p.failf(e.line, "<%s %s=%q> is not true or false", e.local, name, clip(v))
	}
	return &b
}

// list reads a whitespace-separated list attribute, each item checked.
func (p *parser) list(e *elem, name string, re matcher, what string) []string {
	v, ok := e.attr(name)
	if !ok {
		return nil
	}
	items := strings.Fields(v)
	if len(items) == 0 {
		p.failf(e.line, "<%s %s> is empty", e.local, name)
	}
	for _, it := range items {
		if !re.MatchString(it) {
			p.failf(e.line, "<%s %s>: %q is not a valid %s", e.local, name, clip(it), what)
		}
	}
	return items
}

func (p *parser) document(root *elem) *Document {
	doc := &Document{File: p.file}
	if root.local != "PowerShellMetadata" || root.space != Namespace {
		if root.local == "PowerShellMetadata" {
			p.failf(root.line, "<PowerShellMetadata> is not in the CDXML namespace %s", Namespace)
		} else {
			p.failf(root.line, "the root element is <%s>, not <PowerShellMetadata> (not a CDXML file)", clip(root.local))
		}
		return doc
	}
	kids := p.shape(root, nil, map[string]string{"Class": "!", "Enums": ""})
	if c := one(kids, "Class"); c != nil {
		doc.Class = p.class(c)
	}
	if e := one(kids, "Enums"); e != nil {
		doc.Enums = p.enums(e)
	}
	return doc
}

func (p *parser) class(e *elem) *Class {
	kids := p.shape(e, []string{"ClassName!", "ClassVersion", "CmdletAdapter"}, map[string]string{
		"Version": "!", "DefaultNoun": "!", "InstanceCmdlets": "", "StaticCmdlets": "", "CmdletAdapterPrivateData": "",
	})
	c := &Class{Line: e.line, ClassName: p.str(e, "ClassName"), ClassVersion: p.str(e, "ClassVersion")}
	c.CmdletAdapter = p.matching(e, "CmdletAdapter", rePSType, "type name")
	if a := strings.TrimSpace(c.CmdletAdapter); a != "" {
		name, _, _ := strings.Cut(a, ",")
		if !strings.EqualFold(strings.TrimSpace(name), cimAdapter) && p.err == nil {
			p.err = &AdapterError{ParseError: ParseError{File: p.file, Line: e.line,
				Msg: fmt.Sprintf("CmdletAdapter %q is not supported: only the default CIM adapter is (its cmdlets run .NET code)", clip(a))},
				Adapter: a}
		}
	}
	c.Namespace, c.Name = splitClassName(c.ClassName)
	if c.Name == "" && c.ClassName != "" {
		p.failf(e.line, "ClassName %q names no class", clip(c.ClassName))
	}
	if v := one(kids, "Version"); v != nil {
		p.shape(v, nil, map[string]string{"#text": ""})
		c.Version = strings.TrimSpace(v.text.String())
		if !reVersion.MatchString(c.Version) {
			p.failf(v.line, "<Version> %q is not a version (major.minor[.build[.revision]])", clip(c.Version))
		}
	}
	if n := one(kids, "DefaultNoun"); n != nil {
		p.shape(n, nil, map[string]string{"#text": ""})
		c.DefaultNoun = strings.TrimSpace(n.text.String())
		if !reNoun.MatchString(c.DefaultNoun) {
			p.failf(n.line, "<DefaultNoun> %q is not a valid noun (letters and digits)", clip(c.DefaultNoun))
		}
	}
	if ic := one(kids, "InstanceCmdlets"); ic != nil {
		c.Instance = p.instanceCmdlets(ic)
	}
	if sc := one(kids, "StaticCmdlets"); sc != nil {
		sk := p.shape(sc, nil, map[string]string{"Cmdlet": "+"})
		for _, ce := range sk["Cmdlet"] {
			c.Static = append(c.Static, p.staticCmdlet(ce))
		}
	}
	if pd := one(kids, "CmdletAdapterPrivateData"); pd != nil {
		pk := p.shape(pd, nil, map[string]string{"Data": "+"})
		seen := map[string]bool{}
		for _, d := range pk["Data"] {
			p.shape(d, []string{"Name!"}, map[string]string{"#text": ""})
			name := p.str(d, "Name")
			if seen[name] {
				p.failf(d.line, "<Data Name=%q> appears twice", clip(name))
			}
			seen[name] = true
			c.PrivateData = append(c.PrivateData, PrivateData{Name: name, Value: d.text.String()})
		}
	}
	return c
}

// splitClassName splits "root/cimv2/Win32_Process" (or with
// backslashes) into its namespace ("root/cimv2") and class name.
func splitClassName(s string) (ns, name string) {
	s = strings.TrimSpace(s)
	i := strings.LastIndexAny(s, `/\`)
	if i < 0 {
		return "", s
	}
	ns = strings.Trim(strings.ReplaceAll(s[:i], `\`, "/"), "/")
	return ns, s[i+1:]
}

func (p *parser) instanceCmdlets(e *elem) *InstanceCmdlets {
	kids := p.shape(e, nil, map[string]string{"GetCmdletParameters": "!", "GetCmdlet": "", "Cmdlet": "*"})
	ic := &InstanceCmdlets{Line: e.line}
	if g := one(kids, "GetCmdletParameters"); g != nil {
		ic.GetParams = p.getParams(g)
	}
	if g := one(kids, "GetCmdlet"); g != nil {
		gk := p.shape(g, nil, map[string]string{"CmdletMetadata": "!", "GetCmdletParameters": ""})
		gc := &GetCmdlet{Line: g.line}
		if m := one(gk, "CmdletMetadata"); m != nil {
			gc.Meta = p.cmdletMeta(m, false)
		}
		if gp := one(gk, "GetCmdletParameters"); gp != nil {
			gc.GetParams = p.getParams(gp)
		}
		ic.GetCmdlet = gc
	}
	for _, ce := range kids["Cmdlet"] {
		ck := p.shape(ce, nil, map[string]string{"CmdletMetadata": "!", "Method": "!", "GetCmdletParameters": ""})
		c := &InstanceCmdlet{Line: ce.line}
		if m := one(ck, "CmdletMetadata"); m != nil {
			c.Meta = p.cmdletMeta(m, false)
		}
		if m := one(ck, "Method"); m != nil {
			c.Method = p.method(m, false)
		}
		if gp := one(ck, "GetCmdletParameters"); gp != nil {
			c.GetParams = p.getParams(gp)
		}
		ic.Cmdlets = append(ic.Cmdlets, c)
	}
	return ic
}

func (p *parser) staticCmdlet(e *elem) *StaticCmdlet {
	kids := p.shape(e, nil, map[string]string{"CmdletMetadata": "!", "Method": "+"})
	c := &StaticCmdlet{Line: e.line}
	if m := one(kids, "CmdletMetadata"); m != nil {
		c.Meta = p.cmdletMeta(m, true)
	}
	sets := map[string]bool{}
	for _, me := range kids["Method"] {
		m := p.method(me, true)
		if m.ParameterSet != "" {
			if sets[strings.ToLower(m.ParameterSet)] {
				p.failf(me.line, "two methods of the cmdlet name the parameter set %q", clip(m.ParameterSet))
			}
			sets[strings.ToLower(m.ParameterSet)] = true
		}
		c.Methods = append(c.Methods, m)
	}
	if c.Meta != nil && c.Meta.DefaultSet != "" && !sets[strings.ToLower(c.Meta.DefaultSet)] {
		p.failf(c.Meta.Line, "DefaultCmdletParameterSet %q is not the CmdletParameterSet of any of the cmdlet's methods", clip(c.Meta.DefaultSet))
	}
	return c
}

func (p *parser) cmdletMeta(e *elem, static bool) *CmdletMeta {
	attrs := []string{"Verb!", "Noun", "Aliases", "ConfirmImpact", "HelpUri"}
	if static {
		attrs = append(attrs, "DefaultCmdletParameterSet")
	}
	kids := p.shape(e, attrs, map[string]string{"Obsolete": ""})
	m := &CmdletMeta{Line: e.line}
	m.Verb = p.matching(e, "Verb", reVerb, "verb (letters only)")
	m.Noun = p.matching(e, "Noun", reNoun, "noun (letters and digits)")
	m.Aliases = p.list(e, "Aliases", reAlias, "alias")
	if ci, ok := e.attr("ConfirmImpact"); ok {
		switch ci {
		case "None", "Low", "Medium", "High":
			m.ConfirmImpact = ci
		default:
			p.failf(e.line, "ConfirmImpact %q is not None, Low, Medium or High", clip(ci))
		}
	}
	m.HelpURI, _ = e.attr("HelpUri")
	m.DefaultSet = p.matching(e, "DefaultCmdletParameterSet", reParamSet, "parameter set name")
	if o := one(kids, "Obsolete"); o != nil {
		m.Obsolete = p.obsolete(o)
	}
	return m
}

func (p *parser) obsolete(e *elem) *Obsolete {
	p.shape(e, []string{"Message"}, nil)
	msg, _ := e.attr("Message")
	return &Obsolete{Message: msg}
}

func (p *parser) getParams(e *elem) *GetCmdletParameters {
	kids := p.shape(e, []string{"DefaultCmdletParameterSet"}, map[string]string{
		"QueryableProperties": "", "QueryableAssociations": "", "QueryOptions": "",
	})
	g := &GetCmdletParameters{Line: e.line}
	g.DefaultSet = p.matching(e, "DefaultCmdletParameterSet", reParamSet, "parameter set name")
	if qp := one(kids, "QueryableProperties"); qp != nil {
		pk := p.shape(qp, nil, map[string]string{"Property": "+"})
		seen := map[string]bool{}
		for _, pe := range pk["Property"] {
			prop := p.queryProperty(pe)
			if seen[strings.ToLower(prop.Name)] {
				p.failf(pe.line, "property %s is queryable twice", clip(prop.Name))
			}
			seen[strings.ToLower(prop.Name)] = true
			g.Properties = append(g.Properties, prop)
		}
	}
	if qa := one(kids, "QueryableAssociations"); qa != nil {
		ak := p.shape(qa, nil, map[string]string{"Association": "+"})
		for _, ae := range ak["Association"] {
			g.Associations = append(g.Associations, p.association(ae))
		}
	}
	if qo := one(kids, "QueryOptions"); qo != nil {
		ok := p.shape(qo, nil, map[string]string{"Option": "+"})
		for _, oe := range ok["Option"] {
			k := p.shape(oe, []string{"OptionName!"}, map[string]string{"Type": "!", "CmdletParameterMetadata": ""})
			o := &QueryOption{Name: p.str(oe, "OptionName"), Line: oe.line}
			if t := one(k, "Type"); t != nil {
				o.Type = p.typeRef(t)
			}
			if m := one(k, "CmdletParameterMetadata"); m != nil {
				o.Meta = p.paramMeta(m, metaGet)
			}
			g.Options = append(g.Options, o)
		}
	}
	return g
}

func (p *parser) queryProperty(e *elem) *QueryProperty {
	kids := p.shape(e, []string{"PropertyName!"}, map[string]string{
		"Type": "!", "RegularQuery": "*", "ExcludeQuery": "*", "MinValueQuery": "*", "MaxValueQuery": "*",
	})
	qp := &QueryProperty{Name: p.str(e, "PropertyName"), Line: e.line}
	if t := one(kids, "Type"); t != nil {
		qp.Type = p.typeRef(t)
	}
	// In document order: parameter positions and help follow it.
	for _, c := range e.children {
		var kind QueryKind
		switch c.local {
		case "RegularQuery":
			kind = RegularQuery
		case "ExcludeQuery":
			kind = ExcludeQuery
		case "MinValueQuery":
			kind = MinValueQuery
		case "MaxValueQuery":
			kind = MaxValueQuery
		default:
			continue
		}
		attrs := []string(nil)
		if kind == RegularQuery || kind == ExcludeQuery {
			attrs = []string{"AllowGlobbing"}
		}
		k := p.shape(c, attrs, map[string]string{"CmdletParameterMetadata": ""})
		q := &PropertyQuery{Kind: kind, Line: c.line, AllowGlobbing: p.boolean(c, "AllowGlobbing")}
		if m := one(k, "CmdletParameterMetadata"); m != nil {
			q.Meta = p.paramMeta(m, metaFilter)
		}
		qp.Queries = append(qp.Queries, q)
	}
	if len(qp.Queries) == 0 {
		p.failf(e.line, "<Property PropertyName=%q> has no query (RegularQuery, ExcludeQuery, MinValueQuery or MaxValueQuery)", clip(qp.Name))
	}
	return qp
}

func (p *parser) association(e *elem) *Association {
	kids := p.shape(e, []string{"Association!", "SourceRole!", "ResultRole!"}, map[string]string{"AssociatedInstance": "!"})
	a := &Association{Line: e.line, Association: p.str(e, "Association"), SourceRole: p.str(e, "SourceRole"), ResultRole: p.str(e, "ResultRole")}
	if ai := one(kids, "AssociatedInstance"); ai != nil {
		k := p.shape(ai, nil, map[string]string{"Type": "!", "CmdletParameterMetadata": "!"})
		if t := one(k, "Type"); t != nil {
			a.Type = p.typeRef(t)
		}
		if m := one(k, "CmdletParameterMetadata"); m != nil {
			a.Meta = p.paramMeta(m, metaFilter)
		}
	}
	return a
}

func (p *parser) typeRef(e *elem) TypeRef {
	p.shape(e, []string{"PSType!", "ETSType"}, nil)
	return TypeRef{PSType: p.matching(e, "PSType", rePSType, "type name"), ETSType: p.str(e, "ETSType"), Line: e.line}
}

func (p *parser) method(e *elem, static bool) *Method {
	attrs := []string{"MethodName!"}
	if static {
		attrs = append(attrs, "CmdletParameterSet")
	}
	kids := p.shape(e, attrs, map[string]string{"ReturnValue": "", "Parameters": ""})
	m := &Method{Line: e.line, Name: p.str(e, "MethodName")}
	m.ParameterSet = p.matching(e, "CmdletParameterSet", reParamSet, "parameter set name")
	if rv := one(kids, "ReturnValue"); rv != nil {
		k := p.shape(rv, nil, map[string]string{"Type": "!", "CmdletOutputMetadata": ""})
		r := &ReturnValue{Line: rv.line}
		if t := one(k, "Type"); t != nil {
			r.Type = p.typeRef(t)
		}
		if o := one(k, "CmdletOutputMetadata"); o != nil {
			r.Output = p.outputMeta(o)
		}
		m.Return = r
	}
	if ps := one(kids, "Parameters"); ps != nil {
		k := p.shape(ps, nil, map[string]string{"Parameter": "+"})
		names := map[string]bool{}
		positions := map[int]bool{}
		kind := metaInstanceMethod
		if static {
			kind = metaStaticMethod
		}
		for _, pe := range k["Parameter"] {
			pk := p.shape(pe, []string{"ParameterName!", "DefaultValue"}, map[string]string{
				"Type": "!", "CmdletParameterMetadata": "", "CmdletOutputMetadata": "",
			})
			mp := &MethodParam{Line: pe.line, Name: p.str(pe, "ParameterName")}
			if names[strings.ToLower(mp.Name)] {
				p.failf(pe.line, "the method has two parameters named %s", clip(mp.Name))
			}
			names[strings.ToLower(mp.Name)] = true
			if d, ok := pe.attr("DefaultValue"); ok {
				mp.Default = &d
			}
			if t := one(pk, "Type"); t != nil {
				mp.Type = p.typeRef(t)
			}
			if cm := one(pk, "CmdletParameterMetadata"); cm != nil {
				mp.Meta = p.paramMeta(cm, kind)
				if pos := mp.Meta.Position; pos != nil {
					if positions[*pos] {
						p.failf(cm.line, "two parameters of the method have Position %d", *pos)
					}
					positions[*pos] = true
				}
			}
			if om := one(pk, "CmdletOutputMetadata"); om != nil {
				mp.Output = p.outputMeta(om)
			}
			m.Params = append(m.Params, mp)
		}
	}
	return m
}

func (p *parser) outputMeta(e *elem) *OutputMeta {
	kids := p.shape(e, []string{"PSName"}, map[string]string{"ErrorCode": ""})
	o := &OutputMeta{Line: e.line, PSName: p.matching(e, "PSName", reParamName, "output name")}
	if ec := one(kids, "ErrorCode"); ec != nil {
		p.shape(ec, nil, nil)
		o.ErrorCode = true
	}
	return o
}

// metaKind says where a CmdletParameterMetadata is: its attributes differ.
type metaKind int

const (
	metaGet            metaKind = iota // a query option
	metaFilter                         // a property query or an association
	metaInstanceMethod                 // an instance method's parameter
	metaStaticMethod                   // a static method's parameter
)

func (p *parser) paramMeta(e *elem, kind metaKind) *ParamMeta {
	attrs := []string{"IsMandatory", "Aliases", "PSName", "Position"}
	switch kind {
	case metaGet, metaFilter:
		attrs = append(attrs, "ValueFromPipeline", "ValueFromPipelineByPropertyName", "CmdletParameterSets")
		if kind == metaFilter {
			attrs = append(attrs, "ErrorOnNoMatch")
		}
	case metaInstanceMethod:
		attrs = append(attrs, "ValueFromPipelineByPropertyName")
	case metaStaticMethod:
		attrs = append(attrs, "ValueFromPipeline", "ValueFromPipelineByPropertyName")
	}
	kids := p.shape(e, attrs, map[string]string{
		"AllowEmptyCollection": "", "AllowEmptyString": "", "AllowNull": "", "ValidateNotNull": "",
		"ValidateNotNullOrEmpty": "", "ValidateCount": "", "ValidateLength": "", "ValidateRange": "",
		"ValidateSet": "", "Obsolete": "",
	})
	m := &ParamMeta{Line: e.line}
	if b := p.boolean(e, "IsMandatory"); b != nil {
		m.IsMandatory = *b
	}
	m.Aliases = p.list(e, "Aliases", reAlias, "alias")
	m.PSName = p.matching(e, "PSName", reParamName, "parameter name (letters, digits and _)")
	if s, ok := e.attr("Position"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			p.failf(e.line, "Position %q is not a non-negative integer", clip(s))
		}
		m.Position = &n
	}
	if b := p.boolean(e, "ValueFromPipeline"); b != nil {
		m.ValueFromPipeline = *b
	}
	if b := p.boolean(e, "ValueFromPipelineByPropertyName"); b != nil {
		m.ValueFromPipelineByPropertyName = *b
	}
	m.ParameterSets = p.list(e, "CmdletParameterSets", reParamSet, "parameter set name")
	m.ErrorOnNoMatch = p.boolean(e, "ErrorOnNoMatch")
	flag := func(name string) bool {
		if c := one(kids, name); c != nil {
			p.shape(c, nil, nil)
			return true
		}
		return false
	}
	m.AllowEmptyCollection = flag("AllowEmptyCollection")
	m.AllowEmptyString = flag("AllowEmptyString")
	m.AllowNull = flag("AllowNull")
	m.ValidateNotNull = flag("ValidateNotNull")
	m.ValidateNotNullOrEmpty = flag("ValidateNotNullOrEmpty")
	m.ValidateCount = p.bounds(one(kids, "ValidateCount"))
	m.ValidateLength = p.bounds(one(kids, "ValidateLength"))
	if r := one(kids, "ValidateRange"); r != nil {
		p.shape(r, []string{"Min!", "Max!"}, nil)
		min, _ := r.attr("Min")
		max, _ := r.attr("Max")
		lo, ok1 := new(big.Int).SetString(strings.TrimSpace(min), 10)
		hi, ok2 := new(big.Int).SetString(strings.TrimSpace(max), 10)
		switch {
		case !ok1 || !ok2:
			p.failf(r.line, "ValidateRange Min %q and Max %q must be integers", clip(min), clip(max))
		case lo.Cmp(hi) > 0:
			p.failf(r.line, "ValidateRange Min %s is greater than Max %s", lo, hi)
		default:
			m.ValidateRange = &Range{Min: lo.String(), Max: hi.String()}
		}
	}
	if s := one(kids, "ValidateSet"); s != nil {
		k := p.shape(s, nil, map[string]string{"AllowedValue": "+"})
		for _, v := range k["AllowedValue"] {
			p.shape(v, nil, map[string]string{"#text": ""})
			m.ValidateSet = append(m.ValidateSet, v.text.String())
		}
	}
	if o := one(kids, "Obsolete"); o != nil {
		m.Obsolete = p.obsolete(o)
	}
	return m
}

func (p *parser) bounds(e *elem) *Bounds {
	if e == nil {
		return nil
	}
	p.shape(e, []string{"Min!", "Max!"}, nil)
	min, _ := e.attr("Min")
	max, _ := e.attr("Max")
	lo, err1 := strconv.ParseUint(strings.TrimSpace(min), 10, 64)
	hi, err2 := strconv.ParseUint(strings.TrimSpace(max), 10, 64)
	switch {
	case err1 != nil || err2 != nil:
		p.failf(e.line, "<%s> Min %q and Max %q must be non-negative integers", e.local, clip(min), clip(max))
		return nil
	case lo > hi:
		p.failf(e.line, "<%s> Min %d is greater than Max %d", e.local, lo, hi)
		return nil
	}
	return &Bounds{Min: lo, Max: hi}
}

func (p *parser) enums(e *elem) []*Enum {
	kids := p.shape(e, nil, map[string]string{"Enum": "+"})
	var out []*Enum
	names := map[string]bool{}
	for _, ee := range kids["Enum"] {
		k := p.shape(ee, []string{"EnumName!", "UnderlyingType", "BitwiseFlags"}, map[string]string{"Value": "+"})
		en := &Enum{Line: ee.line}
		en.Name = p.matching(ee, "EnumName", reEnumName, "enum name (dotted identifiers)")
		if names[strings.ToLower(en.Name)] {
			p.failf(ee.line, "enum %s is defined twice", clip(en.Name))
		}
		names[strings.ToLower(en.Name)] = true
		en.Underlying = p.matching(ee, "UnderlyingType", rePSType, "type name")
		if en.Underlying != "" {
			if _, ok := enumUnderlying(en.Underlying); !ok {
				p.failf(ee.line, "enum %s: UnderlyingType %q is not an integer type", clip(en.Name), clip(en.Underlying))
			}
		}
		if b := p.boolean(ee, "BitwiseFlags"); b != nil {
			en.Flags = *b
		}
		values := map[string]bool{}
		for _, ve := range k["Value"] {
			p.shape(ve, []string{"Name!", "Value!"}, nil)
			v := EnumValue{Name: p.matching(ve, "Name", reEnumValue, "enum value name"), Value: strings.TrimSpace(p.str(ve, "Value"))}
			if _, ok := new(big.Int).SetString(v.Value, 10); !ok {
				p.failf(ve.line, "enum %s: value %s = %q is not an integer", clip(en.Name), clip(v.Name), clip(v.Value))
			}
			if values[v.Name] {
				p.failf(ve.line, "enum %s: value %s is defined twice", clip(en.Name), clip(v.Name))
			}
			values[v.Name] = true
			en.Values = append(en.Values, v)
		}
		out = append(out, en)
	}
	return out
}
