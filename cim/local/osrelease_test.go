package local

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDistroVersion(t *testing.T) {
	for _, c := range []struct {
		versionID, file, content, want string
	}{
		{"12", "debian_version", "12.11\n", "12.11"},
		{"12", "debian_version", "12\n", "12"},
		{"22.04", "debian_version", "bookworm/sid\n", "22.04"}, // Ubuntu
		{"3.19", "alpine-release", "3.19.1\n", "3.19.1"},
		{"9.3", "", "", "9.3"},
		{"1", "debian_version", "12.11", "1"}, // "12.11" is not release 1
		{"", "debian_version", "12.11", ""},   // no VERSION_ID: unknown
	} {
		etc := t.TempDir()
		if c.file != "" {
			if err := os.WriteFile(filepath.Join(etc, c.file), []byte(c.content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rel := map[string]string{}
		if c.versionID != "" {
			rel["VERSION_ID"] = c.versionID
		}
		if got := distroVersion(rel, etc); got != c.want {
			t.Errorf("VERSION_ID %q, %s %q: %q, want %q", c.versionID, c.file, c.content, got, c.want)
		}
	}
}
