package luabind

import (
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// datetimeUD is a CIM datetime or interval: prints as ISO 8601 (an
// xs:duration for intervals) and compares with ==, < and <=.
type datetimeUD struct{ d model.Datetime }

func (m *Module) newDatetime(d model.Datetime) lua.LValue {
	ud := m.L.NewUserData()
	ud.Value = &datetimeUD{d: d}
	ud.Metatable = m.L.GetTypeMetatable(mtDatetime)
	return ud
}

func toDatetime(v lua.LValue) *datetimeUD {
	if ud, ok := v.(*lua.LUserData); ok {
		d, _ := ud.Value.(*datetimeUD)
		return d
	}
	return nil
}

// number is the datetime as seconds: since the Unix epoch for a
// timestamp, the length of an interval.
func (d *datetimeUD) number() float64 {
	if d.d.Kind == model.Interval {
		return d.d.Duration.Seconds()
	}
	return float64(d.d.Time.UnixNano()) / 1e9
}

func (m *Module) datetimeMethods() map[string]lua.LGFunction {
	two := func(L *lua.LState, op string) (*datetimeUD, *datetimeUD) {
		a, b := toDatetime(L.Get(1)), toDatetime(L.Get(2))
		if a == nil || b == nil {
			L.RaiseError("cannot %s %s and %s", op, luaTypeName(L.Get(1)), luaTypeName(L.Get(2)))
		}
		if (a.d.Kind == model.Interval) != (b.d.Kind == model.Interval) {
			L.RaiseError("cannot %s a timestamp and an interval", op)
		}
		return a, b
	}
	self := func(L *lua.LState, name string) model.Datetime {
		d := toDatetime(L.Get(1))
		if d == nil {
			L.RaiseError("dt:%s: call it with a colon (dt:%s())", name, name)
		}
		return d.d
	}
	methods := map[string]*lua.LFunction{
		// unix returns a timestamp as seconds since 1970 (UTC).
		"unix": m.L.NewFunction(func(L *lua.LState) int {
			d := self(L, "unix")
			if d.Kind == model.Interval {
				L.Push(lua.LNumber(d.Duration.Seconds()))
			} else {
				L.Push(lua.LNumber(float64(d.Time.UnixNano()) / 1e9))
			}
			return 1
		}),
		// seconds returns an interval's length in seconds.
		"seconds": m.L.NewFunction(func(L *lua.LState) int {
			d := self(L, "seconds")
			if d.Kind == model.Interval {
				L.Push(lua.LNumber(d.Duration.Seconds()))
			} else {
				L.Push(lua.LNumber(float64(d.Time.UnixNano()) / 1e9))
			}
			return 1
		}),
		"dmtf": m.L.NewFunction(func(L *lua.LState) int { L.Push(lua.LString(self(L, "dmtf").DMTF())); return 1 }),
		"iso":  m.L.NewFunction(func(L *lua.LState) int { L.Push(lua.LString(self(L, "iso").String())); return 1 }),
	}
	return map[string]lua.LGFunction{
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(toDatetime(L.Get(1)).d.String()))
			return 1
		},
		"__eq": func(L *lua.LState) int {
			a, b := toDatetime(L.Get(1)), toDatetime(L.Get(2))
			L.Push(lua.LBool(a != nil && b != nil && a.d.Equal(b.d)))
			return 1
		},
		"__lt": func(L *lua.LState) int {
			a, b := two(L, "compare")
			L.Push(lua.LBool(a.d.Compare(b.d) < 0))
			return 1
		},
		"__le": func(L *lua.LState) int {
			a, b := two(L, "compare")
			L.Push(lua.LBool(a.d.Compare(b.d) <= 0))
			return 1
		},
		"__sub": func(L *lua.LState) int {
			a, b := toDatetime(L.Get(1)), toDatetime(L.Get(2))
			switch {
			case a != nil && b != nil && a.d.Kind != model.Interval && b.d.Kind != model.Interval:
				L.Push(m.newDatetime(model.NewInterval(a.d.Time.Sub(b.d.Time))))
			case a != nil && b != nil && a.d.Kind == model.Interval && b.d.Kind == model.Interval:
				L.Push(m.newDatetime(model.NewInterval(a.d.Duration - b.d.Duration)))
			case a != nil && b != nil && b.d.Kind == model.Interval:
				L.Push(m.newDatetime(model.NewTimestamp(a.d.Time.Add(-b.d.Duration))))
			default:
				L.RaiseError("cannot subtract %s from %s", luaTypeName(L.Get(2)), luaTypeName(L.Get(1)))
			}
			return 1
		},
		"__add": func(L *lua.LState) int {
			a, b := toDatetime(L.Get(1)), toDatetime(L.Get(2))
			if a == nil || b == nil || b.d.Kind != model.Interval && a.d.Kind != model.Interval {
				L.RaiseError("cannot add %s and %s: only an interval adds to a datetime or an interval", luaTypeName(L.Get(1)), luaTypeName(L.Get(2)))
			}
			if a.d.Kind == model.Interval && b.d.Kind == model.Interval {
				L.Push(m.newDatetime(model.NewInterval(a.d.Duration + b.d.Duration)))
				return 1
			}
			if a.d.Kind == model.Interval {
				a, b = b, a
			}
			L.Push(m.newDatetime(model.NewTimestamp(a.d.Time.Add(b.d.Duration))))
			return 1
		},
		"__concat": func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		},
		"__index": func(L *lua.LState) int {
			d := toDatetime(L.Get(1)).d
			t := d.Time
			key := L.CheckString(2)
			if f, ok := methods[key]; ok {
				L.Push(f)
				return 1
			}
			switch key {
			case "kind":
				L.Push(lua.LString(map[model.DatetimeKind]string{model.Timestamp: "timestamp", model.Interval: "interval", model.DateOnly: "date", model.TimeOnly: "time"}[d.Kind]))
			case "year":
				L.Push(lua.LNumber(t.Year()))
			case "month":
				L.Push(lua.LNumber(t.Month()))
			case "day":
				L.Push(lua.LNumber(t.Day()))
			case "hour":
				L.Push(lua.LNumber(t.Hour()))
			case "minute":
				L.Push(lua.LNumber(t.Minute()))
			case "second":
				L.Push(lua.LNumber(t.Second()))
			default:
				L.Push(lua.LNil)
			}
			return 1
		},
	}
}

// DatetimeFields lists the datetime fields (completion, help).
var DatetimeFields = []string{"kind", "year", "month", "day", "hour", "minute", "second"}

// DatetimeMethods lists the datetime methods.
var DatetimeMethods = []string{"unix", "seconds", "dmtf", "iso"}

// luaDatetime is cim.datetime(text).
func (m *Module) luaDatetime(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if !ok {
		L.RaiseError("cim.datetime: want ISO 8601 or DMTF text, got %s", luaTypeName(L.Get(1)))
	}
	d, err := model.ParseDatetime(string(s))
	if err != nil {
		L.RaiseError("cim.datetime: %s (want ISO 8601 such as 2024-03-01T08:00:00Z or P1DT2H, or DMTF such as 20240301080000.000000+000)", userText(err.Error()))
	}
	L.Push(m.newDatetime(d))
	return 1
}
