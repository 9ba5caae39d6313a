package local

import (
	"testing"

	"github.com/godbus/dbus/v5"
)

func systemdRunningForTest() bool { return systemdRunning() }

// godbus decodes ExecStart (a(sasbttttuii)) into nested slices of Go
// types; plain must turn them into the shape the mapping reads.
func TestPlainGodbusValues(t *testing.T) {
	v := dbus.MakeVariant([][]any{{"/usr/sbin/sshd", []string{"/usr/sbin/sshd", "-D"}, false, uint64(1), uint64(2), uint64(3), uint64(4), uint32(612), int32(1), int32(0)}})
	props := map[string]any{"ExecStart": plain(v), "MainPID": plain(dbus.MakeVariant(uint32(612))), "Unit": plain(dbus.ObjectPath("/a"))}
	if got := execStartLine(props["ExecStart"]); got != "/usr/sbin/sshd -D" {
		t.Errorf("execStartLine = %q", got)
	}
	if pid, ok := propUint(props, "MainPID"); !ok || pid != 612 {
		t.Errorf("MainPID = %d %v", pid, ok)
	}
	if props["Unit"] != "/a" {
		t.Errorf("object path = %#v", props["Unit"])
	}
}
