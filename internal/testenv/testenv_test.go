package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// A relative CIMSH_FIXTURES is taken from the repository root, wherever
// the test runs (go test runs each package in its own directory).
func TestFixturesRelativeToModuleRoot(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/m\n"), 0o644)
	want := filepath.Join(root, "shared", "fixtures", "wsman")
	pkg := filepath.Join(root, "cim", "wsman")
	for _, d := range []string{want, pkg} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(pkg)
	t.Setenv(FixturesEnv, "shared/fixtures/wsman")
	if got := Fixtures(t); got != want {
		t.Fatalf("Fixtures = %q, want %q", got, want)
	}
	t.Setenv(FixturesEnv, want)
	if got := Fixtures(t); got != want {
		t.Fatalf("absolute: Fixtures = %q, want %q", got, want)
	}
	// A value that names nothing is an error, not a skip.
	t.Setenv(FixturesEnv, "shared/fixtures/nope")
	if _, err := FixturesDir(); err == nil || !strings.Contains(err.Error(), "repository root") {
		t.Fatalf("missing directory: %v", err)
	}
	t.Setenv(FixturesEnv, "")
	if _, err := FixturesDir(); err != ErrNoFixtures {
		t.Fatalf("unset: %v", err)
	}
	if got := packagePath(); got != "example.com/m/cim/wsman" {
		t.Fatalf("packagePath = %q", got)
	}
}

// recorder captures Skip and Fatal without ending the real test.
type recorder struct {
	testing.TB
	fatal, skipped bool
	msg            string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.fatal = true }
func (r *recorder) Fatalf(f string, a ...any) { r.fatal = true; panic("fatal") }
func (r *recorder) Skip(a ...any)             { r.skipped = true; r.msg = a[0].(string); panic("skip") }

func catch(f func()) {
	defer func() { recover() }()
	f()
}

func resetRecords() func() {
	mu.Lock()
	savedR, savedC := reasons, counts
	reasons, counts = nil, nil
	mu.Unlock()
	return func() {
		mu.Lock()
		reasons, counts = savedR, savedC
		mu.Unlock()
	}
}

func TestMissingFailsOnlyUnderStrict(t *testing.T) {
	defer resetRecords()()
	for _, strict := range []string{"1", ""} {
		t.Setenv(StrictEnv, strict)
		rec := &recorder{TB: t}
		catch(func() { Missing(rec, NoKDC, "krb5kdc not found") })
		if want := strict == "1"; rec.fatal != want || rec.skipped == want {
			t.Fatalf("CIMSH_STRICT=%q: fatal=%v skipped=%v", strict, rec.fatal, rec.skipped)
		}
	}
	t.Setenv(StrictEnv, "1")
	rec := &recorder{TB: t}
	catch(func() { Skip(rec, "systemd runs here") })
	if rec.fatal || !rec.skipped || rec.msg != "systemd runs here" {
		t.Fatalf("Skip under strict: %+v", rec)
	}
}

func TestSummaryGroupsReasons(t *testing.T) {
	defer resetRecords()()
	if s := Summary(); s != "" {
		t.Fatalf("nothing skipped: %q", s)
	}
	for i, r := range []string{NoFixtures, NoFixtures, "no dpkg database on this machine", NoFixtures} {
		t.Run(fmt.Sprint(i), func(t *testing.T) { Skip(t, r, "detail that is not in the summary") })
	}
	// A fake testing.TB (as in kdc's own test of its skip) is not counted.
	catch(func() { Skip(&recorder{TB: t}, NoKDC) })
	want := "skip\tgithub.com/cimsh/cimsh/internal/testenv\t4 tests: 3 " + NoFixtures + "; 1 no dpkg database on this machine"
	if s := Summary(); s != want {
		t.Fatalf("Summary:\n%q\nwant\n%q", s, want)
	}
}

// TestSkipper skips for want of fixtures when TestSummaryPrinted runs it.
func TestSkipper(t *testing.T) {
	if os.Getenv("TESTENV_SKIPPER") != "1" {
		return // a helper: it checks nothing by itself
	}
	t.Setenv(FixturesEnv, "")
	Fixtures(t)
	t.Fatal("Fixtures returned without CIMSH_FIXTURES")
}

var directSkip = regexp.MustCompile(`\bt\.Skip(f|Now)?\(|\.Skip\((msg|err)\)`)

// Every test binary of the module prints the summary, and every skip is
// counted in it: no test file calls t.Skip itself, and every package with
// tests has a TestMain that runs them through testenv.
func TestEveryPackageReportsSkips(t *testing.T) {
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	withTests := map[string]bool{}
	withMain := map[string]bool{}
	filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || filepath.Dir(path) == filepath.Join(root, "internal", "testenv") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		src := string(b)
		if !strings.Contains(src, `"testing"`) {
			return nil
		}
		if loc := directSkip.FindStringIndex(src); loc != nil {
			line := strings.Count(src[:loc[0]], "\n") + 1
			t.Errorf("%s:%d: skips directly; use testenv.Skip or testenv.Missing so the skip is counted", rel, line)
		}
		if strings.HasSuffix(path, "_test.go") {
			dir := filepath.Dir(rel)
			withTests[dir] = true
			if strings.Contains(src, "testenv.Main(") || strings.Contains(src, "testenv.Run(") {
				withMain[dir] = true
			}
		}
		return nil
	})
	if len(withTests) < 10 {
		t.Fatalf("found tests in only %d packages", len(withTests))
	}
	for dir := range withTests {
		if !withMain[dir] {
			t.Errorf("%s: no TestMain calling testenv.Main or testenv.Run", dir)
		}
	}
}
