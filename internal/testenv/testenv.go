// Package testenv is the tests' one view of what this machine offers them:
// where the captured WS-Man fixtures are (CIMSH_FIXTURES, resolved from
// the repository root so that one value works in every package), and one
// way to skip a test that cannot run here. Every test binary of the module
// runs through Main, which prints one line saying what it skipped and why,
// so that a skip is never silent even without -v.
//
// Under CIMSH_STRICT=1 (CI) a test that misses something the CI machine
// installs (Missing) fails instead of skipping.
package testenv

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The environment variables the tests read.
const (
	FixturesEnv = "CIMSH_FIXTURES"
	StrictEnv   = "CIMSH_STRICT"
)

// Reasons that several packages give, worded once.
const (
	NoFixtures = "CIMSH_FIXTURES is not set (the captured WS-Man messages: set it to the fixtures/wsman " +
		"directory, absolute or relative to the repository root)"
	NoKDC      = "MIT Kerberos is not installed (apt-get install krb5-kdc krb5-admin-server krb5-user)"
	NoPywinrm  = "pywinrm is not installed (apt-get install python3-winrm python3-requests-kerberos)"
	NoGSSAPI   = "python3-gssapi is not installed (apt-get install python3-gssapi)"
	NoImpacket = "impacket is not installed (apt-get install python3-impacket)"
	NoSamba    = "Samba's Python bindings are not installed (apt-get install python3-samba)"
)

// Strict reports whether a missing prerequisite fails the test
// (CIMSH_STRICT=1, as in CI).
func Strict() bool { return os.Getenv(StrictEnv) == "1" }

// Missing ends t because something outside the repository that the test
// needs is not here (fixtures, a KDC, pywinrm): a skip, or a failure under
// CIMSH_STRICT=1. reason is the summary's wording; detail (optional) goes
// to the test's own log.
func Missing(t testing.TB, reason string, detail ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("%s%s (%s=1 makes this a failure)", reason, details(detail), StrictEnv)
	}
	Skip(t, reason, detail...)
}

// Skip ends t because it cannot run on this machine whatever is installed
// (another OS, no systemd here): never a failure. reason is the summary's
// wording; detail (optional) goes to the test's own log.
func Skip(t testing.TB, reason string, detail ...any) {
	t.Helper()
	// Counted once the test has really ended skipped (a fake testing.TB
	// in a test of a skip helper is not).
	t.Cleanup(func() {
		if t.Skipped() {
			record(reason)
		}
	})
	if !running.Load() {
		// The summary would not be printed: the package's TestMain must
		// call Main. (A fake testing.TB in testenv's own tests sets
		// running itself.)
		t.Errorf("testenv.Skip: this test binary's TestMain does not call testenv.Main")
	}
	t.Skip(reason + details(detail))
}

func details(detail []any) string {
	if len(detail) == 0 {
		return ""
	}
	return ": " + fmt.Sprint(detail...)
}

// Fixtures returns the directory of the captured WS-Man messages, or ends
// the test through Missing when CIMSH_FIXTURES is unset. A set value that
// is not a directory fails the test: a typo must not pass as a skip.
func Fixtures(t testing.TB) string {
	t.Helper()
	dir, err := FixturesDir()
	if errors.Is(err, ErrNoFixtures) {
		Missing(t, NoFixtures)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Fixture reads one captured file (see Fixtures).
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Fixtures(t), name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// ErrNoFixtures is FixturesDir's error when CIMSH_FIXTURES is unset.
var ErrNoFixtures = errors.New(NoFixtures)

// FixturesDir returns CIMSH_FIXTURES as an absolute directory: a relative
// value is taken from the repository root (the directory of go.mod), not
// from the package directory a test runs in.
func FixturesDir() (string, error) {
	v := os.Getenv(FixturesEnv)
	if v == "" {
		return "", ErrNoFixtures
	}
	dir := v
	if !filepath.IsAbs(dir) {
		root, err := ModuleRoot()
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", FixturesEnv, v, err)
		}
		dir = filepath.Join(root, dir)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %w (a relative path is taken from the repository root)", FixturesEnv, v, err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s=%s: %s is not a directory", FixturesEnv, v, dir)
	}
	return dir, nil
}

// ModuleRoot returns the repository root: the nearest directory at or
// above the working directory (a test's package directory) with a go.mod.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
