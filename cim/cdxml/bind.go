package cdxml

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/cimsh/cimsh/cim/model"
)

// ArgError is a call whose arguments the cmdlet refuses before anything
// is sent: a missing mandatory parameter, a value of the wrong type or
// against the parameter's validation, parameters of different sets.
// Param is the parameter's snake_case name ("" when the error is about
// the call as a whole).
type ArgError struct {
	Param string
	Msg   string
}

func (e *ArgError) Error() string {
	if e.Param == "" {
		return e.Msg
	}
	return e.Param + ": " + e.Msg
}

func argErr(p *Param, format string, args ...any) error {
	name := ""
	if p != nil {
		name = p.Snake
	}
	return &ArgError{Param: name, Msg: fmt.Sprintf(format, args...)}
}

// Arg is one named argument: the parameter and its value as the caller
// gave it (untyped: Bind converts it).
type Arg struct {
	Param *Param
	Value model.Value
}

// Call is a bound call of a cmdlet: the parameter set and every value
// converted to its parameter's type and validated.
type Call struct {
	Cmdlet *Cmdlet
	Set    string // "" when the cmdlet has no parameter sets
	Values map[*Param]model.Value
	// Inputs are input_object's instances (instance cmdlets).
	Inputs   []*model.Instance
	WhatIf   bool
	PassThru bool
}

// Value returns the value bound to a parameter.
func (c *Call) Value(p *Param) (model.Value, bool) {
	v, ok := c.Values[p]
	return v, ok
}

// Bind checks a call's arguments: positional values go to the
// parameters with a Position, in order, in the parameter set the named
// arguments point to. It picks the parameter set, checks that the
// mandatory parameters of that set are given, converts each value to its
// parameter's type (enum names to their values) and applies the
// parameter's validation. Failures are *ArgError values naming the
// parameter.
func (c *Cmdlet) Bind(named []Arg, positional []model.Value) (*Call, error) {
	given := map[*Param]model.Value{}
	for _, a := range named {
		if _, dup := given[a.Param]; dup {
			return nil, argErr(a.Param, "given twice (under two of its names)")
		}
		given[a.Param] = a.Value
	}
	if len(positional) > 0 {
		set, _ := c.pickSet(given, true)
		var pos []*Param
		for _, p := range sortedParams(c.Params) {
			if p.Position >= 0 && p.InSet(set) {
				pos = append(pos, p)
			}
		}
		for i, v := range positional {
			if i >= len(pos) {
				if len(pos) == 0 {
					return nil, argErr(nil, "takes no positional arguments; name them in the option table")
				}
				return nil, argErr(nil, "takes at most %d positional argument(s) (%s), got %d", len(pos), joinSnake(pos), len(positional))
			}
			if _, dup := given[pos[i]]; dup {
				return nil, argErr(pos[i], "given both positionally and by name")
			}
			given[pos[i]] = v
		}
	}
	set, err := c.pickSet(given, false)
	if err != nil {
		return nil, err
	}
	call := &Call{Cmdlet: c, Set: set, Values: map[*Param]model.Value{}}
	for _, p := range c.Params {
		if p.mandatoryIn(set) {
			if _, ok := given[p]; !ok {
				return nil, c.missing(p, set)
			}
		}
	}
	for _, p := range c.Params {
		v, ok := given[p]
		if !ok {
			continue
		}
		cv, err := convertArg(p, v, p.mandatoryIn(set))
		if err != nil {
			return nil, err
		}
		switch p.Role {
		case RoleWhatIf:
			call.WhatIf, _ = cv.AsBool()
		case RolePassThru:
			call.PassThru, _ = cv.AsBool()
		case RoleInputObject:
			for _, e := range cv.Elems() {
				inst, ok := e.AsInstance()
				if !ok {
					return nil, argErr(p, "wants instances (of %s)", c.ClassName)
				}
				call.Inputs = append(call.Inputs, inst)
			}
		default:
			call.Values[p] = cv
		}
	}
	return call, nil
}

// pickSet chooses the parameter set the given parameters fit. loose (for
// placing positional arguments) never fails.
func (c *Cmdlet) pickSet(given map[*Param]model.Value, loose bool) (string, error) {
	if len(c.Sets) == 0 {
		return "", nil
	}
	var fits []string
	for _, s := range c.Sets {
		ok := true
		for p := range given {
			if !p.InSet(s) {
				ok = false
				break
			}
		}
		if ok {
			fits = append(fits, s)
		}
	}
	switch {
	case len(fits) == 1:
		return fits[0], nil
	case len(fits) == 0:
		if loose {
			return c.DefaultSet, nil
		}
		return "", c.conflict(given)
	}
	if c.DefaultSet != "" && containsFold(fits, c.DefaultSet) {
		return c.DefaultSet, nil
	}
	// The sets whose mandatory parameters are all given.
	var complete []string
	for _, s := range fits {
		ok := true
		for _, p := range c.Params {
			if _, g := given[p]; p.mandatoryIn(s) && !g {
				ok = false
				break
			}
		}
		if ok {
			complete = append(complete, s)
		}
	}
	if len(complete) == 1 || loose {
		if len(complete) == 0 {
			return fits[0], nil
		}
		return complete[0], nil
	}
	return "", argErr(nil, "the arguments fit more than one parameter set (%s); give the parameters of one: %s",
		strings.Join(fits, ", "), c.describeSets(fits))
}

// conflict explains arguments that fit no parameter set.
func (c *Cmdlet) conflict(given map[*Param]model.Value) error {
	var names []string
	for _, p := range c.Params {
		if _, ok := given[p]; ok && p.Sets != nil {
			names = append(names, p.Snake)
		}
	}
	return argErr(nil, "%s cannot be used together (they belong to different parameter sets: %s)",
		strings.Join(names, " and "), c.describeSets(c.Sets))
}

// missing explains a missing mandatory parameter, with the other sets.
func (c *Cmdlet) missing(p *Param, set string) error {
	msg := "is mandatory"
	if len(c.Sets) > 1 {
		var others []string
		for _, s := range c.Sets {
			if !strings.EqualFold(s, set) {
				others = append(others, s)
			}
		}
		msg += fmt.Sprintf(" (parameter set %s; or use another set: %s)", set, c.describeSets(others))
	}
	return argErr(p, "%s", msg)
}

// describeSets names each set by its parameters: "ByName (name, exclude_name)".
func (c *Cmdlet) describeSets(sets []string) string {
	var parts []string
	for _, s := range sets {
		var ps []string
		for _, p := range c.Params {
			if p.Sets != nil && p.InSet(s) {
				n := p.Snake
				if p.mandatoryIn(s) {
					n += "!"
				}
				ps = append(ps, n)
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", s, strings.Join(ps, ", ")))
	}
	return strings.Join(parts, "; ")
}

func joinSnake(ps []*Param) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Snake)
	}
	return strings.Join(names, ", ")
}

// convertArg converts a value to a parameter's type and validates it.
func convertArg(p *Param, v model.Value, mandatory bool) (model.Value, error) {
	t := p.Type
	var out model.Value
	if t.Array {
		elems := []model.Value{v}
		if v.IsArray() {
			elems = v.Elems()
		}
		conv := make([]model.Value, len(elems))
		for i, e := range elems {
			c, err := convertScalar(p, e)
			if err != nil {
				if len(elems) > 1 {
					return model.Value{}, argErr(p, "element %d: %s", i+1, errText(err))
				}
				return model.Value{}, argErr(p, "%s", errText(err))
			}
			conv[i] = c
		}
		out = model.Array(elemType(t), conv)
	} else {
		if v.IsArray() {
			return model.Value{}, argErr(p, "takes one value (%s), not a list", t)
		}
		c, err := convertScalar(p, v)
		if err != nil {
			return model.Value{}, argErr(p, "%s", errText(err))
		}
		out = c
	}
	if err := validate(p, out, mandatory); err != nil {
		return model.Value{}, err
	}
	return out, nil
}

func elemType(t Type) model.Type {
	if t.Kind == KindAny {
		return model.TypeUnknown
	}
	return t.CIM
}

// errText is an error's message without a package prefix.
func errText(err error) string {
	s := err.Error()
	for _, pre := range []string{"model: ", "cdxml: "} {
		s = strings.TrimPrefix(s, pre)
	}
	return s
}

// convertScalar converts one value to the parameter's (element) type.
func convertScalar(p *Param, v model.Value) (model.Value, error) {
	t := p.Type
	if v.IsArray() {
		return model.Value{}, errors.New("lists cannot nest")
	}
	if v.IsNull() {
		// NULL is a value of every type: validate decides whether the
		// parameter takes it (AllowNull, ValidateNotNull, IsMandatory).
		if t.Kind == KindAny {
			return v, nil
		}
		return model.Null(t.CIM), nil
	}
	switch t.Kind {
	case KindAny:
		return v, nil
	case KindSwitch:
		if _, ok := v.AsBool(); !ok {
			return model.Value{}, fmt.Errorf("is a switch: give true or false, not %s", describe(v))
		}
		return v, nil
	case KindInstance:
		if _, ok := v.AsInstance(); ok {
			return v, nil
		}
		if r, ok := v.AsReference(); ok && p.Role == RoleAssociation {
			// A reference is as good as the instance it names here.
			inst := model.NewInstance(r.ClassName, r.Namespace)
			for _, s := range r.Selectors {
				if s.Ref != nil {
					inst.SetKey(s.Name, model.Ref(s.Ref))
				} else {
					inst.SetKey(s.Name, model.Untyped(s.Value))
				}
			}
			return model.Embedded(inst), nil
		}
		return model.Value{}, fmt.Errorf("wants an instance, not %s", describe(v))
	case KindEnum:
		return convertEnum(t.Enum, v)
	}
	if t.Interval {
		if d, ok := v.AsDatetime(); ok && d.IsInterval() {
			return v, nil
		}
		if s, ok := v.AsString(); ok {
			d, err := model.ParseDatetime(s)
			if err == nil && d.IsInterval() {
				return model.DatetimeValue(d), nil
			}
		}
		return model.Value{}, fmt.Errorf("wants an interval (P1DT2H or cim.datetime(\"P1D\")), not %s", describe(v))
	}
	if t.CIM == model.TypeString {
		// Only text is text: a number given for a string parameter is
		// almost always a mistake in the option table.
		if _, ok := v.AsString(); !ok && v.Type() != model.TypeUnknown {
			if _, isRef := v.AsReference(); !isRef {
				return model.Value{}, fmt.Errorf("wants a string, not %s", describe(v))
			}
		}
	}
	if t.CIM == model.TypeBoolean {
		if _, ok := v.AsBool(); !ok {
			return model.Value{}, fmt.Errorf("wants true or false, not %s", describe(v))
		}
	}
	return model.Convert(v, t.CIM, false)
}

// describe renders a value for a message: strings quoted, clipped.
func describe(v model.Value) string {
	if s, ok := v.AsString(); ok {
		return model.Quote(s)
	}
	if v.Type() == model.TypeUnknown {
		return model.Quote(v.Text())
	}
	if _, ok := v.AsInstance(); ok {
		return "an instance"
	}
	return fmt.Sprintf("%s %s", v.Type(), clip(v.Text()))
}

// convertEnum accepts a member's name (any case), several names for a
// flags enum ("A, B" or a list through the array path), or a number that
// is a member's value (or, for flags, a combination of members' bits).
func convertEnum(e *EnumType, v model.Value) (model.Value, error) {
	if s, ok := v.AsString(); ok {
		names := []string{s}
		if e.Flags {
			names = strings.Split(s, ",")
		}
		var acc *big.Int
		for _, n := range names {
			m, ok := e.Lookup(n)
			if !ok {
				if num, ok := new(big.Int).SetString(strings.TrimSpace(n), 10); ok && len(names) == 1 {
					return convertEnum(e, bigValue(num))
				}
				return model.Value{}, fmt.Errorf("%s is not a value of %s (%s)", model.Quote(strings.TrimSpace(n)), e.Name, strings.Join(e.Names(), ", "))
			}
			if acc == nil {
				acc = new(big.Int)
			}
			acc.Or(acc, bigOf(m.Value))
		}
		return model.Convert(bigValue(acc), e.CIM, false)
	}
	n, err := model.Convert(v, e.CIM, false)
	if err != nil {
		return model.Value{}, fmt.Errorf("%s is not a value of %s (%s)", describe(v), e.Name, strings.Join(e.Names(), ", "))
	}
	if e.Flags {
		all := new(big.Int)
		for _, m := range e.Values {
			all.Or(all, bigOf(m.Value))
		}
		x := bigOf(n)
		if x.Sign() >= 0 && new(big.Int).AndNot(x, all).Sign() == 0 {
			return n, nil
		}
	} else {
		for _, m := range e.Values {
			if model.Equal(m.Value, n) {
				return n, nil
			}
		}
	}
	return model.Value{}, fmt.Errorf("%s is not a value of %s (%s)", n.Text(), e.Name, strings.Join(e.Names(), ", "))
}

// bigOf is an integer value as a big.Int.
func bigOf(v model.Value) *big.Int {
	if u, ok := v.AsUint(); ok {
		return new(big.Int).SetUint64(u)
	}
	if i, ok := v.AsInt(); ok {
		return big.NewInt(i)
	}
	if f, ok := v.AsFloat(); ok {
		b, _ := big.NewFloat(f).Int(nil)
		return b
	}
	return new(big.Int)
}

// validate applies the parameter's Validate* and Allow* metadata.
func validate(p *Param, v model.Value, mandatory bool) error {
	m := &p.Meta
	elems := []model.Value{v}
	if v.IsArray() {
		elems = v.Elems()
		if b := m.ValidateCount; b != nil {
			if n := uint64(len(elems)); n < b.Min || n > b.Max {
				return argErr(p, "takes %s, got %d", countText(b), n)
			}
		}
		if len(elems) == 0 {
			if m.ValidateNotNullOrEmpty {
				return argErr(p, "cannot be an empty list")
			}
			if mandatory && !m.AllowEmptyCollection {
				return argErr(p, "is mandatory and cannot be an empty list")
			}
		}
	} else if b := m.ValidateCount; b != nil && (b.Min > 1 || b.Max < 1) {
		return argErr(p, "takes %s, got 1", countText(b))
	}
	for i, e := range elems {
		where := ""
		if v.IsArray() && len(elems) > 1 {
			where = fmt.Sprintf("element %d ", i+1)
		}
		s, isStr := e.AsString()
		if isStr && s == "" {
			if m.ValidateNotNullOrEmpty {
				return argErr(p, "%scannot be an empty string", where)
			}
			// PowerShell checks a mandatory list's elements as it checks
			// a single value (ParameterBinderBase.ValidateNullOrEmptyArgument).
			if mandatory && !m.AllowEmptyString {
				if where != "" {
					return argErr(p, "%scannot be an empty string (the parameter is mandatory)", where)
				}
				return argErr(p, "is mandatory and cannot be an empty string")
			}
		}
		if e.IsNull() && (m.ValidateNotNull || m.ValidateNotNullOrEmpty || (mandatory && !m.AllowNull)) {
			return argErr(p, "%scannot be null", where)
		}
		if b := m.ValidateLength; b != nil && isStr {
			if n := uint64(utf8.RuneCountInString(s)); n < b.Min || n > b.Max {
				return argErr(p, "%s%s is %d characters long, not %d to %d", where, model.Quote(s), n, b.Min, b.Max)
			}
		}
		if len(m.ValidateSet) > 0 {
			text := e.Text()
			if isStr {
				text = s
			}
			found := false
			for _, a := range m.ValidateSet {
				if strings.EqualFold(a, text) {
					found = true
					break
				}
			}
			if !found {
				return argErr(p, "%s%s is not one of %s", where, model.Quote(text), quoteList(m.ValidateSet))
			}
		}
		if r := m.ValidateRange; r != nil {
			if err := inRange(e, r); err != nil {
				return argErr(p, "%s%s", where, err)
			}
		}
	}
	return nil
}

func countText(b *Bounds) string {
	if b.Min == b.Max {
		return fmt.Sprintf("exactly %d value(s)", b.Min)
	}
	return fmt.Sprintf("%d to %d values", b.Min, b.Max)
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = model.Quote(s)
	}
	return strings.Join(q, ", ")
}

// inRange checks a number against ValidateRange (exactly, for 64-bit
// integers too).
func inRange(v model.Value, r *Range) error {
	lo, _ := new(big.Float).SetString(r.Min)
	hi, _ := new(big.Float).SetString(r.Max)
	var x *big.Float
	switch {
	case v.Type().IsInteger():
		x = new(big.Float).SetInt(bigOf(v))
	default:
		f, ok := v.AsFloat()
		if !ok || math.IsNaN(f) {
			return fmt.Errorf("%s is not a number (the range is %s to %s)", describe(v), r.Min, r.Max)
		}
		x = big.NewFloat(f)
	}
	if x.Cmp(lo) < 0 || x.Cmp(hi) > 0 {
		return fmt.Errorf("%s is not between %s and %s", v.Text(), r.Min, r.Max)
	}
	return nil
}
