package luabind

import (
	"errors"
	"fmt"

	"github.com/cimsh/cimsh/cim"
	lua "github.com/yuin/gopher-lua"
)

// credentialUD is a user name and password. Nothing prints the password.
type credentialUD struct{ c *cim.Credential }

func toCredential(v lua.LValue) *credentialUD {
	if ud, ok := v.(*lua.LUserData); ok {
		c, _ := ud.Value.(*credentialUD)
		return c
	}
	return nil
}

// ErrNoTerminal is what Options.ReadPassword returns when there is no
// terminal to prompt on.
var ErrNoTerminal = errors.New("luabind: no terminal to prompt on")

// PasswordEnv is the environment variable that gives credential() its
// password when none is passed. The module reads it once, when it is
// made (the binary then removes it from its environment, so that no
// child process inherits it).
const PasswordEnv = "CIMSH_PASSWORD"

// luaCredential is cim.credential(user [, password]).
func (m *Module) luaCredential(L *lua.LState) int {
	user := L.CheckString(1)
	var pw string
	switch v := L.Get(2).(type) {
	case lua.LString:
		pw = string(v)
	case *lua.LNilType:
		pw = m.askPassword(L, user)
	default:
		L.ArgError(2, "cim.credential: password must be a string, got "+luaTypeName(v))
	}
	m.addSecret(pw)
	ud := L.NewUserData()
	ud.Value = &credentialUD{c: cim.NewCredential(user, pw)}
	ud.Metatable = L.GetTypeMetatable(mtCredential)
	L.Push(ud)
	return 1
}

// askPassword finds the password of a credential made without one:
// PasswordEnv as read at start-up, else a prompt without echo on a
// terminal, else an error saying how to give one. (The variable comes
// before the prompt: `CIMSH_PASSWORD=... cimsh -s SCRIPT --user U` must
// not stop to ask on a terminal.)
func (m *Module) askPassword(L *lua.LState, user string) string {
	if m.envPassword != "" {
		return m.envPassword
	}
	if m.opts.ReadPassword != nil {
		pw, err := m.opts.ReadPassword(fmt.Sprintf("Password for %s: ", user))
		if err == nil {
			return pw
		}
		if !errors.Is(err, ErrNoTerminal) {
			L.RaiseError("cim.credential: reading the password: %v", err)
		}
	}
	L.RaiseError("cim.credential: no password for %s and no terminal to prompt on; pass it as the second argument or set %s", user, PasswordEnv)
	return ""
}

func (m *Module) credentialMethods() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(toCredential(L.Get(1)).c.String()))
			return 1
		},
		"__index": func(L *lua.LState) int {
			c := toCredential(L.Get(1)).c
			switch L.CheckString(2) {
			case "user", "user_name":
				L.Push(lua.LString(c.User()))
			case "has_password":
				L.Push(lua.LBool(c.HasPassword()))
			default:
				L.Push(lua.LNil)
			}
			return 1
		},
	}
}
