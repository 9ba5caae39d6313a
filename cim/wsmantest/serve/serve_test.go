package serve

import (
	"bytes"
	"context"
	"flag"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// wsmanserve listens on a free port by default, even when 5985 is taken
// (a real WinRM or OMI often is), says where, and serves while a command
// runs, which gets the URL and whose exit status it returns.
func TestServeWhileCommandRuns(t *testing.T) {
	if l, err := net.Listen("tcp", "127.0.0.1:5985"); err == nil {
		defer l.Close() // taken now, as on a machine running WinRM
	}
	t.Setenv("WSMANSERVE_PASSWORD", "pw")
	for _, want := range []int{0, 3} {
		t.Setenv("SERVE_CHILD_EXIT", strconv.Itoa(want))
		var out bytes.Buffer
		code := Main([]string{"-user", "admin", "--", os.Args[0], "-test.run=^TestServeChild$", "{url}"}, &out, &out)
		m := regexp.MustCompile(`^wsmanserve: windows dialect at (http://127\.0\.0\.1:(\d+)/wsman)\n`).FindStringSubmatch(out.String())
		if m == nil || m[2] == "5985" {
			t.Fatalf("first line: %q", out.String())
		}
		if code != want || !strings.Contains(out.String(), "child: identified "+m[1]) {
			t.Fatalf("exit %d, want %d; output:\n%s", code, want, out.String())
		}
	}
}

// TestServeChild is the command TestServeWhileCommandRuns runs: it
// checks that {url} and WSMANSERVE_URL name a server that answers.
func TestServeChild(t *testing.T) {
	url := os.Getenv("WSMANSERVE_URL")
	if url == "" {
		return // only as TestServeWhileCommandRuns's child
	}
	if flag.Arg(0) != url {
		t.Fatalf("{url} became %q, WSMANSERVE_URL is %q", flag.Arg(0), url)
	}
	host, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/wsman"))
	p, _ := strconv.Atoi(port)
	tr, err := transport.New(transport.Config{Host: host, Port: p, Auth: transport.AuthBasic, NoEncryption: true, User: "admin", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	c := wsman.NewClient(tr, wsman.Options{Endpoint: url})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Identify(ctx); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("child: identified " + url + "\n")
	code, _ := strconv.Atoi(os.Getenv("SERVE_CHILD_EXIT"))
	os.Exit(code)
}
