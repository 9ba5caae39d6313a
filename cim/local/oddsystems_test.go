package local

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// A system without os-release (minimal containers, macOS) still names its
// OS, and Win32_Process.OSName repeats Win32_OperatingSystem.Name as on
// Windows, rather than one of them going NULL.
func TestWithoutOSRelease(t *testing.T) {
	saved := osReleasePaths
	osReleasePaths = []string{filepath.Join(t.TempDir(), "os-release")}
	t.Cleanup(func() { osReleasePaths = saved })

	p := newTestProvider(t)
	osi := enumClass(t, p, "Win32_OperatingSystem")[0]
	caption, name := propStr(t, osi, "Caption"), propStr(t, osi, "Name")
	if caption == "" || name == "" {
		t.Fatalf("without os-release: Caption %q, Name %q; want both set", caption, name)
	}
	self, err := p.Get(testCtx(t), &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Process",
		Selectors: []model.Selector{{Name: "Handle", Value: strconv.Itoa(os.Getpid())}}}})
	if err != nil {
		t.Fatalf("Get this process: %v", err)
	}
	if got := propStr(t, self, "OSName"); got != name {
		t.Errorf("Win32_Process.OSName = %q, Win32_OperatingSystem.Name %q", got, name)
	}
}
