package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryKeepsOutSecrets runs lines through the real REPL loop and
// checks what reaches the history file: nothing matching PSReadLine's
// sensitive pattern, no credential-like call with two arguments however
// it is spelled, and no line whose string literals hold a live password
// in pieces (purged once the password becomes a credential's).
func TestHistoryKeepsOutSecrets(t *testing.T) {
	env, out, errb := testEnv(t, "")
	input := strings.Join([]string{
		`x = 1`,
		`p = "Split3" .. "Pass"`,
		`q = "Sep" .. "arate7"`,
		`q = q .. "Lines"`,
		`c = cim.credential("admin", p)`,
		`d = cim.credential("admin", q)`,
		`pcall(function() return cim.credentail("admin", "Typo5Pass") end)`,
		`pcall(function() return cim.Credential("admin", "Case6Pass") end)`,
		`api_key = "k"`,
		`MyApiKey = "Key8Value"`,
		`token = "t"`,
		`s = "AsPlainText"`,
		`the_secret = 1`,
		`pw_password = 2`,
		`y = 2`,
		`print("Split3")`,
	}, "\n")
	env.LineReader = NewPlainReader(strings.NewReader(input))
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errb)
	}
	b, err := os.ReadFile(filepath.Join(env.Getenv("XDG_STATE_HOME"), "cimsh", "history"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "x = 1\ny = 2\n"; got != want {
		t.Errorf("history file:\n%s\nwant:\n%s", got, want)
	}
}

func TestSensitiveLines(t *testing.T) {
	live := []string{"Split3Pass", "Ab"}
	for line, want := range map[string]bool{
		`p = "Split3" .. "Pass"`:                true,  // the literals joined hold it
		`a = "Split3"`:                          true,  // a piece of 4+ characters
		`a = 'Spl\105t3'`:                       true,  // escapes decoded: "Split3"
		`a = [[Split3]]`:                        true,  // long strings too
		`a = "Spl"`:                             false, // too short a piece to tell
		`a = "Ab"`:                              true,  // a whole short password
		`a = "b"`:                               false,
		`-- "Split3Pass" in a comment`:          true, // the text holds it
		`cim.credentail("admin", "Typo5Pass")`:  true,
		`cim.Credential("admin", x)`:            true,
		`get_cred("admin", "x")`:                true,
		`mycredential ("admin", "x")`:           true,
		`cim.credential("admin")`:               false,
		`cim.credential{"admin"}`:               false,
		`cred("admin")`:                         false,
		`f(credit, 2)`:                          false,
		`f("crédit", 2)`:                        false,
		`print(x, y)`:                           false,
		`x = {credential = c, port = 1}`:        false,
		`$env:Password`:                         true,
		`ConvertTo-SecureString -AsPlainText x`: true,
		`x.APIKEY = 1`:                          true,
		`refresh_TOKEN`:                         true,
		`my_secret`:                             true,
		`s:get_instance("Win32_Service")`:       false,
		`for i = 1, 2 do print("unterminated`:   false,
	} {
		if got := secret(line, live); got != want {
			t.Errorf("secret(%q) = %v, want %v", line, got, want)
		}
	}
}
