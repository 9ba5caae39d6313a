package serve

import (
	"bytes"
	"flag"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// dcomserve with -listen on port 0 serves on a free port, says where, and
// serves while a command runs, which gets the endpoint mapper's address
// and whose exit status it returns.
func TestServeWhileCommandRuns(t *testing.T) {
	t.Setenv("DCOMSERVE_PASSWORD", "pw")
	for _, want := range []int{0, 3} {
		t.Setenv("SERVE_CHILD_EXIT", strconv.Itoa(want))
		var out bytes.Buffer
		code := Main([]string{"-listen", "127.0.0.1:0", "-user", "admin", "--", os.Args[0], "-test.run=^TestServeChild$", "{addr}"}, &out, &out)
		m := regexp.MustCompile(`^dcomserve: endpoint mapper (127\.0\.0\.1:(\d+)), object exporter 127\.0\.0\.1:\d+\n`).FindStringSubmatch(out.String())
		if m == nil || m[2] == "0" || m[2] == "135" {
			t.Fatalf("first line: %q", out.String())
		}
		if code != want || !strings.Contains(out.String(), "child: connected to "+m[1]) {
			t.Fatalf("exit %d, want %d; output:\n%s", code, want, out.String())
		}
	}
	t.Setenv("DCOMSERVE_PASSWORD", "")
	var errOut bytes.Buffer
	if code := Main([]string{"-user", "admin", "-listen", "127.0.0.1:0"}, &bytes.Buffer{}, &errOut); code != 2 || errOut.String() != "dcomserve: set DCOMSERVE_PASSWORD for -user\n" {
		t.Fatalf("without DCOMSERVE_PASSWORD: exit %d, %q", code, errOut.String())
	}
}

// TestServeChild is the command TestServeWhileCommandRuns runs: it
// checks that {addr} and DCOMSERVE_ADDR name the endpoint mapper, which
// accepts a connection.
func TestServeChild(t *testing.T) {
	addr := os.Getenv("DCOMSERVE_ADDR")
	if addr == "" {
		return // only as TestServeWhileCommandRuns's child
	}
	if flag.Arg(0) != addr {
		t.Fatalf("{addr} became %q, DCOMSERVE_ADDR is %q", flag.Arg(0), addr)
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	os.Stdout.WriteString("child: connected to " + addr + "\n")
	code, _ := strconv.Atoi(os.Getenv("SERVE_CHILD_EXIT"))
	os.Exit(code)
}
