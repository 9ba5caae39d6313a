package cdxml

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// selection is what a call's query parameters select: one WQL query (or
// the instances associated with an instance), the operation options, and
// the client-side filters every result passes through. The filters hold
// the same conditions as the WQL, so that the results are what the query
// means even from a server that evaluates less of it, and they record
// which values matched, for ErrorOnNoMatch.
type selection struct {
	class   string
	where   []string // conditions, ANDed
	assoc   *assocArg
	options []model.Property
	filters []*filter
	names   []string // the query parameters given (messages)
}

// assocArg is a QueryableAssociations argument.
type assocArg struct {
	param *Param
	inst  *model.Instance
}

// WQL returns the query, "" when the selection is a plain enumeration of
// the class or an association.
func (s *selection) WQL() string {
	if s.assoc != nil || len(s.where) == 0 {
		return ""
	}
	return "SELECT * FROM " + s.class + " WHERE " + strings.Join(s.where, " AND ")
}

// behaviour is what no match for a value means.
type behaviour int

const (
	reportDefault behaviour = iota // decided per value (RegularQuery)
	reportError
	reportSilently
)

// filter is the client side of one query parameter.
type filter struct {
	param    *Param
	values   []*valueFilter
	exclude  bool // ExcludeQuery: an instance passes when no value matches
	behave   behaviour
	hadMatch bool
}

// valueFilter matches one value of a parameter.
type valueFilter struct {
	value    model.Value
	wildcard bool // the value is a pattern with wildcards
	match    func(*model.Instance) bool
	report   bool // no match for this value is an error
	hadMatch bool
}

// select builds the selection of a bound call.
func (c *Call) selection() (*selection, error) {
	cmd := c.Cmdlet
	sel := &selection{class: cmd.ClassName}
	for _, p := range cmd.Params {
		v, ok := c.Values[p]
		if !ok {
			continue
		}
		switch p.Role {
		case RoleRegular, RoleExclude, RoleMin, RoleMax:
			sel.names = append(sel.names, p.Snake)
			f, cond, err := propertyFilter(p, v)
			if err != nil {
				return nil, err
			}
			sel.filters = append(sel.filters, f)
			if cond != "" {
				sel.where = append(sel.where, cond)
			}
		case RoleAssociation:
			sel.names = append(sel.names, p.Snake)
			if sel.assoc != nil {
				return nil, argErr(p, "cannot be combined with %s: give one associated instance", sel.assoc.param.Snake)
			}
			inst, _ := v.AsInstance()
			sel.assoc = &assocArg{param: p, inst: inst}
			b := reportError
			if p.ErrorOnNoMatch != nil && !*p.ErrorOnNoMatch {
				b = reportSilently
			}
			sel.filters = append(sel.filters, &filter{param: p, behave: b})
		case RoleOption:
			if _, isInst := v.AsInstance(); isInst || v.Type() == model.TypeReference || v.Type() == model.TypeUnknown && !v.IsNull() && v.Type() != model.TypeString {
				return nil, argErr(p, "an operation option must be a string, a number, a boolean or a datetime")
			}
			sel.options = append(sel.options, model.Property{Name: p.Property, Value: v})
		}
	}
	return sel, nil
}

// propertyFilter makes the filter and the WQL condition of a property
// query ("" when the values have no WQL form: the filter alone applies).
func propertyFilter(p *Param, v model.Value) (*filter, string, error) {
	f := &filter{param: p, exclude: p.Role == RoleExclude}
	switch {
	case p.ErrorOnNoMatch != nil && *p.ErrorOnNoMatch:
		f.behave = reportError
	case p.ErrorOnNoMatch != nil || p.Role != RoleRegular:
		// Exclude, Min and Max report nothing unless told to.
		f.behave = reportSilently
	}
	elems := []model.Value{v}
	if v.IsArray() {
		elems = v.Elems()
	}
	var conds []string
	complete := true
	for _, e := range elems {
		vf := &valueFilter{value: e}
		var cond string
		s, isStr := e.AsString()
		switch {
		case p.Role == RoleMin || p.Role == RoleMax:
			op := ">="
			if p.Role == RoleMax {
				op = "<="
			}
			lit, ok := wqlLiteral(e)
			if !ok {
				return nil, "", argErr(p, "%s cannot be compared in a query", describe(e))
			}
			cond = p.Property + " " + op + " " + lit
		case p.Wildcards && isStr && hasWildcard(s):
			vf.wildcard = true
			pat := s
			vf.match = func(inst *model.Instance) bool {
				pv, ok := inst.Get(p.Property)
				if !ok || pv.IsNull() || pv.IsArray() {
					return false
				}
				return wildcardMatch(pat, pv.Text())
			}
			if like, ok := wildcardToLike(s); ok {
				cond = p.Property + " LIKE " + quoteWQL(like)
			}
		default:
			if isStr && p.Wildcards {
				s = unescapeWildcard(s)
				e = model.String(s)
				vf.value = e
			}
			if lit, ok := wqlLiteral(e); ok {
				cond = p.Property + " = " + lit
			}
		}
		if vf.match == nil {
			vf.match = conditionMatcher(p.Property, cond, e)
		}
		switch f.behave {
		case reportError:
			vf.report = true
		case reportDefault:
			vf.report = !vf.wildcard
		}
		if cond == "" {
			complete = false
		}
		conds = append(conds, cond)
		f.values = append(f.values, vf)
	}
	if !complete || len(conds) == 0 {
		return f, "", nil
	}
	cond := "(" + strings.Join(conds, " OR ") + ")"
	if len(conds) == 1 {
		cond = conds[0]
	}
	if f.exclude {
		return f, "NOT (" + strings.Join(conds, " OR ") + ")", nil
	}
	return f, cond, nil
}

// unescapeWildcard removes the backticks of a pattern without wildcards
// ("a`[1`]" is the literal "a[1]").
func unescapeWildcard(s string) string {
	if !strings.Contains(s, "`") {
		return s
	}
	var b strings.Builder
	for _, it := range parseWildcard(s) {
		b.WriteRune(it.lit)
	}
	return b.String()
}

// conditionMatcher evaluates a WQL condition on the client, as the
// server evaluates it; without a condition it compares the value.
func conditionMatcher(prop, cond string, v model.Value) func(*model.Instance) bool {
	if cond != "" {
		if e, err := wql.ParseCondition(cond); err == nil {
			q := &wql.Query{Where: e}
			return func(inst *model.Instance) bool {
				ok, err := q.Match(inst)
				return ok && err == nil
			}
		}
	}
	return func(inst *model.Instance) bool {
		pv, ok := inst.Get(prop)
		if !ok {
			return false
		}
		if a, ok := pv.AsInstance(); ok {
			if b, ok := v.AsInstance(); ok {
				return a.Path().Equal(b.Path())
			}
		}
		return model.Equal(pv, v) || strings.EqualFold(pv.Text(), v.Text())
	}
}

// wqlLiteral writes a value as a WQL constant; ok is false for values
// WQL has no constant for (instances, references, intervals).
func wqlLiteral(v model.Value) (string, bool) {
	if v.IsNull() {
		return "NULL", true
	}
	switch x := v.Interface().(type) {
	case string:
		return quoteWQL(x), true
	case bool:
		if x {
			return "TRUE", true
		}
		return "FALSE", true
	case uint64, int64:
		return v.Text(), true
	case float64:
		return v.Text(), true
	case uint16: // char16
		return quoteWQL(string(rune(x))), true
	case model.Datetime:
		if x.IsInterval() {
			return "", false
		}
		return quoteWQL(x.DMTF()), true
	}
	return "", false
}

// quoteWQL quotes a WQL string constant (backslash escapes, as WMI reads
// them).
func quoteWQL(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// keep runs an instance through the filters, in order, stopping at the
// first that refuses it (as PowerShell's client-side query does), and
// records the values that matched.
func (s *selection) keep(inst *model.Instance) bool {
	for _, f := range s.filters {
		if !f.matches(inst) {
			return false
		}
	}
	return true
}

func (f *filter) matches(inst *model.Instance) bool {
	if f.param.Role == RoleAssociation {
		f.hadMatch = true // it came back associated
		return true
	}
	any := false
	for _, vf := range f.values {
		if vf.match(inst) {
			vf.hadMatch = true
			any = true
		}
	}
	ok := any
	if f.exclude {
		ok = !any
	} else if len(f.values) == 0 {
		ok = false
	}
	if ok {
		f.hadMatch = true
	}
	return ok
}

// notFound returns the error ErrorOnNoMatch asks for when values
// matched nothing, nil when there is none: with one query parameter, the
// values that found nothing; with several, the query as a whole when
// nothing came back and one of them asks for errors.
func (s *selection) notFound(matched int, target string) error {
	switch len(s.filters) {
	case 0:
		return nil
	case 1:
		f := s.filters[0]
		if f.param.Role == RoleAssociation {
			if f.behave == reportError && matched == 0 {
				return model.NewFault(model.CIMNotFound, "no %s is associated with %s through %s", s.class, target, f.param.Assoc.Association)
			}
			return nil
		}
		if f.behave == reportSilently && !f.exclude || f.exclude && f.behave != reportError {
			return nil
		}
		if f.exclude || f.param.Role == RoleMin || f.param.Role == RoleMax {
			if matched == 0 {
				return s.generic()
			}
			return nil
		}
		var msgs []string
		for _, vf := range f.values {
			if vf.report && !vf.hadMatch {
				how := "="
				if vf.wildcard {
					how = "like"
				}
				msgs = append(msgs, fmt.Sprintf("no %s has %s %s %s", s.class, f.param.Property, how, shown(vf.value)))
			}
		}
		if len(msgs) == 0 {
			return nil
		}
		return model.NewFault(model.CIMNotFound, "%s", strings.Join(msgs, "; "))
	}
	if matched > 0 {
		return nil
	}
	for _, f := range s.filters {
		if f.reports() {
			return s.generic()
		}
	}
	return nil
}

// reports says whether a filter among several asks for an error.
func (f *filter) reports() bool {
	switch f.behave {
	case reportError:
		return true
	case reportSilently:
		return false
	}
	for _, vf := range f.values {
		if vf.report && !vf.hadMatch {
			return true
		}
	}
	return false
}

func (s *selection) generic() error {
	return model.NewFault(model.CIMNotFound, "no %s matches the query parameters (%s)", s.class, strings.Join(s.names, ", "))
}

// shown renders a value in a message: text quoted, clipped.
func shown(v model.Value) string {
	if s, ok := v.AsString(); ok {
		return model.Quote(s)
	}
	if i, ok := v.AsInstance(); ok {
		return i.Path().String()
	}
	return clip(v.Text())
}
