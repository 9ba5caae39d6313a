package local

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// os-release (freedesktop.org) names the distribution: PRETTY_NAME is what
// Windows calls the Caption. gopsutil reads the file for its platform
// fields but does not return PRETTY_NAME or NAME, so it is read here.

var osReleasePaths = []string{"/etc/os-release", "/usr/lib/os-release"}

// readOSRelease returns the variables of the first os-release file that
// exists, nil where there is none (macOS, Windows).
func readOSRelease() map[string]string {
	for _, p := range osReleasePaths {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		vars := parseOSRelease(f)
		f.Close()
		return vars
	}
	return nil
}

// parseOSRelease reads KEY=value lines; values may be quoted with single
// or double quotes, with backslash escapes inside double quotes, as the
// os-release specification says (a shell-compatible subset).
func parseOSRelease(r io.Reader) map[string]string {
	vars := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || k == "" {
			continue
		}
		vars[k] = unquoteOSRelease(v)
	}
	return vars
}

func unquoteOSRelease(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return v[1 : len(v)-1]
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		if u, err := strconv.Unquote(v); err == nil {
			return u
		}
		inner := v[1 : len(v)-1]
		var b strings.Builder
		for i := 0; i < len(inner); i++ {
			if inner[i] == '\\' && i+1 < len(inner) {
				i++
			}
			b.WriteByte(inner[i])
		}
		return b.String()
	}
	return v
}

// distroVersion is the distribution's version for
// Win32_OperatingSystem.BuildNumber: os-release's VERSION_ID, made precise
// by the distribution's own version file where it names the same release
// with more digits (Debian's /etc/debian_version "12.11" for VERSION_ID
// "12"; Alpine's /etc/alpine-release). Read here rather than through
// gopsutil's PlatformInformation, which on a Debian without
// /etc/lsb-release runs the lsb_release script (six processes, most of
// a local query's time). etc is the configuration directory, "/etc".
func distroVersion(rel map[string]string, etc string) string {
	v := rel["VERSION_ID"]
	if v == "" {
		return ""
	}
	for _, name := range []string{"debian_version", "alpine-release"} {
		b, err := os.ReadFile(filepath.Join(etc, name))
		if err != nil {
			continue
		}
		if fine := strings.TrimSpace(string(b)); fine == v || strings.HasPrefix(fine, v+".") {
			return fine
		}
	}
	return v
}
