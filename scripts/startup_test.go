package scripts_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestStartupInitIsLight checks what package initialisation costs every
// run of cimsh, in bytes allocated (GODEBUG=inittrace=1), not in time:
// a package-level regexp with a bounded repetition over Unicode classes
// once cost every start 20 MB and 24 ms (cim/cdxml's name patterns).
func TestStartupInitIsLight(t *testing.T) {
	const perPackage, total = 1 << 20, 4 << 20
	cmd := exec.Command(cimsh, "-e", "print(1)")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("cimsh -e 'print(1)': %v\n%s", err, stderr.String())
	}
	sum, lines := 0, 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init PKG @T ms, C ms clock, B bytes, A allocs
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		b, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", sc.Text(), err)
		}
		lines++
		sum += b
		if b > perPackage {
			t.Errorf("initialising %s allocates %d bytes at every start (want at most %d): make it lazy", f[1], b, perPackage)
		}
	}
	if lines == 0 {
		t.Fatalf("no inittrace lines in:\n%s", stderr.String())
	}
	t.Logf("%d packages initialised, %d bytes", lines, sum)
	if sum > total {
		t.Errorf("package initialisation allocates %d bytes at every start, want at most %d", sum, total)
	}
}
