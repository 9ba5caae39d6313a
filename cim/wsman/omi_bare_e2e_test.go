package wsman_test

import (
	"bytes"
	"context"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestE2EOMIBareDatetimes: OMI wraps datetimes in cim:Datetime only for
// User-Agent "Microsoft WinRM Client"; to any other client it writes
// the bare text (2001-01-01T01:01:01.000001+13:50, P1DT2H3M4.5S), and
// the class schema says which strings are datetimes. Over real HTTP
// with another User-Agent, every value kind (embedded and array
// datetimes too) decodes as it does wrapped, and a Put of what was read
// changes nothing.
func TestE2EOMIBareDatetimes(t *testing.T) {
	const agent = "cimsh-test (not WinRM)"
	srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: wsmantest.OMI, BasicUsers: map[string]string{"tester": "S3cret!pw"}, AllowUnencrypted: true})
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	tr, err := transport.New(transport.Config{Host: u.Hostname(), Port: port, Prefix: u.Path, Auth: transport.AuthBasic,
		User: "tester", Password: "S3cret!pw", NoEncryption: true, UserAgent: agent})
	if err != nil {
		t.Fatal(err)
	}
	c := wsman.NewClient(tr, wsman.Options{Endpoint: srv.URL(), ComputerName: u.Hostname()})
	t.Cleanup(func() { c.Close() })

	// Keep the instance replies to check what the server sent.
	var mu sync.Mutex
	var replies [][]byte
	srv.RewriteReplies(func(l *wsmantest.LoggedRequest) bool { return l.Operation == "Get" || l.Operation == "Enumerate" }, -1,
		func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			mu.Lock()
			replies = append(replies, bytes.Clone(r.Body))
			mu.Unlock()
		})

	ctx := context.Background()
	path := &model.Reference{ClassName: "Cimsh_ValueKinds", Selectors: []model.Selector{{Name: "Id", Value: "all"}}}
	got, err := c.Get(ctx, &model.GetRequest{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	want := wsmantest.KindsValues()
	for _, p := range want.All() {
		if p.Value.IsArray() && p.Value.Len() == 0 && !p.Value.IsNull() {
			continue // WinRM leaves empty arrays out
		}
		if v, ok := got.Get(p.Name); !ok || !model.Equal(v, p.Value) {
			t.Errorf("%s = %v (%v), want %v (%v)", p.Name, v, v.Type(), p.Value, p.Value.Type())
		}
	}
	putGetsBack(ctx, t, c, path, got)
	// An enumeration, typed by the same schema.
	oses := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_OperatingSystem"}))
	if len(oses) != 1 || get(t, oses[0], "LastBootUpTime").Type() != model.TypeDatetime {
		t.Fatalf("Win32_OperatingSystem: %v", oses)
	}

	for _, l := range srv.Requests() {
		if l.UserAgent != agent {
			t.Fatalf("%s sent User-Agent %q", l.Operation, l.UserAgent)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	instances := 0
	for _, r := range replies {
		if bytes.Contains(r, []byte("Cimsh_ValueKinds")) || bytes.Contains(r, []byte("LastBootUpTime")) {
			instances++
			if bytes.Contains(r, []byte("Datetime>")) || bytes.Contains(r, []byte("Interval>")) {
				t.Fatalf("the OMI dialect wrapped datetimes for User-Agent %q:\n%s", agent, r)
			}
		}
	}
	if instances < 3 {
		t.Fatalf("%d instance replies seen", instances)
	}
}
