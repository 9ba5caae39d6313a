package local

import (
	"context"
	"math"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_Service: systemd's service units, where systemd runs (an empty
// set elsewhere: no systemd, macOS's launchd, Windows for now).
//
// Mapping: Name is the unit name without ".service" ("ssh"), DisplayName
// and Description systemd's Description ("OpenBSD Secure Shell server"),
// State Running for an active unit, Stopped for an inactive or failed one,
// Start Pending / Stop Pending while activating / deactivating; Started
// whether it is active; StartMode Auto for an enabled unit (enabled,
// linked, generated, alias), Disabled for a masked one, Manual otherwise
// (disabled, static, indirect: startable, not started at boot); Status
// Error for a failed unit, Starting / Stopping in transition, else OK;
// ProcessId the main pid (0 when stopped, as on Windows); PathName the
// first ExecStart command line; StartName the User= the service runs as
// (root when unset); ExitCode the main process's last exit status.
// Template units (name@.service) and units whose file is missing are not
// services one can query, and are left out.

// unitSource reads systemd's units. units returns nil, nil where systemd
// does not run.
type unitSource interface {
	units(ctx context.Context) (*unitSnapshot, error)
}

// unitSnapshot is what systemd's manager tells about service units: the
// loaded units (ListUnits), the installed unit files (ListUnitFiles) and
// the properties of each unit (Properties.GetAll on its Unit and Service
// interfaces, merged), keyed by unit name. Property values are plain Go
// values: strings, numbers, booleans and []any for D-Bus arrays and
// structs.
type unitSnapshot struct {
	Loaded []loadedUnit
	Files  []unitFile
	Props  map[string]map[string]any
}

type loadedUnit struct {
	Name, Description, LoadState, ActiveState, SubState string
}

type unitFile struct {
	Path, State string
}

func (c *collector) listServices(ctx context.Context) ([]*model.Instance, error) {
	if c.systemd == nil {
		return nil, nil
	}
	snap, err := c.systemd.units(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_Service: reading systemd units: %v", err)
	}
	if snap == nil {
		return nil, nil
	}
	return c.serviceInstances(snap, hostname()), nil
}

// serviceInstances maps a snapshot to Win32_Service instances, sorted by
// name as Windows lists services.
func (c *collector) serviceInstances(snap *unitSnapshot, host string) []*model.Instance {
	type unit struct {
		loaded    *loadedUnit
		fileState string
	}
	units := map[string]*unit{}
	for i := range snap.Loaded {
		u := &snap.Loaded[i]
		if !strings.HasSuffix(u.Name, ".service") || u.LoadState == "not-found" {
			continue
		}
		units[u.Name] = &unit{loaded: u}
	}
	for _, f := range snap.Files {
		name := f.Path[strings.LastIndex(f.Path, "/")+1:]
		if !strings.HasSuffix(name, ".service") || strings.HasSuffix(name, "@.service") || f.State == "alias" {
			continue
		}
		if u, ok := units[name]; ok {
			if u.fileState == "" {
				u.fileState = f.State
			}
			continue
		}
		units[name] = &unit{fileState: f.State}
	}
	names := make([]string, 0, len(units))
	for n := range units {
		names = append(names, n)
	}
	sort.Strings(names)

	cls := c.s.class("Win32_Service")
	out := make([]*model.Instance, 0, len(names))
	for _, n := range names {
		u := units[n]
		props := snap.Props[n]
		inst := newInstance(cls)
		short := strings.TrimSuffix(n, ".service")
		desc := propString(props, "Description")
		active := propString(props, "ActiveState")
		loadState := propString(props, "LoadState")
		if u.loaded != nil {
			if desc == "" {
				desc = u.loaded.Description
			}
			if active == "" {
				active = u.loaded.ActiveState
			}
			if loadState == "" {
				loadState = u.loaded.LoadState
			}
		}
		if loadState == "not-found" {
			continue
		}
		if desc == "" {
			desc = short
		}
		if active == "" {
			active = "inactive"
		}
		fileState := propString(props, "UnitFileState")
		if fileState == "" {
			fileState = u.fileState
		}
		if loadState == "masked" && fileState == "" {
			fileState = "masked"
		}
		state, status, started := serviceState(active)
		inst.Set("Name", model.String(short))
		inst.Set("DisplayName", model.String(desc))
		inst.Set("Caption", model.String(desc))
		inst.Set("Description", model.String(desc))
		inst.Set("State", model.String(state))
		inst.Set("Status", model.String(status))
		inst.Set("Started", boolean(started))
		inst.Set("StartMode", model.String(startMode(fileState)))
		inst.Set("ServiceType", model.String("Own Process"))
		setSystemElement(inst, "Win32_Service", host)
		inst.Set("AcceptPause", boolean(false))
		inst.Set("DelayedAutoStart", boolean(false))
		inst.Set("DesktopInteract", boolean(false))
		inst.Set("CheckPoint", u32(0))
		inst.Set("WaitHint", u32(0))
		pid, _ := propUint(props, "MainPID")
		if !started {
			pid = 0
		}
		inst.Set("ProcessId", u32(pid))
		if canStop, ok := props["CanStop"].(bool); ok {
			inst.Set("AcceptStop", boolean(canStop && started))
		}
		if path := execStartLine(props["ExecStart"]); path != "" {
			inst.Set("PathName", model.String(path))
		}
		if props != nil {
			user := propString(props, "User")
			if user == "" {
				user = "root"
			}
			inst.Set("StartName", model.String(user))
		}
		if code, ok := propInt(props, "ExecMainStatus"); ok && code >= 0 {
			inst.Set("ExitCode", u32(uint64(code)))
		}
		out = append(out, inst)
	}
	return out
}

// serviceState maps systemd's ActiveState to Win32_Service State, Status
// and Started.
func serviceState(active string) (state, status string, started bool) {
	switch active {
	case "active", "reloading", "refreshing":
		return "Running", "OK", true
	case "activating":
		return "Start Pending", "Starting", false
	case "deactivating":
		return "Stop Pending", "Stopping", true
	case "failed":
		return "Stopped", "Error", false
	case "inactive", "maintenance":
		return "Stopped", "OK", false
	}
	return "Unknown", "Unknown", false
}

// startMode maps systemd's UnitFileState to Win32_Service StartMode.
func startMode(fileState string) string {
	switch fileState {
	case "enabled", "enabled-runtime", "linked", "linked-runtime", "generated", "alias":
		return "Auto"
	case "masked", "masked-runtime":
		return "Disabled"
	}
	return "Manual"
}

// propString, propInt and propUint read a property of either source:
// godbus gives Go integer types, busctl's JSON float64.
func propString(props map[string]any, name string) string {
	s, _ := props[name].(string)
	return s
}

func propInt(props map[string]any, name string) (int64, bool) {
	switch v := props[name].(type) {
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint32:
		return int64(v), true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), true
		}
	case float64:
		if v >= math.MinInt64 && v < math.MaxInt64 {
			return int64(v), true
		}
	}
	return 0, false
}

// propUint is propInt for properties that cannot be negative: ok is false
// for a negative value.
func propUint(props map[string]any, name string) (uint64, bool) {
	n, ok := propInt(props, name)
	if !ok || n < 0 {
		return 0, false
	}
	return uint64(n), true
}

// execStartLine returns the first command of an ExecStart property
// (a(sasbttttuii): path, argv, ignore-failure, times, pid, status) as a
// command line: argv[0] replaced by the path, as Windows' PathName holds
// the executable's full path and its arguments.
func execStartLine(v any) string {
	cmds, ok := v.([]any)
	if !ok || len(cmds) == 0 {
		return ""
	}
	first, ok := cmds[0].([]any)
	if !ok || len(first) < 2 {
		return ""
	}
	path, _ := first[0].(string)
	argv, _ := first[1].([]any)
	parts := []string{path}
	for i, a := range argv {
		if s, ok := a.(string); ok && i > 0 {
			parts = append(parts, s)
		}
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}
