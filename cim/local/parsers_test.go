package local

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestParseOSRelease(t *testing.T) {
	in := "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n# comment\nVERSION_CODENAME='bookworm'\nESCAPED=\"a \\\"quoted\\\" word\"\nbroken line\n"
	vars := parseOSRelease(strings.NewReader(in))
	want := map[string]string{"NAME": "Debian GNU/Linux", "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "ID": "debian", "VERSION_CODENAME": "bookworm", "ESCAPED": `a "quoted" word`}
	for k, v := range want {
		if vars[k] != v {
			t.Errorf("%s = %q, want %q", k, vars[k], v)
		}
	}
	if len(vars) != len(want) {
		t.Errorf("vars = %v", vars)
	}
}

func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"sleep 60", []string{"sleep", "60"}, true},
		{`  echo 'a b'  "c \"d\"" e\ f `, []string{"echo", "a b", `c "d"`, "e f"}, true},
		{`printf ''`, []string{"printf", ""}, true},
		{"ls | wc -l", nil, false},
		{"echo $HOME", nil, false},
		{`echo "$HOME"`, nil, false},
		{"echo 'unterminated", nil, false},
		{"cat *.txt", nil, false},
		{"", nil, false},
		{"   ", nil, false},
		{`trailing\`, nil, false},
	}
	for _, tt := range tests {
		got, ok := splitCommandLine(tt.in)
		if ok != tt.ok || (ok && !slices.Equal(got, tt.want)) {
			t.Errorf("splitCommandLine(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUnescapeUdev(t *testing.T) {
	for in, want := range map[string]string{`My\x20Disk`: "My Disk", "plain": "plain", `bad\x2`: `bad\x2`, `\x41\x42`: "AB"} {
		if got := unescapeUdev(in); got != want {
			t.Errorf("unescapeUdev(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseOSRelease(f *testing.F) {
	f.Add("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n")
	f.Add("A='b'\nC=\"d\\\\\"\n=x\n\"")
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseOSRelease(strings.NewReader(s))
	})
}

func FuzzParseDpkgStatus(f *testing.F) {
	f.Add("Package: a\nStatus: install ok installed\nVersion: 1\nDescription: x\n more\n\nPackage: b\n")
	f.Add(" leading continuation\n:\nStatus:\n\n\n")
	f.Fuzz(func(t *testing.T, s string) {
		pkgs, _ := parseDpkgStatus(strings.NewReader(s))
		for _, p := range pkgs {
			if p.Name == "" {
				t.Fatalf("package without a name from %q", s)
			}
		}
	})
}

func FuzzParseDpkgLog(f *testing.F) {
	f.Add("2024-03-05 10:20:29 upgrade libc6:amd64 2.36-9+deb12u4 2.36-9+deb12u7\n")
	f.Add("9999-99-99 99:99:99 upgrade a b c\n")
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseDpkgLog(strings.NewReader(s))
	})
}

func FuzzParseResolvConf(f *testing.F) {
	f.Add("nameserver 192.0.2.1\nsearch a b\ndomain c\n")
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseResolvConf(strings.NewReader(s))
	})
}

func FuzzSplitCommandLine(f *testing.F) {
	f.Add(`echo 'a b' "c \"d\"" e\ f`)
	f.Add(`"unterminated`)
	f.Fuzz(func(t *testing.T, s string) {
		words, ok := splitCommandLine(s)
		if ok && len(words) == 0 {
			t.Fatalf("ok with no words for %q", s)
		}
	})
}

func FuzzServiceMapping(f *testing.F) {
	f.Add("ssh.service", "loaded", "active", "enabled", "/usr/sbin/sshd")
	f.Add("x@.service", "not-found", "", "alias", "")
	s, err := schemas()
	if err != nil {
		f.Fatal(err)
	}
	c := &collector{s: s}
	f.Fuzz(func(t *testing.T, name, load, active, fileState, exe string) {
		snap := &unitSnapshot{
			Loaded: []loadedUnit{{Name: name, LoadState: load, ActiveState: active}},
			Files:  []unitFile{{Path: "/lib/systemd/system/" + name, State: fileState}},
			Props: map[string]map[string]any{name: {
				"ExecStart": []any{[]any{exe, []any{exe, 1.0, nil}}}, "MainPID": -1.0, "ExecMainStatus": "x",
			}},
		}
		for _, inst := range c.serviceInstances(snap, "host") {
			if v, _ := inst.Get("Name"); v.IsNull() {
				t.Fatal("service without a name")
			}
		}
	})
}

func TestParseDpkgLogIgnoresOtherLines(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("2024-03-05 10:20:28 startup archives unpack\n2024-03-05 10:21:00 install htop:amd64 <none> 3.2.2-2\n")
	b.WriteString("2024-04-11 07:02:13 upgrade openssh-server:amd64 1:9.2p1-2+deb12u2 1:9.2p1-2+deb12u3\n")
	ups := parseDpkgLog(&b)
	if len(ups) != 1 || ups[0].Package != "openssh-server:amd64" || ups[0].From != "1:9.2p1-2+deb12u2" || ups[0].To != "1:9.2p1-2+deb12u3" {
		t.Errorf("upgrades = %+v", ups)
	}
}
