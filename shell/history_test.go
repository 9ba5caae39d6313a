package shell

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHistoryFile runs REPL lines through the real loop and checks the
// history file: mode 0600, never a password of a live credential nor a
// two-argument credential( call, and earlier lines purged once their
// text became a credential's password.
func TestHistoryFile(t *testing.T) {
	env, out, errb := testEnv(t, "")
	input := strings.Join([]string{
		`x = 1 + 1`,
		`pw = "correct-horse"`,
		`print("safe line")`,
		`c = cim.credential("admin", pw)`,
		`d = cim.credential("root",`,
		`  "battery-staple")`,
		`e = cim.credential ( 'u' , 'p4ssw0rd-three' )`,
		`for i = 1, 2 do`,
		`  print(i)`,
		`end`,
		`print("correct-horse")`,
	}, "\n")
	env.LineReader = NewPlainReader(strings.NewReader(input))
	if code := Main(env); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errb)
	}
	path := filepath.Join(env.Getenv("XDG_STATE_HOME"), "cimsh", "history")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("history mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	want := "x = 1 + 1\nprint(\"safe line\")\nfor i = 1, 2 do\n  print(i)\nend\n"
	if got != want {
		t.Errorf("history file:\n%s\nwant:\n%s", got, want)
	}
	for _, secret := range []string{"correct-horse", "battery-staple"} {
		if strings.Contains(got, secret) {
			t.Errorf("history holds %q", secret)
		}
	}
	// A second session reads the history back and appends to it.
	env2, _, _ := testEnv(t, "")
	env2.Getenv = env.Getenv
	env2.LineReader = NewPlainReader(strings.NewReader("y = 2\n"))
	Main(env2)
	b, _ = os.ReadFile(path)
	if string(b) != want+"y = 2\n" {
		t.Errorf("history after a second session:\n%s", b)
	}
}

// TestHistoryExistingFileMode checks an existing, too-open file is
// tightened to 0600.
func TestHistoryExistingFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h")
	os.WriteFile(path, []byte("old\n"), 0o666)
	os.Chmod(path, 0o666)
	h := loadHistory(path)
	h.add([]string{"new"}, nil)
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if len(h.lines) != 2 {
		t.Errorf("lines %q", h.lines)
	}
}

func TestSecretLines(t *testing.T) {
	cases := map[string]bool{
		`cim.credential("u", "p")`:       true,
		`cim.credential ( user , pw )`:   true,
		`credential("a,b", x)`:           true,
		`cim.credential("u")`:            false,
		`cim.credential(user)`:           false,
		`print("the secret is hunter2")`: true,
		`f(credential_list, 2)`:          false,
		`x = {credential = c, port = 1}`: false,
	}
	for line, want := range cases {
		if got := secret(line, []string{"hunter2"}); got != want {
			t.Errorf("secret(%q) = %v, want %v", line, got, want)
		}
	}
}

// TestHistoryFileTrimmed checks that a history file beyond the limit is
// cut to its last historyLimit lines when the REPL starts.
func TestHistoryFileTrimmed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h")
	var b strings.Builder
	for i := 0; i < historyLimit+500; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	os.WriteFile(path, []byte(b.String()), 0o600)
	h := loadHistory(path)
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != historyLimit || lines[0] != "line 500" || len(h.lines) != historyLimit {
		t.Errorf("file has %d lines from %q; memory %d", len(lines), lines[0], len(h.lines))
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
}
