package luabind

import (
	"errors"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestCredential checks that a credential never shows its password and
// where the password comes from without a terminal.
func TestCredential(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		c = cim.credential("DOM\\admin", "Sup3rS3cret")
		assert(tostring(c) == "Credential(DOM\\admin)")
		assert(c.user == "DOM\\admin" and c.has_password == true and c.password == nil)
		assert(getmetatable(c) == "cim.Credential", "the metatable is protected")
		print(c, cim.to_json({c = c}), cim.format_list({{cred = c}}))
		local s = cim.new_session{computer_name = "h", credential = c}
		print(s)
	`)
	if strings.Contains(e.out.String(), "Sup3rS3cret") {
		t.Fatalf("password printed: %s", e.out.String())
	}
	if got := e.m.Secrets(); len(got) != 1 || got[0] != "Sup3rS3cret" {
		t.Fatalf("Secrets() = %v", got)
	}
	msg := e.fails(`cim.credential("admin")`)
	if !strings.Contains(msg, "no password for admin and no terminal to prompt on; pass it as the second argument or set CIMSH_PASSWORD") {
		t.Error(msg)
	}
}

func TestCredentialSources(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	prompted := ""
	m := New(L, Options{
		Getenv:       func(string) string { return "" },
		ReadPassword: func(p string) (string, error) { prompted = p; return "typed", nil },
	})
	if err := L.DoString(`c = cim.credential("bob")`); err != nil {
		t.Fatal(err)
	}
	if prompted != "Password for bob: " || m.Secrets()[0] != "typed" {
		t.Errorf("prompt %q secrets %v", prompted, m.Secrets())
	}
	L2 := lua.NewState()
	defer L2.Close()
	m2 := New(L2, Options{Getenv: func(k string) string {
		if k == PasswordEnv {
			return "from-env"
		}
		return ""
	}})
	if err := L2.DoString(`c = cim.credential("bob")`); err != nil {
		t.Fatal(err)
	}
	if m2.Secrets()[0] != "from-env" {
		t.Errorf("secrets %v", m2.Secrets())
	}
}

// TestCredentialNoTerminal checks CIMSH_PASSWORD without a terminal
// (ErrNoTerminal) and that another prompt failure raises naming it.
func TestCredentialNoTerminal(t *testing.T) {
	for _, c := range []struct {
		env, want string
		promptErr error
	}{
		{"from-env", "", ErrNoTerminal},
		{"", "no password for bob and no terminal to prompt on", ErrNoTerminal},
		{"from-env", "", errors.New("tty gone")}, // not asked: the variable comes first
		{"", "reading the password: tty gone", errors.New("tty gone")},
	} {
		L := lua.NewState()
		m := New(L, Options{
			Getenv:       func(k string) string { return map[string]string{PasswordEnv: c.env}[k] },
			ReadPassword: func(string) (string, error) { return "", c.promptErr },
		})
		err := L.DoString(`c = cim.credential("bob")`)
		switch {
		case c.want == "" && (err != nil || m.Secrets()[0] != c.env):
			t.Errorf("%v: %v, secrets %v", c.promptErr, err, m.Secrets())
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%v: %v, want %q", c.promptErr, err, c.want)
		}
		L.Close()
	}
}

// TestCredentialEnvBeforePrompt checks issue 9's order: a password
// argument, then CIMSH_PASSWORD as read when the module was made (never
// read again: the binary removes it from its environment), then the
// prompt on a terminal.
func TestCredentialEnvBeforePrompt(t *testing.T) {
	envPW := "Env5Pass"
	L := lua.NewState()
	defer L.Close()
	prompted := 0
	m := New(L, Options{
		Getenv: func(k string) string {
			if k == PasswordEnv {
				return envPW
			}
			return ""
		},
		ReadPassword: func(string) (string, error) { prompted++; return "typed", nil },
	})
	envPW = "" // what the binary does after start-up
	if err := L.DoString(`a = cim.credential("admin"); b = cim.credential("other"); c = cim.credential("x", "Arg5Pass")`); err != nil {
		t.Fatal(err)
	}
	if prompted != 0 {
		t.Errorf("prompted %d times with CIMSH_PASSWORD set", prompted)
	}
	if got := m.Secrets(); strings.Join(got, ",") != "Env5Pass,Arg5Pass" {
		t.Errorf("passwords %v", got)
	}
}
