package local

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// copyTree copies testdata/dpkg to a temporary root, so the test can set
// file times (git does not keep them).
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, in)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestProductsFromRecordedDpkg(t *testing.T) {
	if runtime.GOOS == "windows" {
		testenv.Skip(t, "dpkg's file names (libc6:amd64.list) cannot be made on Windows")
	}
	root := copyTree(t, "testdata/dpkg")
	// dpkg's per-package file lists, made here with the times under test
	// (git keeps neither the times nor, portably, the colons).
	info := filepath.Join(root, "var/lib/dpkg/info")
	when := time.Date(2024, 3, 5, 10, 20, 30, 0, time.Local)
	for name, tm := range map[string]time.Time{"libc6:amd64.list": when, "adduser.list": when.AddDate(-1, 0, 0)} {
		if err := os.MkdirAll(info, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(info, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(filepath.Join(info, name), tm, tm); err != nil {
			t.Fatal(err)
		}
	}
	p, err := newProvider(&collector{pkgRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	insts := enumClass(t, p, "Win32_Product")
	var names []string
	byName := map[string]*model.Instance{}
	for _, inst := range insts {
		names = append(names, propStr(t, inst, "Name"))
		byName[propStr(t, inst, "Name")] = inst
	}
	if strings.Join(names, ",") != "openssh-server,libc6,adduser" {
		t.Fatalf("products = %v, want the three installed packages", names)
	}
	libc := byName["libc6"]
	for name, want := range map[string]string{
		"Version": "2.36-9+deb12u7", "IdentifyingNumber": "libc6:amd64", "Description": "GNU C Library: Shared libraries",
		"Vendor": "GNU Libc Maintainers", "URLInfoAbout": "https://www.gnu.org/software/libc/libc.html", "InstallDate": "20240305",
	} {
		if got := propStr(t, libc, name); got != want {
			t.Errorf("libc6 %s = %q, want %q", name, got, want)
		}
	}
	d, _ := prop(t, libc, "InstallDate2").AsDatetime()
	if !d.Time.Equal(when) {
		t.Errorf("InstallDate2 = %v, want %v", d.Time, when)
	}
	if got := propStr(t, byName["adduser"], "InstallDate"); got != "20230305" {
		t.Errorf("adduser (an arch-all package, whose list has no arch) InstallDate = %q", got)
	}
	if !prop(t, byName["openssh-server"], "InstallDate").IsNull() {
		t.Error("a package without a file list has an InstallDate")
	}

	qfe := enumClass(t, p, "Win32_QuickFixEngineering")
	var ids []string
	for _, q := range qfe {
		ids = append(ids, propStr(t, q, "HotFixID"))
	}
	want := "libc6:amd64=2.36-9+deb12u4,libc6:amd64=2.36-9+deb12u7,openssh-server:amd64=1:9.2p1-2+deb12u3"
	if strings.Join(ids, ",") != want {
		t.Fatalf("updates = %v, want %s (the gzipped rotated log included, in time order)", ids, want)
	}
	if got := propStr(t, qfe[1], "InstalledOn"); got != "3/5/2024" {
		t.Errorf("InstalledOn = %q, want 3/5/2024", got)
	}
	if got := propStr(t, qfe[1], "FixComments"); got != "upgraded from 2.36-9+deb12u4" {
		t.Errorf("FixComments = %q", got)
	}
	ref := &model.Reference{ClassName: "Win32_QuickFixEngineering", Selectors: []model.Selector{
		{Name: "HotFixID", Value: "openssh-server:amd64=1:9.2p1-2+deb12u3"}, {Name: "ServicePackInEffect", Value: ""}}}
	if _, err := p.Get(testCtx(t), &model.GetRequest{Path: ref}); err != nil {
		t.Errorf("Get %s: %v", ref, err)
	}
}

func TestNoPackageDatabase(t *testing.T) {
	p, err := newProvider(&collector{pkgRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"Win32_Product", "Win32_QuickFixEngineering"} {
		if n := len(enumClass(t, p, c)); n != 0 {
			t.Errorf("%s with no package database: %d instances", c, n)
		}
	}
}

func TestRPMOutput(t *testing.T) {
	b, err := os.ReadFile("testdata/rpm_qa.txt")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := schemas()
	c := &collector{s: s}
	insts := c.rpmInstances(string(b))
	if len(insts) != 2 {
		t.Fatalf("%d products, want 2 (gpg-pubkey left out)", len(insts))
	}
	if propStr(t, insts[0], "Name") != "bash" || propStr(t, insts[0], "Version") != "5.1.8-9.el9" || propStr(t, insts[0], "IdentifyingNumber") != "bash:x86_64" ||
		propStr(t, insts[0], "Vendor") != "Rocky Enterprise Software Foundation" || propStr(t, insts[0], "Description") != "The GNU Bourne Again shell" {
		t.Errorf("bash = %v", insts[0].PropertyList())
	}
	if !prop(t, insts[1], "Vendor").IsNull() {
		t.Errorf("(none) vendor gave %v, want NULL", prop(t, insts[1], "Vendor"))
	}
	d, _ := prop(t, insts[0], "InstallDate2").AsDatetime()
	if d.Time.Unix() != 1700000000 {
		t.Errorf("InstallDate2 = %v", d.Time)
	}
}

// On a dpkg system, Win32_Product agrees with dpkg-query.
func TestProductsMatchDpkgQuery(t *testing.T) {
	if _, err := os.Stat("/var/lib/dpkg/status"); err != nil {
		testenv.Skip(t, "no dpkg database on this machine")
	}
	dq, err := exec.LookPath("dpkg-query")
	if err != nil {
		testenv.Skip(t, "no dpkg database on this machine", "no dpkg-query")
	}
	out, err := exec.Command(dq, "-W", "-f", "${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\n").Output()
	if err != nil {
		testenv.Skip(t, "dpkg-query failed", err)
	}
	want := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) == 4 && f[0] == "installed" {
			want[f[1]+":"+f[3]] = f[2]
		}
	}
	p := newTestProvider(t)
	got := map[string]string{}
	for _, inst := range enumClass(t, p, "Win32_Product") {
		got[propStr(t, inst, "IdentifyingNumber")] = propStr(t, inst, "Version")
	}
	if len(got) != len(want) {
		t.Errorf("Win32_Product has %d packages, dpkg-query %d", len(got), len(want))
	}
	for id, v := range want {
		if got[id] != v {
			t.Errorf("%s: version %q, dpkg-query %q", id, got[id], v)
		}
	}
}
