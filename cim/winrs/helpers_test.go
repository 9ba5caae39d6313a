package winrs_test

import (
	"context"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

const (
	testUser     = "alice"
	testPassword = "Winrs-Pa55word"
)

// server starts a Basic-auth test server with o's other settings.
func server(t *testing.T, o wsmantest.Options) *wsmantest.Server {
	t.Helper()
	if o.BasicUsers == nil && o.NTLMUsers == nil && o.AuthConfig == nil {
		o.BasicUsers = map[string]string{testUser: testPassword}
		o.AllowUnencrypted = true
	}
	return wsmantest.NewServer(t, o)
}

// runner returns a runner over a transport to s (Basic over HTTP unless
// cfg says otherwise) and closes both when the test ends.
func runner(t *testing.T, s *wsmantest.Server, cfg *transport.Config, o winrs.Options) (*winrs.Runner, *transport.Client) {
	t.Helper()
	c := transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthBasic, NoEncryption: true, User: testUser, Password: testPassword}
	if cfg != nil {
		c = *cfg
	}
	tr, err := transport.New(c)
	if err != nil {
		t.Fatal(err)
	}
	if o.Endpoint == "" {
		o.Endpoint = s.URL()
	}
	if o.ComputerName == "" {
		o.ComputerName = "wsmantest"
	}
	r, err := winrs.New(tr, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.Close()
		tr.Close()
	})
	return r, tr
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ops lists the server's operations in order, comma-separated.
func ops(s *wsmantest.Server) string { return strings.Join(s.Operations(), ",") }

func count(s *wsmantest.Server, op string) int {
	n := 0
	for _, l := range s.Requests() {
		if l.Operation == op {
			n++
		}
	}
	return n
}

func logged(s *wsmantest.Server, op string) []wsmantest.LoggedRequest {
	var out []wsmantest.LoggedRequest
	for _, l := range s.Requests() {
		if l.Operation == op {
			out = append(out, l)
		}
	}
	return out
}

func exit(t *testing.T, res *model.CommandResult) int64 {
	t.Helper()
	if res.ExitCode == nil {
		t.Fatal("no exit code")
	}
	return *res.ExitCode
}

// mustFault asserts err is a fault of category c.
func mustFault(t *testing.T, err error, c model.Category) *model.Fault {
	t.Helper()
	f, ok := model.AsFault(err)
	if !ok {
		t.Fatalf("error %v (%T) is not a fault", err, err)
	}
	if f.Category != c {
		t.Fatalf("fault category %s, want %s: %v", f.Category, c, f)
	}
	return f
}

// events is a Logf hook that reports each logged operation on a channel.
type events struct {
	mu   sync.Mutex
	subs map[string]chan struct{}
}

func newEvents() *events { return &events{subs: map[string]chan struct{}{}} }

func (e *events) logf(format string, args ...any) {
	if len(args) == 0 {
		return
	}
	op, _ := args[0].(string)
	e.mu.Lock()
	ch := e.subs[op]
	e.mu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// on returns a channel that receives when op is logged.
func (e *events) on(op string) <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	ch := make(chan struct{}, 64)
	e.subs[op] = ch
	return ch
}

func hostPort(t *testing.T, raw string) (string, int) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	h, p, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func newTransport(s *wsmantest.Server) (*transport.Client, error) {
	return transport.New(transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthBasic, NoEncryption: true, User: testUser, Password: testPassword})
}
