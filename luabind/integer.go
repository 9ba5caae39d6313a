package luabind

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// boxedInt is a 64-bit integer beyond 2^53, which a Lua number cannot
// hold exactly. Arithmetic among boxed integers (and integral numbers)
// is exact; a result within 2^53 becomes a plain number again.
type boxedInt struct{ v *big.Int }

var (
	minInt64  = new(big.Int).SetInt64(math.MinInt64)
	maxUint64 = new(big.Int).SetUint64(math.MaxUint64)
	bigExact  = big.NewInt(maxExact)
)

func (b *boxedInt) value() model.Value {
	if b.v.Sign() < 0 {
		return model.Sint(model.TypeSint64, b.v.Int64())
	}
	if b.v.IsInt64() {
		return model.Sint(model.TypeSint64, b.v.Int64())
	}
	return model.Uint(model.TypeUint64, b.v.Uint64())
}

// newInteger returns v as a Lua value: a number within 2^53, otherwise a
// boxed integer.
func (m *Module) newInteger(v *big.Int) lua.LValue {
	if new(big.Int).Abs(v).Cmp(bigExact) <= 0 {
		return lua.LNumber(v.Int64())
	}
	ud := m.L.NewUserData()
	ud.Value = &boxedInt{v: v}
	ud.Metatable = m.L.GetTypeMetatable(mtInteger)
	return ud
}

// bigOf returns v as an exact integer: a boxed integer or an integral
// number.
func bigOf(v lua.LValue) (*big.Int, bool) {
	switch x := v.(type) {
	case *lua.LUserData:
		if b, ok := x.Value.(*boxedInt); ok {
			return b.v, true
		}
	case lua.LNumber:
		f := float64(x)
		if f != math.Trunc(f) || math.IsInf(f, 0) {
			return nil, false
		}
		bf := new(big.Float).SetFloat64(f)
		i, _ := bf.Int(nil)
		return i, true
	}
	return nil, false
}

// parseBig parses a decimal (or 0x hex) integer string.
func parseBig(s string) (*big.Int, bool) {
	s = strings.TrimSpace(s)
	v, ok := new(big.Int).SetString(s, 0)
	return v, ok
}

func (m *Module) integerMethods() map[string]lua.LGFunction {
	arith := func(name string, op func(a, b *big.Int) (*big.Int, error)) lua.LGFunction {
		return func(L *lua.LState) int {
			a, ok1 := bigOf(L.Get(1))
			b, ok2 := bigOf(L.Get(2))
			if !ok1 || !ok2 {
				L.RaiseError("integer %s: boxed integers combine only with integers (got %s and %s); use cim.tonumber for floating point", name, describeOperand(L.Get(1)), describeOperand(L.Get(2)))
			}
			r, err := op(a, b)
			if err != nil {
				L.RaiseError("integer %s: %v", name, err)
			}
			if r.Cmp(minInt64) < 0 || r.Cmp(maxUint64) > 0 {
				L.RaiseError("integer %s: result %s is outside the 64-bit range", name, r)
			}
			L.Push(m.newInteger(r))
			return 1
		}
	}
	cmp := func(test func(int) bool) lua.LGFunction {
		return func(L *lua.LState) int {
			a, ok1 := bigOf(L.Get(1))
			b, ok2 := bigOf(L.Get(2))
			if !ok1 || !ok2 {
				L.RaiseError("cannot compare %s with %s (cim.compare orders boxed integers and numbers)", luaTypeName(L.Get(1)), luaTypeName(L.Get(2)))
			}
			L.Push(lua.LBool(test(a.Cmp(b))))
			return 1
		}
	}
	return map[string]lua.LGFunction{
		"__add": arith("addition", func(a, b *big.Int) (*big.Int, error) { return new(big.Int).Add(a, b), nil }),
		"__sub": arith("subtraction", func(a, b *big.Int) (*big.Int, error) { return new(big.Int).Sub(a, b), nil }),
		"__mul": arith("multiplication", func(a, b *big.Int) (*big.Int, error) { return new(big.Int).Mul(a, b), nil }),
		"__div": arith("division", func(a, b *big.Int) (*big.Int, error) {
			if b.Sign() == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return new(big.Int).Quo(a, b), nil // truncating, as integer division in C
		}),
		"__mod": arith("modulo", func(a, b *big.Int) (*big.Int, error) {
			if b.Sign() == 0 {
				return nil, fmt.Errorf("modulo by zero")
			}
			return new(big.Int).Rem(a, b), nil
		}),
		"__unm": func(L *lua.LState) int {
			a, _ := bigOf(L.Get(1))
			r := new(big.Int).Neg(a)
			if r.Cmp(minInt64) < 0 {
				L.RaiseError("integer negation: result %s is outside the 64-bit range", r)
			}
			L.Push(m.newInteger(r))
			return 1
		},
		"__eq": cmp(func(c int) bool { return c == 0 }),
		"__lt": cmp(func(c int) bool { return c < 0 }),
		"__le": cmp(func(c int) bool { return c <= 0 }),
		"__tostring": func(L *lua.LState) int {
			a, _ := bigOf(L.Get(1))
			L.Push(lua.LString(a.String()))
			return 1
		},
		"__concat": func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		},
	}
}

// luaUint64 is cim.uint64(s) and luaInt64 is cim.int64(s).
func (m *Module) luaIntCtor(name string, lo, hi *big.Int) lua.LGFunction {
	return func(L *lua.LState) int {
		var v *big.Int
		switch x := L.Get(1).(type) {
		case lua.LString:
			var ok bool
			if v, ok = parseBig(string(x)); !ok {
				L.RaiseError("cim.%s: %s is not an integer", name, model.Quote(string(x)))
			}
		default:
			var ok bool
			if v, ok = bigOf(x); !ok {
				L.RaiseError("cim.%s: want an integer or a string of digits, got %s", name, describeOperand(x))
			}
		}
		if v.Cmp(lo) < 0 || v.Cmp(hi) > 0 {
			L.RaiseError("cim.%s: %s is out of range (%s to %s)", name, v, lo, hi)
		}
		L.Push(m.newInteger(v))
		return 1
	}
}

// luaToNumber is cim.tonumber(x): a boxed integer as a (lossy) number,
// anything else as Lua's tonumber.
func (m *Module) luaToNumber(L *lua.LState) int {
	v := L.Get(1)
	if ud, ok := v.(*lua.LUserData); ok {
		if b, ok := ud.Value.(*boxedInt); ok {
			f, _ := new(big.Float).SetInt(b.v).Float64()
			L.Push(lua.LNumber(f))
			return 1
		}
		if d, ok := ud.Value.(*datetimeUD); ok {
			L.Push(lua.LNumber(d.number()))
			return 1
		}
	}
	switch x := v.(type) {
	case lua.LNumber:
		L.Push(x)
	case lua.LString:
		if n, err := parseNumber(string(x)); err == nil {
			L.Push(lua.LNumber(n))
		} else {
			L.Push(lua.LNil)
		}
	default:
		L.Push(lua.LNil)
	}
	return 1
}

func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if v, ok := parseBig(s); ok {
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, nil
	}
	return strconv.ParseFloat(s, 64)
}

// luaCompare is cim.compare(a, b): -1, 0 or 1, exactly, across boxed
// integers and numbers. Lua 5.1 raises on < between a userdata and a
// number before any metamethod runs, so this is how scripts order a
// boxed integer against a plain number.
func (m *Module) luaCompare(L *lua.LState) int {
	a := compareOperand(L, 1)
	b := compareOperand(L, 2)
	L.Push(lua.LNumber(a.cmp(b)))
	return 1
}

// exactNum is a compare operand: a finite exact value or an infinity.
type exactNum struct {
	r   *big.Rat
	inf int // -1 or 1 for an infinity, 0 otherwise
}

func (a exactNum) cmp(b exactNum) int {
	if a.inf != 0 || b.inf != 0 {
		switch {
		case a.inf == b.inf:
			return 0
		case a.inf < b.inf:
			return -1
		}
		return 1
	}
	return a.r.Cmp(b.r)
}

func compareOperand(L *lua.LState, n int) exactNum {
	switch x := L.Get(n).(type) {
	case lua.LNumber:
		f := float64(x)
		switch {
		case math.IsNaN(f):
			L.RaiseError("cim.compare: argument #%d is NaN, which has no order", n)
		case math.IsInf(f, 0):
			return exactNum{inf: int(math.Copysign(1, f))}
		}
		return exactNum{r: new(big.Rat).SetFloat64(f)}
	case *lua.LUserData:
		if b, ok := x.Value.(*boxedInt); ok {
			return exactNum{r: new(big.Rat).SetInt(b.v)}
		}
	}
	L.RaiseError("cim.compare: argument #%d must be a number or a boxed integer, got %s", n, luaTypeName(L.Get(n)))
	return exactNum{}
}

// describeOperand names a value in an arithmetic message: its type, and
// a number's value (so "number 0.5" says why it does not combine).
func describeOperand(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return "number " + n.String()
	}
	return luaTypeName(v)
}
