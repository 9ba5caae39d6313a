package local

import (
	"context"
	"os"
	"reflect"
	"strings"

	"github.com/godbus/dbus/v5"
)

// systemBusUnits reads systemd's units through its D-Bus API
// (org.freedesktop.systemd1 on the system bus), the interface systemctl
// itself uses.
type systemBusUnits struct{}

// systemdRunning reports whether systemd is the init system, the test
// sd_booted(3) makes.
func systemdRunning() bool {
	fi, err := os.Stat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

// unitProperties are the properties read of each unit.
var unitProperties = []string{"Description", "LoadState", "ActiveState", "SubState", "UnitFileState", "CanStop", "FragmentPath",
	"Requires", "Requisite", "BindsTo", "Wants"}
var serviceProperties = []string{"MainPID", "ExecStart", "User", "ExecMainStatus", "Type"}

func (systemBusUnits) units(ctx context.Context) (*unitSnapshot, error) {
	if !systemdRunning() {
		return nil, nil
	}
	conn, err := connectSystemd(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	mgr := conn.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1")

	var rows []struct {
		Name, Description, LoadState, ActiveState, SubState, Followed string
		Path                                                          dbus.ObjectPath
		JobID                                                         uint32
		JobType                                                       string
		JobPath                                                       dbus.ObjectPath
	}
	patterns := []string{"*.service"}
	if err := mgr.CallWithContext(ctx, "org.freedesktop.systemd1.Manager.ListUnitsByPatterns", 0, []string{}, patterns).Store(&rows); err != nil {
		// systemd before 230 has only ListUnits.
		if err := mgr.CallWithContext(ctx, "org.freedesktop.systemd1.Manager.ListUnits", 0).Store(&rows); err != nil {
			return nil, err
		}
	}
	var files []struct{ Path, State string }
	if err := mgr.CallWithContext(ctx, "org.freedesktop.systemd1.Manager.ListUnitFilesByPatterns", 0, []string{}, patterns).Store(&files); err != nil {
		if err := mgr.CallWithContext(ctx, "org.freedesktop.systemd1.Manager.ListUnitFiles", 0).Store(&files); err != nil {
			return nil, err
		}
	}

	snap := &unitSnapshot{Props: map[string]map[string]any{}}
	paths := map[string]dbus.ObjectPath{}
	for _, r := range rows {
		if !strings.HasSuffix(r.Name, ".service") {
			continue
		}
		snap.Loaded = append(snap.Loaded, loadedUnit{Name: r.Name, Description: r.Description, LoadState: r.LoadState, ActiveState: r.ActiveState, SubState: r.SubState})
		paths[r.Name] = r.Path
	}
	for _, f := range files {
		snap.Files = append(snap.Files, unitFile{Path: f.Path, State: f.State})
		name := f.Path[strings.LastIndex(f.Path, "/")+1:]
		if _, ok := paths[name]; ok || !strings.HasSuffix(name, ".service") || strings.HasSuffix(name, "@.service") || f.State == "alias" {
			continue
		}
		// A unit that is installed but not loaded: loading it (as
		// systemctl show does) makes its description and command readable.
		var p dbus.ObjectPath
		if err := mgr.CallWithContext(ctx, "org.freedesktop.systemd1.Manager.LoadUnit", 0, name).Store(&p); err == nil {
			paths[name] = p
		}
	}
	for name, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		obj := conn.Object("org.freedesktop.systemd1", p)
		props := map[string]any{}
		readProps(ctx, obj, "org.freedesktop.systemd1.Unit", unitProperties, props)
		readProps(ctx, obj, "org.freedesktop.systemd1.Service", serviceProperties, props)
		snap.Props[name] = props
	}
	return snap, nil
}

// connectSystemd connects to the system bus, or, on a system without a
// bus daemon, to systemd's private socket (root only), as systemctl does.
func connectSystemd(ctx context.Context) (*dbus.Conn, error) {
	conn, err := dbus.ConnectSystemBus(dbus.WithContext(ctx))
	if err == nil {
		return conn, nil
	}
	private, perr := dbus.Dial("unix:path=/run/systemd/private", dbus.WithContext(ctx))
	if perr != nil {
		return nil, err
	}
	if perr := private.Auth(nil); perr != nil {
		private.Close()
		return nil, err
	}
	return private, nil
}

// readProps copies the wanted properties of one interface into props as
// plain Go values; a unit that vanished meanwhile simply has none.
func readProps(ctx context.Context, obj dbus.BusObject, iface string, want []string, props map[string]any) {
	var all map[string]dbus.Variant
	if err := obj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.GetAll", 0, iface).Store(&all); err != nil {
		return
	}
	for _, k := range want {
		if v, ok := all[k]; ok {
			props[k] = plain(v.Value())
		}
	}
}

// plain turns godbus's decoded values into the shapes busctl's JSON
// gives: slices (arrays and structs) become []any, scalars stay.
func plain(v any) any {
	switch x := v.(type) {
	case dbus.Variant:
		return plain(x.Value())
	case dbus.ObjectPath:
		return string(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() != reflect.Uint8 {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plain(rv.Index(i).Interface())
		}
		return out
	}
	return v
}
