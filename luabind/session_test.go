package luabind

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestNewSessionOpensNothing checks New-CimSession's contract: creating
// a session (even to a port where nothing listens) connects nothing;
// the first operation does. Real sessions, no provider hook.
func TestNewSessionOpensNothing(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	m := New(L, Options{Getenv: func(string) string { return "" }})
	defer m.CloseAll()
	e := &env{t: t, L: L, m: m}
	e.ok(`
		local dead = cim.new_session{computer_name = "127.0.0.1", port = 1, authentication = "basic",
			credential = cim.credential("u", "p"), session_option = cim.new_session_option{no_encryption = true},
			operation_timeout_sec = 5}
		assert(dead.connected == false and dead.port == 1 and dead.computer_name == "127.0.0.1")
		local r, err = dead:test()
		assert(r == nil and err.category == "unreachable", tostring(err))
		local here = cim.new_session()
		assert(here.computer_name == "localhost" and here.connected == false)
		assert(here:get_instance("Win32_OperatingSystem"))
		assert(here.connected == true)
	`)
}

// TestSessionOptionsAccepted checks every documented option and value of
// new_session and new_session_option, and the refusals that name what
// is supported instead.
func TestSessionOptionsAccepted(t *testing.T) {
	e := newEnv(t)
	for _, auth := range []string{"default", "negotiate", "ntlm", "kerberos", "basic", "certificate", "Kerberos"} {
		e.ok(`local s = cim.new_session{computer_name = "h", authentication = "` + auth + `"}; assert(s.authentication ~= "")`)
	}
	e.ok(`
		local o = cim.new_session_option{protocol = "wsman", use_ssl = true, skip_ca_check = true, skip_cn_check = true,
			ca_file = "ca.pem", certificate_file = "c.pem", key_file = "k.pem", spn = "HTTP/h", no_encryption = false,
			max_envelope_size_kb = 500, culture = "en-US", ui_culture = "en-US", http_prefix = "wsman", encode_port_in_spn = true}
		local s = cim.new_session{computer_name = "h", credential = cim.credential("u", "p"), authentication = "negotiate",
			port = 5986, session_option = o, operation_timeout_sec = 30, name = "web", skip_test_connection = true}
		assert(s.name == "web" and s.port == 5986)
	`)
	for code, want := range map[string]string{
		`cim.new_session{authentication = "credssp"}`:               "CredSSP authentication is not supported",
		`cim.new_session{authentication = "digest"}`:                "cim.new_session: authentication",
		`cim.new_session_option{protocol = "DCOM", use_ssl = true}`: `use_ssl is a WS-Man option; protocol "dcom" does not take it`,
		`cim.new_session_option{impersonation = "identify"}`:        "impersonation is a DCOM option",
		`cim.new_session_option{use_ssl = "yes"}`:                   "use_ssl must be a boolean",
		`cim.new_session{computer_nam = "h"}`:                       `did you mean "computer_name"`,
		`cim.new_session{session_option = {use_ssl = true}}`:        "session_option",
	} {
		if msg := e.fails(code); !strings.Contains(msg, want) {
			t.Errorf("%s: %q does not contain %q", code, msg, want)
		}
	}
}
