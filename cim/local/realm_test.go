package local

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDomainMembership reads recorded sssd and Samba configurations:
// Domain, Workgroup and PartOfDomain say what they configure, and NULL
// where the configuration cannot be read (never an invented WORKGROUP).
func TestDomainMembership(t *testing.T) {
	unreadable := t.TempDir()
	// sssd.conf is root's alone; a directory in its place fails to read
	// the same way for any user.
	os.MkdirAll(filepath.Join(unreadable, "etc/sssd/sssd.conf"), 0o700)
	const null = "NULL"
	for _, c := range []struct {
		root                        string
		domain, workgroup, inDomain string
	}{
		{"testdata/realm/sssd-ad", "corp.example.com", null, "true"},
		{"testdata/realm/sssd-ipa", "ipa.example.org", null, "true"},
		{"testdata/realm/samba-ads", "corp.example.com", null, "true"},
		{"testdata/realm/samba-domain", "LEGACY", null, "true"},
		{"testdata/realm/samba-workgroup", "OFFICE", "OFFICE", "false"},
		{"testdata/realm/samba-default", "WORKGROUP", "WORKGROUP", "false"},
		{"testdata/realm/sssd-files", null, null, "false"},
		{"testdata/realm/none", null, null, "false"},
		{unreadable, null, null, null},
	} {
		p, err := newProvider(&collector{sysRoot: c.root, dmiRoot: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		cs := enumClass(t, p, "Win32_ComputerSystem")[0]
		for name, want := range map[string]string{"Domain": c.domain, "Workgroup": c.workgroup, "PartOfDomain": c.inDomain,
			"Status": null, "BootupState": null} { // nothing reads the system's health or how it booted
			v := prop(t, cs, name)
			got := v.Text()
			if v.IsNull() {
				got = null
			}
			if got != want {
				t.Errorf("%s: %s = %s, want %s", filepath.Base(c.root), name, got, want)
			}
		}
	}
}
