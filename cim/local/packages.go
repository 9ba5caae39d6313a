package local

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_Product and Win32_QuickFixEngineering: installed software and
// installed updates, from the package database where the OS has one
// (dpkg on Debian and its derivatives, rpm on Red Hat, SUSE and theirs);
// an empty set elsewhere.
//
// Win32_Product mapping: Name the package name, Version its version,
// IdentifyingNumber "name:architecture" (unique per installed package, as
// Windows' product code is), Description the package's one-line summary,
// Vendor its maintainer (rpm: vendor), URLInfoAbout its home page,
// InstallDate (yyyymmdd, as Windows writes it) and InstallDate2 when it
// was installed or last upgraded, InstallState 5 (installed).
//
// Win32_QuickFixEngineering mapping (dpkg): one instance per package
// upgrade dpkg logged (/var/log/dpkg.log and its rotated copies), since an
// upgrade is what a Windows update is: HotFixID "package=new-version",
// Description "Update", FixComments the version upgraded from, InstalledOn
// the date as Windows writes it (M/D/YYYY). rpm keeps no upgrade history
// in its database, so there the class is an empty set.

func (c *collector) root(p string) string {
	if c.pkgRoot == "" {
		return p
	}
	return filepath.Join(c.pkgRoot, p)
}

func (c *collector) listProducts(ctx context.Context) ([]*model.Instance, error) {
	if f, err := os.Open(c.root("/var/lib/dpkg/status")); err == nil {
		defer f.Close()
		pkgs, err := parseDpkgStatus(f)
		if err != nil {
			return nil, model.NewFault(model.CIMFailed, "local: Win32_Product: reading the dpkg database: %v", err)
		}
		return c.debProducts(pkgs), nil
	}
	if c.pkgRoot == "" {
		return c.rpmProducts(ctx)
	}
	return nil, nil
}

func (c *collector) debProducts(pkgs []debPackage) []*model.Instance {
	cls := c.s.class("Win32_Product")
	info := c.root("/var/lib/dpkg/info")
	out := make([]*model.Instance, 0, len(pkgs))
	for _, p := range pkgs {
		inst := newInstance(cls)
		setProduct(inst, p.Name, p.Version, p.Arch, p.Synopsis, vendorName(p.Maintainer), p.Homepage)
		// dpkg rewrites a package's file list when it installs or upgrades
		// it, so the list's time is the package's install date.
		for _, name := range []string{p.Name + ":" + p.Arch + ".list", p.Name + ".list"} {
			if fi, err := os.Stat(filepath.Join(info, name)); err == nil {
				setInstallDate(inst, fi.ModTime())
				break
			}
		}
		out = append(out, inst)
	}
	return out
}

func setProduct(inst *model.Instance, name, version, arch, summary, vendor, url string) {
	id := name
	if arch != "" {
		id += ":" + arch
	}
	inst.Set("Name", model.String(name))
	inst.Set("Caption", model.String(name))
	inst.Set("Version", model.String(version))
	inst.Set("IdentifyingNumber", model.String(id))
	inst.Set("Description", str(summary))
	inst.Set("Vendor", str(vendor))
	inst.Set("URLInfoAbout", str(url))
	inst.Set("InstallState", model.Sint(model.TypeSint16, 5))
	inst.Set("AssignmentType", u16(1)) // per machine
}

func setInstallDate(inst *model.Instance, t time.Time) {
	inst.Set("InstallDate", model.String(t.Format("20060102")))
	inst.Set("InstallDate2", datetime(t))
}

// rpmQueryFormat asks rpm for one tab-separated line per package.
const rpmQueryFormat = `%{NAME}\t%{VERSION}-%{RELEASE}\t%{ARCH}\t%{VENDOR}\t%{INSTALLTIME}\t%{URL}\t%{SUMMARY}\n`

// rpmProducts lists rpm's packages by running rpm itself: its database is
// a Berkeley DB, NDB or SQLite file depending on the release, and rpm is
// the one reader of all three.
func (c *collector) rpmProducts(ctx context.Context) ([]*model.Instance, error) {
	if _, err := os.Stat("/var/lib/rpm"); err != nil {
		if _, err := os.Stat("/usr/lib/sysimage/rpm"); err != nil {
			return nil, nil
		}
	}
	rpm, err := exec.LookPath("rpm")
	if err != nil {
		return nil, nil
	}
	out, err := exec.CommandContext(ctx, rpm, "-qa", "--qf", rpmQueryFormat).Output()
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_Product: rpm -qa: %v", err)
	}
	return c.rpmInstances(string(out)), nil
}

// rpmInstances maps rpm's query output (rpmQueryFormat) to instances.
func (c *collector) rpmInstances(text string) []*model.Instance {
	cls := c.s.class("Win32_Product")
	var out []*model.Instance
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 7 || f[0] == "" || f[0] == "gpg-pubkey" {
			continue
		}
		for i := range f {
			if f[i] == "(none)" {
				f[i] = ""
			}
		}
		arch := f[2]
		inst := newInstance(cls)
		setProduct(inst, f[0], f[1], arch, f[6], f[3], f[5])
		if secs, err := strconv.ParseInt(f[4], 10, 64); err == nil && secs > 0 {
			setInstallDate(inst, time.Unix(secs, 0))
		}
		out = append(out, inst)
	}
	return out
}

func (c *collector) listQuickFixEngineering(ctx context.Context) ([]*model.Instance, error) {
	logs, _ := filepath.Glob(c.root("/var/log/dpkg.log*"))
	if len(logs) == 0 {
		return nil, nil
	}
	var ups []debUpgrade
	for _, name := range logs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		u, err := readDpkgLog(name)
		if err != nil {
			continue // a rotated log being replaced; the others still count
		}
		ups = append(ups, u...)
	}
	sort.SliceStable(ups, func(i, j int) bool { return ups[i].When.Before(ups[j].When) })
	cls := c.s.class("Win32_QuickFixEngineering")
	host := hostname()
	seen := map[string]bool{}
	var out []*model.Instance
	for _, u := range ups {
		id := u.Package + "=" + u.To
		if seen[id] {
			continue
		}
		seen[id] = true
		inst := newInstance(cls)
		inst.Set("HotFixID", model.String(id))
		inst.Set("ServicePackInEffect", model.String(""))
		inst.Set("Description", model.String("Update"))
		inst.Set("Caption", model.String(u.Package))
		inst.Set("FixComments", model.String(fmt.Sprintf("upgraded from %s", u.From)))
		inst.Set("InstalledOn", model.String(fmt.Sprintf("%d/%d/%d", int(u.When.Month()), u.When.Day(), u.When.Year())))
		inst.Set("CSName", str(host))
		out = append(out, inst)
	}
	return out, nil
}

func readDpkgLog(name string) ([]debUpgrade, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	}
	return parseDpkgLog(r), nil
}
