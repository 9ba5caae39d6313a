package winrs_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// decodeEncodedCommand reads -EncodedCommand's argument back.
func decodeEncodedCommand(t *testing.T, line string) string {
	t.Helper()
	i := strings.Index(line, "-EncodedCommand ")
	if i < 0 {
		t.Fatalf("no -EncodedCommand in %q", line)
	}
	raw, err := base64.StdEncoding.DecodeString(line[i+len("-EncodedCommand "):])
	if err != nil {
		t.Fatal(err)
	}
	u := make([]uint16, len(raw)/2)
	for j := range u {
		u[j] = uint16(raw[2*j]) | uint16(raw[2*j+1])<<8
	}
	return string(utf16.Decode(u))
}

// A script runs as powershell.exe -NoProfile -NonInteractive
// -EncodedCommand, exactly the script (no $ProgressPreference prefix);
// its CLIXML error stream, split across stream elements and Receives
// (inside an _x000A_ escape even), comes back as text.
func TestPowerShellScript(t *testing.T) {
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, nil, winrs.Options{})
	script := "Write-Output 'héllo'\nWrite-Error 'it <broke> _x'\nexit 4"
	var errCalls []string
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Script: script, OnOutput: func(stream string, b []byte) {
		if stream == "stderr" {
			errCalls = append(errCalls, string(b))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantErr := "it <broke> _x\r\n    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException\r\n" +
		"    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException\r\n \r\n"
	if string(res.Stdout) != "héllo\r\n" || string(res.Stderr) != wantErr || exit(t, res) != 4 {
		t.Fatalf("got %q %q %v", res.Stdout, res.Stderr, res.ExitCode)
	}
	// The server split the first record inside an escape, across two
	// Receives: the text comes out once it is whole.
	if strings.Join(errCalls, "") != wantErr || count(s, "Receive") < 3 {
		t.Fatalf("stderr callbacks %q over %d Receives", errCalls, count(s, "Receive"))
	}
	cmd := logged(s, "Command")[0]
	line := string(cmd.Body)
	if !strings.Contains(line, "powershell.exe -NoProfile -NonInteractive -EncodedCommand ") {
		t.Fatalf("command %s", line)
	}
	start := strings.Index(line, "powershell.exe")
	end := strings.Index(line[start:], "]]>")
	if got := decodeEncodedCommand(t, line[start:start+end]); got != script {
		t.Fatalf("encoded script %q", got)
	}
}

// A script too long for cmd.exe's command line goes through stdin to a
// small encoded bootstrap; its own stdin follows.
func TestPowerShellLongScriptViaStdin(t *testing.T) {
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, nil, winrs.Options{})
	var b strings.Builder
	var want strings.Builder
	for i := 0; i < 150; i++ {
		fmt.Fprintf(&b, "Write-Output 'line %d ünïcödé'\n", i)
		fmt.Fprintf(&want, "line %d ünïcödé\r\n", i)
	}
	b.WriteString("exit 2")
	if len(b.String()) < 3500 {
		t.Fatal("script too short for the test")
	}
	res, err := r.RunCommand(testCtx(t), &model.CommandRequest{Script: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != want.String() || exit(t, res) != 2 {
		t.Fatalf("stdout %d bytes (want %d), exit %v, stderr %q", len(res.Stdout), want.Len(), res.ExitCode, res.Stderr)
	}
	cmd := string(logged(s, "Command")[0].Body)
	if len(cmd) > 4000 {
		t.Fatalf("the Command request is %d bytes: the script went on the command line", len(cmd))
	}
	if n := count(s, "Send"); n < 1 {
		t.Fatal("no Send")
	}
}

// Arguments and a script do not mix.
func TestPowerShellRefusesArguments(t *testing.T) {
	s := server(t, wsmantest.Options{})
	r, _ := runner(t, s, nil, winrs.Options{})
	_, err := r.RunCommand(testCtx(t), &model.CommandRequest{Script: "x", Arguments: []string{"a"}})
	mustFault(t, err, model.CategoryInvalidParameter)
	_, err = r.RunCommand(testCtx(t), &model.CommandRequest{Script: "x", Command: "y"})
	mustFault(t, err, model.CategoryInvalidParameter)
	if len(s.Requests()) != 0 {
		t.Fatal("a bad request went to the server")
	}
}
