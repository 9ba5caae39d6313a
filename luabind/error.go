package luabind

import (
	"context"
	"errors"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// errorUD is an operational failure returned as the second result of
// nil, err. Its fields come from the *model.Fault.
type errorUD struct{ f *model.Fault }

// ErrorFields lists the error's fields (completion, help).
var ErrorFields = []string{"category", "message", "computer_name", "http_status", "code", "subcode", "reason",
	"detail", "wsman_code", "wsman_message", "cim_status", "cim_status_name", "cim_message", "error_code", "message_id"}

// asFault turns an operation's error into a fault when it is an
// operational failure (a fault, a cancelled or expired context), and
// reports false for a programming mistake (bad arguments), which raises.
func asFault(err error) (*model.Fault, bool) {
	if f, ok := model.AsFault(err); ok {
		return f, true
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &model.Fault{Category: model.CategoryCanceled, Reason: "cim: operation canceled", Err: err}, true
	case errors.Is(err, context.DeadlineExceeded):
		return &model.Fault{Category: model.CategoryTimeout, Reason: "cim: operation timed out", Err: err}, true
	}
	return nil, false
}

func (m *Module) newError(f *model.Fault) lua.LValue {
	ud := m.L.NewUserData()
	ud.Value = &errorUD{f: f}
	ud.Metatable = m.L.GetTypeMetatable(mtError)
	return ud
}

// pushResult pushes v, or nil and an error value for an operational
// failure; a programming mistake raises.
func (m *Module) pushResult(v lua.LValue, err error) int {
	if err != nil {
		m.pushFail(err)
		return 2
	}
	m.L.Push(v)
	return 1
}

// pushFail pushes nil, err for an operational failure, or raises.
func (m *Module) pushFail(err error) {
	f, ok := asFault(err)
	if !ok {
		m.L.RaiseError("%s", err.Error())
	}
	m.L.Push(lua.LNil)
	m.L.Push(m.newError(f))
}

func toError(v lua.LValue) *errorUD {
	if ud, ok := v.(*lua.LUserData); ok {
		e, _ := ud.Value.(*errorUD)
		return e
	}
	return nil
}

func (m *Module) errorMethods() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(EscapeControls(toError(L.Get(1)).f.Error(), false)))
			return 1
		},
		"__concat": func(L *lua.LState) int {
			L.Push(lua.LString(L.ToStringMeta(L.Get(1)).String() + L.ToStringMeta(L.Get(2)).String()))
			return 1
		},
		"__eq": func(L *lua.LState) int {
			a, b := toError(L.Get(1)), toError(L.Get(2))
			L.Push(lua.LBool(a != nil && b != nil && a.f == b.f))
			return 1
		},
		"__index": func(L *lua.LState) int {
			f := toError(L.Get(1)).f
			str := func(s string) {
				if s == "" {
					L.Push(lua.LNil)
				} else {
					L.Push(lua.LString(s))
				}
			}
			num := func(n int64) {
				if n == 0 {
					L.Push(lua.LNil)
				} else {
					L.Push(lua.LNumber(n))
				}
			}
			switch L.CheckString(2) {
			case "category":
				str(string(f.Category))
			case "message":
				L.Push(lua.LString(f.Summary()))
			case "computer_name":
				str(f.ComputerName)
			case "http_status":
				num(int64(f.HTTPStatus))
			case "code":
				str(f.Code)
			case "subcode":
				str(f.Subcode)
			case "reason":
				str(f.Reason)
			case "detail":
				str(f.Detail)
			case "wsman_code":
				num(int64(f.WSManCode))
			case "wsman_message":
				str(f.WSManMessage)
			case "cim_status":
				num(int64(f.CIMStatus))
			case "cim_status_name":
				if f.CIMStatus != 0 {
					str(f.CIMStatus.String())
				} else {
					L.Push(lua.LNil)
				}
			case "cim_message":
				str(f.CIMMessage)
			case "error_code":
				num(int64(f.ErrorCode))
			case "message_id":
				str(f.MessageID)
			default:
				L.Push(lua.LNil)
			}
			return 1
		},
	}
}
