package local

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// busctlReply is busctl --json=short's form of a method reply.
type busctlReply struct {
	Type string            `json:"type"`
	Data []json.RawMessage `json:"data"`
}

type busctlValue struct {
	Type string `json:"type"`
	Data any    `json:"data"`
}

// recordedUnits reads testdata/systemd (see testdata/README.md) into the
// snapshot the D-Bus source builds.
type recordedUnits struct{ dir string }

func (r recordedUnits) units(context.Context) (*unitSnapshot, error) {
	read := func(name string, v any) error {
		b, err := os.ReadFile(filepath.Join(r.dir, name))
		if err != nil {
			return err
		}
		return json.Unmarshal(b, v)
	}
	var lu, lf busctlReply
	if err := read("list_units.json", &lu); err != nil {
		return nil, err
	}
	if err := read("list_unit_files.json", &lf); err != nil {
		return nil, err
	}
	if lu.Type != "a(ssssssouso)" || lf.Type != "a(ss)" || len(lu.Data) != 1 || len(lf.Data) != 1 {
		return nil, errors.New("unexpected busctl reply shapes")
	}
	var rows [][]any
	if err := json.Unmarshal(lu.Data[0], &rows); err != nil {
		return nil, err
	}
	snap := &unitSnapshot{Props: map[string]map[string]any{}}
	for _, r := range rows {
		s := func(i int) string { v, _ := r[i].(string); return v }
		snap.Loaded = append(snap.Loaded, loadedUnit{Name: s(0), Description: s(1), LoadState: s(2), ActiveState: s(3), SubState: s(4)})
	}
	var files [][]string
	if err := json.Unmarshal(lf.Data[0], &files); err != nil {
		return nil, err
	}
	for _, f := range files {
		snap.Files = append(snap.Files, unitFile{Path: f[0], State: f[1]})
	}
	var props map[string]map[string]busctlValue
	if err := read("properties.json", &props); err != nil {
		return nil, err
	}
	for unit, m := range props {
		snap.Props[unit] = map[string]any{}
		for k, v := range m {
			snap.Props[unit][k] = v.Data
		}
	}
	return snap, nil
}

func TestServiceMappingOnRecordedSystemd(t *testing.T) {
	p, err := newProvider(&collector{systemd: recordedUnits{dir: "testdata/systemd"}})
	if err != nil {
		t.Fatal(err)
	}
	insts := enumClass(t, p, "Win32_Service")
	byName := map[string]*model.Instance{}
	var order []string
	for _, inst := range insts {
		byName[propStr(t, inst, "Name")] = inst
		order = append(order, propStr(t, inst, "Name"))
	}
	want := []string{"apt-daily", "bluetooth", "cron", "getty@tty1", "nginx", "postgresql@15-main", "rsync", "ssh", "systemd-tmpfiles-setup"}
	if len(order) != len(want) {
		t.Fatalf("services = %v, want %v (no template, alias or not-found units)", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("services = %v, want %v", order, want)
		}
	}
	type expect struct {
		display, state, startMode, status string
		started                           bool
		pid                               uint64
		path, startName                   string
	}
	tests := map[string]expect{
		"ssh":                    {"OpenBSD Secure Shell server", "Running", "Auto", "OK", true, 612, "/usr/sbin/sshd -D", "root"},
		"cron":                   {"Regular background program processing daemon", "Running", "Auto", "OK", true, 598, "/usr/sbin/cron -f $EXTRA_OPTS", "root"},
		"nginx":                  {"A high performance web server and a reverse proxy server", "Stopped", "Auto", "Error", false, 0, "/usr/sbin/nginx -g daemon on; master_process on;", "root"},
		"systemd-tmpfiles-setup": {"Create Volatile Files and Directories", "Running", "Manual", "OK", true, 0, "/bin/systemd-tmpfiles --create --remove --boot --exclude-prefix=/dev", "root"},
		"apt-daily":              {"Daily apt download activities", "Stopped", "Manual", "OK", false, 0, "/usr/lib/apt/apt.systemd.daily update", "root"},
		"postgresql@15-main":     {"PostgreSQL Cluster 15-main", "Start Pending", "Auto", "Starting", false, 0, "/usr/bin/pg_ctlcluster --skip-systemctl-redirect 15-main start", "postgres"},
		"rsync":                  {"fast remote file copy program daemon", "Stopped", "Manual", "OK", false, 0, "/usr/bin/rsync --daemon --no-detach", "root"},
		"bluetooth":              {"bluetooth.service", "Stopped", "Disabled", "OK", false, 0, "", "root"},
		"getty@tty1":             {"Getty on tty1", "Running", "Auto", "OK", true, 655, "/sbin/agetty -o -p -- \\u --noclear - $TERM", "root"},
	}
	for name, w := range tests {
		inst := byName[name]
		if inst == nil {
			t.Errorf("no service %s", name)
			continue
		}
		got := expect{
			propStr(t, inst, "DisplayName"), propStr(t, inst, "State"), propStr(t, inst, "StartMode"), propStr(t, inst, "Status"),
			func() bool { b, _ := prop(t, inst, "Started").AsBool(); return b }(),
			propU(t, inst, "ProcessId"), propStr(t, inst, "PathName"), propStr(t, inst, "StartName"),
		}
		if got != w {
			t.Errorf("%s:\n got  %+v\n want %+v", name, got, w)
		}
	}
	if code := propU(t, byName["nginx"], "ExitCode"); code != 1 {
		t.Errorf("nginx ExitCode = %d, want 1", code)
	}
	// The automatic services that are stopped, as the bundled script asks.
	auto := enumerate(t, p, &model.EnumerateRequest{Query: `SELECT Name FROM Win32_Service WHERE StartMode = "Auto" AND State <> "Running"`})
	var names []string
	for _, inst := range auto {
		names = append(names, propStr(t, inst, "Name"))
	}
	if len(names) != 2 || names[0] != "nginx" || names[1] != "postgresql@15-main" {
		t.Errorf("stopped automatic services = %v, want [nginx postgresql@15-main]", names)
	}
	// Get by key.
	ref := &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "ssh"}}}
	if got, err := p.Get(testCtx(t), &model.GetRequest{Path: ref}); err != nil || propU(t, got, "ProcessId") != 612 {
		t.Errorf("Get %s: %v %v", ref, got, err)
	}
}

func TestServicesWithoutSystemd(t *testing.T) {
	if runtime.GOOS == "linux" && systemdRunningForTest() {
		testenv.Skip(t, "systemd runs here; the empty-set case needs a machine without it")
	}
	p := newTestProvider(t)
	insts, err := tryEnumerate(testCtx(t), p, &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil || len(insts) != 0 {
		t.Errorf("Win32_Service without systemd = %d instances, %v; want an empty set", len(insts), err)
	}
}

// A source that fails gives a clear fault, not a panic or an empty set.
type failingUnits struct{}

func (failingUnits) units(context.Context) (*unitSnapshot, error) {
	return nil, errors.New("connection refused")
}

func TestServicesSourceFailure(t *testing.T) {
	p, err := newProvider(&collector{systemd: failingUnits{}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tryEnumerate(testCtx(t), p, &model.EnumerateRequest{ClassName: "Win32_Service"})
	f, ok := model.AsFault(err)
	if !ok || f.CIMStatus != model.CIMFailed {
		t.Fatalf("err = %v, want a CIM_ERR_FAILED fault", err)
	}
}

func TestServiceStateTables(t *testing.T) {
	for _, tt := range []struct{ active, state, status string }{
		{"active", "Running", "OK"}, {"reloading", "Running", "OK"}, {"inactive", "Stopped", "OK"},
		{"failed", "Stopped", "Error"}, {"activating", "Start Pending", "Starting"},
		{"deactivating", "Stop Pending", "Stopping"}, {"weird", "Unknown", "Unknown"},
	} {
		if s, st, _ := serviceState(tt.active); s != tt.state || st != tt.status {
			t.Errorf("serviceState(%q) = %q %q, want %q %q", tt.active, s, st, tt.state, tt.status)
		}
	}
	for in, want := range map[string]string{"enabled": "Auto", "enabled-runtime": "Auto", "generated": "Auto",
		"disabled": "Manual", "static": "Manual", "indirect": "Manual", "masked": "Disabled", "": "Manual"} {
		if got := startMode(in); got != want {
			t.Errorf("startMode(%q) = %q, want %q", in, got, want)
		}
	}
}
