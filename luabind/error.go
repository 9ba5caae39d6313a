package luabind

import (
	"context"
	"errors"

	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// errorUD is an operational failure returned as the second result of
// nil, err. Its fields come from the *model.Fault; op is the function
// the user called ("s:get_instance"), which the text starts with.
type errorUD struct {
	f  *model.Fault
	op string
}

// ErrorFields lists the error's fields (completion, help).
var ErrorFields = []string{"category", "message", "operation", "computer_name", "http_status", "code", "subcode", "reason",
	"detail", "wsman_code", "wsman_message", "cim_status", "cim_status_name", "cim_message", "error_code", "message_id"}

// text is the error as the user reads it: the operation, then the
// fault's one line in the user's words.
func (e *errorUD) text() string {
	t := userText(e.f.Error())
	if e.op != "" {
		t = e.op + ": " + t
	}
	return t
}

// asFault turns an operation's error into a fault when it is an
// operational failure (a fault, a cancelled or expired context), and
// reports false for a programming mistake (bad arguments), which raises.
func asFault(err error) (*model.Fault, bool) {
	if f, ok := model.AsFault(err); ok {
		return f, true
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &model.Fault{Category: model.CategoryCanceled, Reason: "operation canceled", Err: err}, true
	case errors.Is(err, context.DeadlineExceeded):
		return &model.Fault{Category: model.CategoryTimeout, Reason: "operation timed out", Err: err}, true
	}
	return nil, false
}

// newError makes the Lua error value of a fault of operation op (the
// function the user called, "" when the fault's text already names it).
func (m *Module) newError(op string, f *model.Fault) lua.LValue {
	ud := m.L.NewUserData()
	ud.Value = &errorUD{f: f, op: op}
	ud.Metatable = m.L.GetTypeMetatable(mtError)
	return ud
}

// pushFail pushes nil, err for an operational failure whose text
// already names the operation, or raises.
func (m *Module) pushFail(err error) { m.pushOpFail("", err) }

// pushOpFail pushes nil, err for an operational failure of operation
// who ("s:get_instance"), or raises a programming mistake naming who.
func (m *Module) pushOpFail(who string, err error) {
	f, ok := asFault(err)
	if !ok {
		m.raiseOp(who, err)
	}
	m.L.Push(lua.LNil)
	m.L.Push(m.newError(who, f))
}

// raiseOp raises err as a mistake in a call of who, in the user's words.
func (m *Module) raiseOp(who string, err error) {
	if who == "" {
		m.L.RaiseError("%s", userText(err.Error()))
	}
	m.L.RaiseError("%s: %s", who, userText(err.Error()))
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
			L.Push(lua.LString(EscapeControls(toError(L.Get(1)).text(), false)))
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
			e := toError(L.Get(1))
			f := e.f
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
				L.Push(lua.LString(userText(f.Summary())))
			case "operation":
				str(e.op)
			case "computer_name":
				str(f.ComputerName)
			case "http_status":
				num(int64(f.HTTPStatus))
			case "code":
				str(f.Code)
			case "subcode":
				str(f.Subcode)
			case "reason":
				str(userText(f.Reason))
			case "detail":
				str(f.Detail)
			case "wsman_code":
				num(int64(f.WSManCode))
			case "wsman_message":
				str(userText(f.WSManMessage))
			case "cim_status":
				num(int64(f.CIMStatus))
			case "cim_status_name":
				if f.CIMStatus != 0 {
					str(f.CIMStatus.String())
				} else {
					L.Push(lua.LNil)
				}
			case "cim_message":
				str(userText(f.CIMMessage))
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
