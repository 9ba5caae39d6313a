//go:build unix

package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// The summary is printed without -v: the test binary run as go test
// runs it (output to a pipe), without a controlling terminal.
func TestSummaryPrinted(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestSkipper$")
	cmd.Env = append(os.Environ(), "TESTENV_SKIPPER=1", StrictEnv+"=")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no /dev/tty
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := "skip\tgithub.com/cimsh/cimsh/internal/testenv\t1 test: " + NoFixtures + "\n"
	if !strings.HasSuffix(out.String(), want) {
		t.Fatalf("output:\n%s\nwant it to end with\n%s", out.String(), want)
	}
}
