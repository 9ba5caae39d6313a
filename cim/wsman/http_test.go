package wsman

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// httpTransport is a minimal Transport over net/http for tests.
type httpTransport struct {
	url    string
	client *http.Client
}

func (h *httpTransport) Post(ctx context.Context, body []byte, _ Effect) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: b}
	}
	return b, nil
}

func (h *httpTransport) Close() error { h.client.CloseIdleConnections(); return nil }

// replayServer answers by Action with canned bodies and records what it
// received.
type replayServer struct {
	mu      sync.Mutex
	answers map[string][]reply // by Action (the last path segment), consumed in order
	log     []string
}

func (s *replayServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	action := actions([][]byte{b})[0]
	s.mu.Lock()
	s.log = append(s.log, action)
	q := s.answers[action]
	var rep reply
	if len(q) > 0 {
		rep, s.answers[action] = q[0], q[1:]
	} else {
		rep = reply{status: 500, body: faultReply("Sender", "a:ActionNotSupported", "no answer for "+action)}
	}
	s.mu.Unlock()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/soap+xml") {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if rep.status != 0 {
		w.WriteHeader(rep.status)
	}
	if rep.status == 0 && !rep.asIs {
		rep.body = answering(b, rep.body)
	}
	w.Write(rep.body)
}

func startReplay(t *testing.T, answers map[string][]reply, opts Options) (*replayServer, *Client) {
	t.Helper()
	rs := &replayServer{answers: answers}
	srv := httptest.NewServer(rs)
	t.Cleanup(srv.Close)
	opts.Endpoint = srv.URL + "/wsman"
	if opts.ComputerName == "" {
		opts.ComputerName = "127.0.0.1"
	}
	c := NewClient(&httpTransport{url: srv.URL + "/wsman", client: srv.Client()}, opts)
	t.Cleanup(func() { c.Close() })
	return rs, c
}

func TestOverHTTPWithFixtures(t *testing.T) {
	ctx := context.Background()
	rs, c := startReplay(t, map[string][]reply{
		"Identify":  {{body: fixture(t, "win_identify_response_unauthenticated.xml")}},
		"Enumerate": {{body: fixture(t, "win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml")}, {status: 500, body: fixture(t, "fault_enumerate_CannotProcessFilter_v2_extendedstatus.xml")}},
		"Pull":      {{body: fixture(t, "win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml")}},
		"Get": {
			{status: 500, body: fixture(t, "mswsmv_4.10_fault_DestinationUnreachable_ResourceNotFound.xml")}, // the schema
			{body: fixture(t, "win_get_Win32_LogicalDisk_response_with_ActivityId.xml")},
		},
	}, Options{URIForm: FormWMI})

	id, err := c.Identify(ctx)
	if err != nil || id.ProductVendor != "Microsoft Corporation" {
		t.Fatalf("Identify: %+v %v", id, err)
	}
	e, err := c.Enumerate(ctx, &model.EnumerateRequest{Query: "select * from Win32_LogicalDisk"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for e.Next(ctx) {
		inst := e.Instance()
		ids = append(ids, prop(t, inst, "DeviceID").Text())
		if inst.ComputerName != "127.0.0.1" {
			t.Errorf("ComputerName = %q", inst.ComputerName)
		}
	}
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if strings.Join(ids, ",") != "C:,D:" {
		t.Errorf("DeviceIDs = %v", ids)
	}
	// The schema request failed: decoding went on without one.
	inst, err := c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Win32_LogicalDisk", Selectors: []model.Selector{{Name: "DeviceID", Value: "c:"}}}})
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, inst, "FreeSpace", "840649814016")

	_, err = c.Enumerate(ctx, &model.EnumerateRequest{Query: `Select * from Win32_Processa where name="sshd.exe"`})
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryInvalidClass || f.HTTPStatus != 500 || f.ComputerName != "127.0.0.1" || f.Machine != "localhost" {
		t.Fatalf("fault = %+v", err)
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	// The query's class schema was asked for once (Get), before the
	// Enumerate, then the Get itself; no Release after EndOfSequence; the
	// bad query's class schema before its Enumerate.
	if got := strings.Join(rs.log, ","); got != "Identify,Get,Enumerate,Pull,Get,Get,Enumerate" {
		t.Errorf("requests = %s", got)
	}
}

func TestOverHTTPStatusReplies(t *testing.T) {
	_, c := startReplay(t, map[string][]reply{
		"Get": {{status: 401, body: []byte("denied")}, {status: 500}, {status: 413}},
	}, Options{NoSchema: true})
	path := &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}
	want := []struct {
		cat  model.Category
		text string
	}{
		{model.CategoryAccessDenied, "credentials rejected"},
		{model.CategoryProtocol, "empty HTTP 500 reply"},
		{model.CategoryQuota, "MaxEnvelopeSizekb"},
	}
	for _, w := range want {
		_, err := c.Get(context.Background(), &model.GetRequest{Path: path})
		f, ok := model.AsFault(err)
		if !ok || f.Category != w.cat || !strings.Contains(f.Error(), w.text) {
			t.Errorf("got %v, want %s containing %q", err, w.cat, w.text)
		}
	}
}
