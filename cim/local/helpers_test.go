package local

import (
	"context"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

func newTestProvider(t testing.TB) *memprov.Provider {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// enumerate runs req and returns every instance.
func enumerate(t testing.TB, p model.Provider, req *model.EnumerateRequest) []*model.Instance {
	t.Helper()
	insts, err := tryEnumerate(testCtx(t), p, req)
	if err != nil {
		t.Fatalf("enumerate %s%s: %v", req.ClassName, req.Query, err)
	}
	return insts
}

func tryEnumerate(ctx context.Context, p model.Provider, req *model.EnumerateRequest) ([]*model.Instance, error) {
	e, err := p.Enumerate(ctx, req)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	var out []*model.Instance
	for e.Next(ctx) {
		out = append(out, e.Instance())
	}
	return out, e.Err()
}

func enumClass(t testing.TB, p model.Provider, class string) []*model.Instance {
	return enumerate(t, p, &model.EnumerateRequest{ClassName: class})
}

// prop returns a property's value, failing the test when it is missing.
func prop(t testing.TB, inst *model.Instance, name string) model.Value {
	t.Helper()
	v, ok := inst.Get(name)
	if !ok {
		t.Fatalf("%s has no property %s", inst.ClassName, name)
	}
	return v
}

func propStr(t testing.TB, inst *model.Instance, name string) string {
	t.Helper()
	s, _ := prop(t, inst, name).AsString()
	return s
}

func propU(t testing.TB, inst *model.Instance, name string) uint64 {
	t.Helper()
	v := prop(t, inst, name)
	u, ok := v.AsUint()
	if !ok {
		t.Fatalf("%s.%s = %v, not an unsigned integer", inst.ClassName, name, v)
	}
	return u
}
