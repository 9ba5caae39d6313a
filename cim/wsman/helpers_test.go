package wsman

import (
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// fixture reads a captured message from $CIMSH_FIXTURES (testenv.Fixture:
// skipped without it, failed under CIMSH_STRICT=1).
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	return testenv.Fixture(t, name)
}

// prop returns the named property's value or fails.
func prop(t testing.TB, inst *model.Instance, name string) model.Value {
	t.Helper()
	v, ok := inst.Get(name)
	if !ok {
		t.Fatalf("%s has no property %s (has %v)", inst.ClassName, name, inst.Names())
	}
	return v
}

func wantText(t testing.TB, inst *model.Instance, name, want string) {
	t.Helper()
	v := prop(t, inst, name)
	if got := v.Text(); got != want {
		t.Errorf("%s.%s = %q, want %q", inst.ClassName, name, got, want)
	}
}

func wantType(t testing.TB, inst *model.Instance, name string, typ model.Type, array bool) {
	t.Helper()
	v := prop(t, inst, name)
	if v.Type() != typ || v.IsArray() != array {
		t.Errorf("%s.%s: type %v array=%v, want %v array=%v", inst.ClassName, name, v.Type(), v.IsArray(), typ, array)
	}
}

func wantNull(t testing.TB, inst *model.Instance, name string) {
	t.Helper()
	if v := prop(t, inst, name); !v.IsNull() {
		t.Errorf("%s.%s = %v, want NULL", inst.ClassName, name, v)
	}
}
