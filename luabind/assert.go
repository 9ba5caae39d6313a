package luabind

import (
	lua "github.com/yuin/gopher-lua"
)

// luaAssert replaces the base library's assert, which refuses a message
// that is not a string: assert(s:get_instance(...)) must raise the
// error value's text when the call returns nil, err. The message gets
// the caller's position, so a script failure reads FILE:LINE: message.
func luaAssert(L *lua.LState) int {
	if L.ToBool(1) {
		return L.GetTop()
	}
	msg := L.Get(2)
	if msg == lua.LNil {
		L.RaiseError("assertion failed!")
		return 0
	}
	if s, ok := msg.(lua.LString); ok {
		L.RaiseError("%s", string(s))
		return 0
	}
	if _, ok := msg.(lua.LNumber); ok {
		L.RaiseError("%s", msg.String())
		return 0
	}
	if toError(msg) != nil {
		L.RaiseError("%s", L.ToStringMeta(msg).String())
		return 0
	}
	L.Error(msg, 0) // tables and other values travel as they are
	return 0
}
