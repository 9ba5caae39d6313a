package luabind

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// sessionUD is a CIM session as Lua sees it. ud is its one userdata, so
// that the same session compares equal wherever it comes from.
type sessionUD struct {
	s      *cim.Session
	m      *Module
	ud     *lua.LUserData
	seen   seenClasses // for completion
	closed bool        // s:close() or remove_session ran
}

func (s *sessionUD) lua() *lua.LUserData {
	if s.ud == nil {
		s.ud = s.m.L.NewUserData()
		s.ud.Value = s
		s.ud.Metatable = s.m.L.GetTypeMetatable(mtSession)
	}
	return s.ud
}

func toSession(v lua.LValue) *sessionUD {
	if ud, ok := v.(*lua.LUserData); ok {
		s, _ := ud.Value.(*sessionUD)
		return s
	}
	return nil
}

// SessionOf returns the CIM session a Lua value holds (the shell uses it
// for class-name completion).
func SessionOf(v lua.LValue) (*cim.Session, bool) {
	if s := toSession(v); s != nil {
		return s.s, true
	}
	return nil, false
}

// sessionOptionUD is the result of new_session_option.
type sessionOptionUD struct{ o cim.SessionOption }

func toSessionOption(v lua.LValue) *sessionOptionUD {
	if ud, ok := v.(*lua.LUserData); ok {
		o, _ := ud.Value.(*sessionOptionUD)
		return o
	}
	return nil
}

// optTable reads the option table at argument n (nil when absent).
func optTable(L *lua.LState, n int, who string) *lua.LTable {
	switch v := L.Get(n).(type) {
	case *lua.LTable:
		return v
	case *lua.LNilType:
		return nil
	default:
		L.ArgError(n, fmt.Sprintf("%s: want an option table, got %s", who, luaTypeName(v)))
	}
	return nil
}

// luaNewSessionOption is cim.new_session_option{...}.
func (m *Module) luaNewSessionOption(L *lua.LState) int {
	spec := specByName("new_session_option")
	a := decodeOpts(L, spec, "cim.new_session_option", optTable(L, 1, "cim.new_session_option"), false)
	o := cim.SessionOption{
		Protocol:          a.str("protocol"),
		UseSSL:            a.boolean("use_ssl"),
		SkipCACheck:       a.boolean("skip_ca_check"),
		SkipCNCheck:       a.boolean("skip_cn_check"),
		CAFile:            a.str("ca_file"),
		CertificateFile:   a.str("certificate_file"),
		KeyFile:           a.str("key_file"),
		SPN:               a.str("spn"),
		NoEncryption:      a.boolean("no_encryption"),
		MaxEnvelopeSizeKB: a.integer("max_envelope_size_kb"),
		Culture:           a.str("culture"),
		UICulture:         a.str("ui_culture"),
		HTTPPrefix:        a.str("http_prefix"),
		EncodePortInSPN:   a.boolean("encode_port_in_spn"),
		ResourceURIForm:   a.str("resource_uri_form"),
	}
	o.Impersonation = a.str("impersonation")
	if a.has("packet_privacy") {
		b := a.boolean("packet_privacy")
		o.PacketPrivacy = &b
	}
	if a.has("packet_integrity") {
		b := a.boolean("packet_integrity")
		o.PacketIntegrity = &b
	}
	if err := checkProtocolOptions(a, o.Protocol); err != nil {
		a.raise("%s", err)
	}
	if o.MaxEnvelopeSizeKB < 0 {
		a.raise("max_envelope_size_kb must be positive")
	}
	ud := L.NewUserData()
	ud.Value = &sessionOptionUD{o: o}
	ud.Metatable = L.GetTypeMetatable(mtSessionOption)
	L.Push(ud)
	return 1
}

// luaNewSession is cim.new_session{...}: a session, or a list of
// sessions for a list of computer names. Creating one connects nothing.
func (m *Module) luaNewSession(L *lua.LState) int {
	spec := specByName("new_session")
	a := decodeOpts(L, spec, "cim.new_session", optTable(L, 1, "cim.new_session"), false)
	cfg := cim.Config{
		Port:             a.integer("port"),
		Name:             a.str("name"),
		OperationTimeout: a.seconds("operation_timeout_sec"),
	}
	if a.has("authentication") {
		auth, err := cim.ParseAuthentication(a.str("authentication"))
		if err != nil {
			a.raise("authentication: %s", userText(err.Error()))
		}
		cfg.Authentication = auth // credssp is refused by the protocol's checks
	}
	if c := toCredential(a.vals["credential"]); c != nil {
		cfg.Credential = c.c
	}
	if o := toSessionOption(a.vals["session_option"]); o != nil {
		cfg.Option = o.o
	}
	hosts := a.computerNames()
	_, isList := a.vals["computer_name"].(*lua.LTable)
	if len(hosts) == 0 {
		hosts = []string{""}
	}
	var out []*sessionUD
	for _, h := range hosts {
		c := cfg
		c.ComputerName = h
		if isList && c.Name != "" {
			c.Name = fmt.Sprintf("%s-%s", cfg.Name, h)
		}
		s, err := m.newSession(c)
		if err != nil {
			a.raise("%s", userText(err.Error()))
		}
		out = append(out, s)
	}
	if !isList {
		L.Push(out[0].lua())
		return 1
	}
	t := L.NewTable()
	for _, s := range out {
		t.Append(s.lua())
	}
	L.Push(t)
	return 1
}

// matchSessions returns the live sessions matching a get_session or
// remove_session filter.
func (m *Module) matchSessions(a *args) []*sessionUD {
	var out []*sessionUD
	for _, s := range m.liveSessions() {
		if s == m.local && !a.has("id") && !a.has("name") {
			// the module's implicit session is an implementation detail
			continue
		}
		if a.has("id") && s.s.ID() != a.integer("id") ||
			a.has("name") && !strings.EqualFold(s.s.Name(), a.str("name")) ||
			a.has("computer_name") && !strings.EqualFold(s.s.ComputerName(), a.str("computer_name")) ||
			a.has("instance_id") && !strings.EqualFold(s.s.InstanceID(), a.str("instance_id")) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// luaGetSession is cim.get_session{...}: the live sessions.
func (m *Module) luaGetSession(L *lua.LState) int {
	a := decodeOpts(L, specByName("get_session"), "cim.get_session", optTable(L, 1, "cim.get_session"), false)
	t := L.NewTable()
	for _, s := range m.matchSessions(a) {
		t.Append(s.lua())
	}
	L.Push(t)
	return 1
}

// luaRemoveSession is cim.remove_session(s), (list) or {filters}.
func (m *Module) luaRemoveSession(L *lua.LState) int {
	var targets []*sessionUD
	if s := toSession(L.Get(1)); s != nil {
		targets = []*sessionUD{s}
	} else {
		t := optTable(L, 1, "cim.remove_session")
		if t != nil && t.Len() > 0 && toSession(t.RawGetInt(1)) != nil {
			for i := 1; i <= t.Len(); i++ {
				s := toSession(t.RawGetInt(i))
				if s == nil {
					L.ArgError(1, "cim.remove_session: every element must be a session")
				}
				targets = append(targets, s)
			}
		} else {
			a := decodeOpts(L, specByName("remove_session"), "cim.remove_session", t, false)
			if list, _ := a.sessions("cim_session"); list != nil {
				targets = list
			} else {
				if len(a.vals) == 0 {
					a.raise("say which sessions: a session, a list, or {id=, name=, computer_name=}")
				}
				targets = m.matchSessions(a)
			}
		}
	}
	for _, s := range targets {
		s.close()
	}
	L.Push(lua.LNumber(len(targets)))
	return 1
}

// close closes the session and its iterators.
func (s *sessionUD) close() {
	s.closed = true
	s.m.closeSessionIterators(s)
	s.s.Close()
	s.m.forget(s)
}

func (m *Module) checkSession(L *lua.LState, method string) *sessionUD {
	s := toSession(L.Get(1))
	if s == nil {
		L.RaiseError("s:%s: call it with a colon (s:%s(...)), got %s as self", method, method, luaTypeName(L.Get(1)))
	}
	return s
}

func (m *Module) sessionMetamethods() map[string]lua.LGFunction {
	methods := map[string]*lua.LFunction{}
	for name, fn := range map[string]lua.LGFunction{
		"get_instance":            func(L *lua.LState) int { return m.opGetInstance(L, m.checkSession(L, "get_instance")) },
		"query":                   func(L *lua.LState) int { return m.opQuery(L, m.checkSession(L, "query")) },
		"instances":               func(L *lua.LState) int { return m.opInstances(L, m.checkSession(L, "instances")) },
		"each_instance":           func(L *lua.LState) int { return m.opEachInstance(L, m.checkSession(L, "each_instance")) },
		"invoke_method":           func(L *lua.LState) int { return m.opInvokeMethod(L, m.checkSession(L, "invoke_method")) },
		"get_class":               func(L *lua.LState) int { return m.opGetClass(L, m.checkSession(L, "get_class")) },
		"new_instance":            func(L *lua.LState) int { return m.opNewInstance(L, m.checkSession(L, "new_instance")) },
		"set_instance":            func(L *lua.LState) int { return m.opSetInstance(L, m.checkSession(L, "set_instance")) },
		"remove_instance":         func(L *lua.LState) int { return m.opRemoveInstance(L, m.checkSession(L, "remove_instance")) },
		"get_associated_instance": func(L *lua.LState) int { return m.opAssociated(L, m.checkSession(L, "get_associated_instance")) },
		"test":                    func(L *lua.LState) int { return m.opTest(L, m.checkSession(L, "test")) },
		"run":                     func(L *lua.LState) int { return m.opRun(L, m.checkSession(L, "run"), false) },
		"powershell":              func(L *lua.LState) int { return m.opRun(L, m.checkSession(L, "powershell"), true) },
		"register_indication_event": func(L *lua.LState) int {
			return m.opRegisterIndication(L, m.checkSession(L, "register_indication_event"))
		},
		"close": func(L *lua.LState) int {
			m.checkSession(L, "close").close()
			return 0
		},
	} {
		methods[name] = m.L.NewFunction(fn)
		m.helpMethod(methods[name], "s", name, SessionMethods[name])
	}
	return map[string]lua.LGFunction{
		"__index": indexer("session", methods, sessionNames, func(L *lua.LState, key string) lua.LValue {
			s := toSession(L.Get(1))
			switch key {
			case "id":
				return lua.LNumber(s.s.ID())
			case "name":
				return lua.LString(s.s.Name())
			case "instance_id":
				return lua.LString(s.s.InstanceID())
			case "computer_name":
				if s.s.IsLocal() {
					return lua.LString("localhost")
				}
				return lua.LString(s.s.ComputerName())
			case "protocol":
				return lua.LString(s.s.Protocol())
			case "port":
				return lua.LNumber(s.s.Port())
			case "authentication":
				return lua.LString(string(s.s.Authentication()))
			case "connected":
				return lua.LBool(s.s.Connected())
			}
			return nil
		}),
		"__tostring": func(L *lua.LState) int {
			L.Push(lua.LString(toSession(L.Get(1)).s.String()))
			return 1
		},
	}
}

func sessionNames() []string {
	names := append([]string(nil), SessionFields...)
	for k := range SessionMethods {
		names = append(names, k)
	}
	return names
}

// indexer is the __index of a userdata type with methods and fields:
// methods first, then field (nil for an unknown key, which raises
// naming the type and the closest name).
func indexer(kind string, methods map[string]*lua.LFunction, names func() []string, field func(L *lua.LState, key string) lua.LValue) lua.LGFunction {
	return func(L *lua.LState) int {
		key := L.CheckString(2)
		if f, ok := methods[key]; ok {
			L.Push(f)
			return 1
		}
		v := field(L, key)
		if v == nil {
			L.RaiseError("%s has no field or method %s%s", kind, model.Quote(key), didYouMean(key, names()))
		}
		L.Push(v)
		return 1
	}
}

func didYouMean(name string, candidates []string) string {
	if s := suggest(name, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

func (m *Module) sessionOptionMetamethods() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"__tostring": func(L *lua.LState) int {
			o := toSessionOption(L.Get(1)).o
			L.Push(lua.LString(fmt.Sprintf("SessionOption(use_ssl=%v)", o.UseSSL)))
			return 1
		},
	}
}
