package local

import (
	"bufio"
	"io"
	"strings"
	"time"
)

// dpkg keeps its database as text: /var/lib/dpkg/status, a series of
// RFC 822 style stanzas, and a log of every action in /var/log/dpkg.log.
// No Go library reads either, so they are parsed here.

// debPackage is one installed package of the status file.
type debPackage struct {
	Name, Version, Arch, Maintainer, Synopsis, Homepage string
}

// parseDpkgStatus returns the packages whose status is "installed"
// (not removed ones whose configuration files remain, nor half-installed
// ones).
func parseDpkgStatus(r io.Reader) ([]debPackage, error) {
	var out []debPackage
	fields := map[string]string{}
	last := ""
	flush := func() {
		if fields["Package"] != "" {
			st := strings.Fields(fields["Status"])
			if len(st) == 3 && st[2] == "installed" {
				syn, _, _ := strings.Cut(fields["Description"], "\n")
				out = append(out, debPackage{
					Name: fields["Package"], Version: fields["Version"], Arch: fields["Architecture"],
					Maintainer: fields["Maintainer"], Synopsis: strings.TrimSpace(syn), Homepage: fields["Homepage"],
				})
			}
		}
		clear(fields)
		last = ""
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			if last != "" {
				fields[last] += "\n" + strings.TrimSpace(line)
			}
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.TrimSpace(k)
			fields[last] = strings.TrimSpace(v)
		}
	}
	flush()
	return out, sc.Err()
}

// debUpgrade is one "upgrade" line of dpkg.log.
type debUpgrade struct {
	When              time.Time
	Package, From, To string
}

// parseDpkgLog returns the upgrade actions of a dpkg log:
// "2024-05-01 10:00:00 upgrade libc6:amd64 2.36-9 2.36-9+deb12u7".
// Times are local, as dpkg writes them.
func parseDpkgLog(r io.Reader) []debUpgrade {
	var out []debUpgrade
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 6 || f[2] != "upgrade" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05", f[0]+" "+f[1], time.Local)
		if err != nil {
			continue
		}
		out = append(out, debUpgrade{When: t, Package: f[3], From: f[4], To: f[5]})
	}
	return out
}

// vendorName drops the e-mail address of a Maintainer field.
func vendorName(maint string) string {
	if i := strings.Index(maint, "<"); i > 0 {
		return strings.TrimSpace(maint[:i])
	}
	return strings.TrimSpace(maint)
}
