package e2e

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/internal/testenv"
)

// fixture reads a captured message from $CIMSH_FIXTURES (skipped where
// unset, failed under CIMSH_STRICT=1).
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	return testenv.Fixture(t, name)
}

// The captured Windows context of the two-page Win32_LogicalDisk capture.
const capturedContext = "uuid:5BB9D3D1-8FF1-40FA-ADA2-BE91F7F050E6"

var (
	messageID = regexp.MustCompile(`<a:MessageID>([^<]*)<`)
	relatesTo = regexp.MustCompile(`(<(?:[\w-]+:)?RelatesTo>)[^<]*(<)`)
)

// replayer answers some requests with captured Windows replies, byte for
// byte, in front of the test server's own handler, and logs what it saw.
type replayer struct {
	page0, page1, fragment, schemaFault []byte

	mu   sync.Mutex
	seen []string
}

func (r *replayer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		has := func(s string) bool { return bytes.Contains(body, []byte(s)) }
		var reply []byte
		status, op := http.StatusOK, ""
		switch {
		case has("enumeration/Enumerate<") && has("Win32_LogicalDisk"):
			op, reply = "Enumerate disks", r.page0
		case has("enumeration/Pull<") && has(capturedContext):
			op, reply = "Pull captured context", r.page1
		case has("enumeration/Pull<"):
			op, reply = "Pull other context", nil
		case has("enumeration/Release<"):
			op = "Release"
		case has("enumeration/Enumerate<") && has("Win32_OperatingSystem"):
			op, reply = "Enumerate OS", r.fragment
		case has("transfer/Get<") && has("cim-xml"):
			// This Windows serves no schemas: the captured
			// DestinationUnreachable.
			op, reply, status = "Get schema", r.schemaFault, http.StatusInternalServerError
		}
		r.mu.Lock()
		if op != "" {
			r.seen = append(r.seen, op)
		}
		r.mu.Unlock()
		if reply == nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, req)
			return
		}
		// The captured reply, relating to this request as the server's
		// would (the client checks RelatesTo).
		if id := messageID.FindSubmatch(body); id != nil {
			reply = relatesTo.ReplaceAll(reply, []byte("${1}"+string(id[1])+"${2}"))
		}
		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
		w.WriteHeader(status)
		w.Write(reply)
	})
}

func (r *replayer) ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// A session against real Windows replies, replayed byte for byte over
// HTTP: a two-page enumeration (Pull with the server's context, nothing
// to release after EndOfSequence), an XmlFragment property list, and a
// server that serves no class schemas, which degrades to schema-less
// decoding rather than failing the query.
func TestCapturedWindowsReplies(t *testing.T) {
	r := &replayer{
		page0:       fixture(t, "win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml"),
		page1:       fixture(t, "win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml"),
		fragment:    fixture(t, "win2012_enumerate_wql_proplist_Win32_OperatingSystem_response_xmlfragment.xml"),
		schemaFault: fixture(t, "mswsmv_4.10_fault_DestinationUnreachable_ResourceNotFound.xml"),
	}
	srv := wsmantest.NewServer(t, wsmantest.Options{Auth: r.wrap})
	s := open(t, config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true}))
	ctx := testCtx(t)

	disks, err := s.GetInstances(ctx, cim.InstanceQuery{Query: "SELECT * FROM Win32_LogicalDisk"})
	if err != nil {
		t.Fatalf("captured two-page enumeration: %v (replayer saw %v)", err, r.ops())
	}
	if len(disks) != 2 || text(disks[0], "DeviceID") != "C:" || text(disks[1], "DeviceID") != "D:" {
		t.Fatalf("disks: %d, %s %s", len(disks), text(disks[0], "DeviceID"), text(disks[len(disks)-1], "DeviceID"))
	}
	if text(disks[0], "Size") != "32210153472" || text(disks[1], "FreeSpace") != "53584777216" || text(disks[1], "VolumeName") != "New Volume" {
		t.Errorf("values: C: Size %s, D: FreeSpace %s VolumeName %s", text(disks[0], "Size"), text(disks[1], "FreeSpace"), text(disks[1], "VolumeName"))
	}
	if v, _ := disks[0].Get("Availability"); !v.IsNull() {
		t.Errorf("xsi:nil Availability decoded as %v", v)
	}
	pulls, releases := 0, 0
	for _, op := range r.ops() {
		switch op {
		case "Pull captured context":
			pulls++
		case "Pull other context":
			t.Errorf("a Pull named a context the server never gave")
		case "Release":
			releases++
		}
	}
	t.Logf("replayed: %v", r.ops())
	if pulls != 1 || releases != 0 {
		t.Errorf("%d Pulls with the captured context and %d Releases (%v)", pulls, releases, r.ops())
	}

	osi, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_OperatingSystem", Property: []string{"Caption", "InstallDate", "CSDVersion"}, Filter: "Primary = TRUE"})
	if err != nil {
		t.Fatalf("captured XmlFragment: %v", err)
	}
	if len(osi) != 1 || text(osi[0], "Caption") != "Microsoft Windows Server 2012 Standard" {
		t.Fatalf("OS: %v", osi)
	}
	if v, _ := osi[0].Get("InstallDate"); func() bool { _, ok := v.AsDatetime(); return !ok }() {
		t.Errorf("InstallDate %v (%s) is not a datetime", v, v.Type())
	}
	if v, _ := osi[0].Get("CSDVersion"); !v.IsNull() {
		t.Errorf("CSDVersion %v, want NULL", v)
	}
	if c := srv.Counters(); c.Enumerations != 0 {
		t.Errorf("the test server holds %d contexts: a request meant for the capture reached it", c.Enumerations)
	}
}
