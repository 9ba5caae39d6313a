package cdxml

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// seedFiles adds every test document under testdata to a fuzz corpus.
func seedFiles(f *testing.F, ext string) {
	f.Helper()
	err := filepath.Walk("testdata", func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.EqualFold(filepath.Ext(p), ext) {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzParse: any bytes are a document or an error; never a panic, and a
// document always compiles or fails with an error naming the file.
func FuzzParse(f *testing.F) {
	seedFiles(f, ".cdxml")
	f.Add([]byte(`<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11"><Class ClassName="a/B"><Version>1.0</Version><DefaultNoun>N</DefaultNoun><InstanceCmdlets><GetCmdletParameters/></InstanceCmdlets></Class></PowerShellMetadata>`))
	f.Add([]byte{0xFF, 0xFE, '<', 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Parse("f.cdxml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cdxml: f.cdxml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		m, err := Compile("f", []*Document{d})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "cdxml: f.cdxml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, c := range m.Cmdlets {
			// Binding nothing either works or names what is missing.
			if _, err := c.Bind(nil, nil); err != nil {
				if _, ok := err.(*ArgError); !ok {
					t.Fatalf("%s: Bind: %T %v", c.Name, err, err)
				}
			}
			for _, p := range c.Params {
				if c.Lookup(p.Snake) != p {
					t.Fatalf("%s: %s does not look itself up", c.Name, p.Snake)
				}
			}
		}
	})
}

// FuzzManifest: any bytes are a manifest or an error; never a panic.
func FuzzManifest(f *testing.F) {
	seedFiles(f, ".psd1")
	f.Add([]byte("@{ A = @'\nx\n'@ }"))
	f.Add([]byte("@{ A = @{ B = @( 1, (2), [int]3 ) } }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := readManifest("m.psd1", data)
		if err == nil && m == nil {
			t.Fatal("no manifest and no error")
		}
	})
}

// FuzzSnakeCase: snake_case names are lower case, without empty words.
func FuzzSnakeCase(f *testing.F) {
	for _, s := range []string{"Get-NetIPv4Protocol", "A-B_C", "ÀÉÎ-Ωmega"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := SnakeCase(s)
		if strings.Contains(out, "__") || strings.HasPrefix(out, "_") || strings.HasSuffix(out, "_") {
			t.Fatalf("SnakeCase(%q) = %q", s, out)
		}
	})
}

// FuzzWildcardLike: a pattern's LIKE translation matches exactly the
// strings the pattern matches, as WQL evaluates LIKE, so that the query
// a cmdlet sends selects what its client-side filter keeps.
func FuzzWildcardLike(f *testing.F) {
	for _, s := range [][2]string{{"w*", "w1"}, {"odd_[x]*", "odd_x%"}, {"a`*b", "a*b"}, {"[a-c]?", "Bz"}, {"%_", "%_"}, {"[", "["}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		like, ok := wildcardToLike(pattern)
		if !ok {
			return
		}
		e, err := wql.ParseCondition("Name LIKE " + quoteWQL(like))
		if err != nil {
			t.Fatalf("%q -> %q does not parse: %v", pattern, like, err)
		}
		inst := model.NewInstance("X", "")
		inst.Set("Name", model.String(s))
		got, err := (&wql.Query{Where: e}).Match(inst)
		if err != nil {
			t.Fatalf("%q: %v", like, err)
		}
		if want := wildcardMatch(pattern, s); got != want {
			t.Fatalf("pattern %q on %q: wildcard %v, LIKE %q %v", pattern, s, want, like, got)
		}
	})
}
