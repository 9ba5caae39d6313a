package memprov

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

func lister(class string, n int) func(context.Context) ([]*model.Instance, error) {
	return func(context.Context) ([]*model.Instance, error) {
		out := make([]*model.Instance, n)
		for i := range out {
			out[i] = model.NewInstance(class, "")
			out[i].Set("ID", model.String(fmt.Sprintf("%s-%d", class, i)))
		}
		return out, nil
	}
}

func TestHierarchy(t *testing.T) {
	p := New(model.Identity{}, "h")
	// Registered child first: the hierarchy is resolved when used.
	p.Register("", ClassDef{Class: &model.Class{Name: "T_C", SuperClass: "T_B", Properties: []model.PropertyDecl{{Name: "C", Type: model.TypeUint8}, {Name: "A", Type: model.TypeUint64}}}, List: lister("T_C", 1)})
	p.Register("", ClassDef{Class: &model.Class{Name: "T_A", Properties: []model.PropertyDecl{{Name: "ID", Type: model.TypeString, Key: true}, {Name: "A", Type: model.TypeUint32}}}, List: lister("T_A", 1)})
	p.Register("", ClassDef{Class: &model.Class{Name: "T_B", SuperClass: "T_A", Properties: []model.PropertyDecl{{Name: "B", Type: model.TypeString}}}, List: lister("T_B", 2)})
	// A cycle (a broken schema) must not hang anything.
	p.Register("", ClassDef{Class: &model.Class{Name: "T_X", SuperClass: "T_Y"}, List: lister("T_X", 1)})
	p.Register("", ClassDef{Class: &model.Class{Name: "T_Y", SuperClass: "T_X"}, List: lister("T_Y", 1)})

	tests := []struct {
		class   string
		shallow bool
		want    string
	}{
		{"T_A", false, "T_A:T_A-0 T_C:T_C-0 T_B:T_B-0 T_B:T_B-1"},
		{"T_A", true, "T_A:T_A-0"},
		{"T_B", false, "T_B:T_B-0 T_B:T_B-1 T_C:T_C-0"},
		{"T_C", false, "T_C:T_C-0"},
		{"T_X", false, "T_X: T_Y:"},
	}
	for _, tt := range tests {
		got := summary(mustCollect(t, p, &model.EnumerateRequest{ClassName: tt.class, Shallow: tt.shallow}))
		if got != tt.want {
			t.Errorf("%s (shallow %v): %s, want %s", tt.class, tt.shallow, got, tt.want)
		}
	}
	c, err := p.GetClass(context.Background(), &model.GetClassRequest{ClassName: "t_c"})
	if err != nil {
		t.Fatal(err)
	}
	var props []string
	for _, pd := range c.Properties {
		props = append(props, fmt.Sprintf("%s:%s@%s", pd.Name, pd.Type, pd.ClassOrigin))
	}
	// C overrides A's type but A keeps its origin.
	if got, want := strings.Join(props, " "), "ID:string@T_A A:uint64@T_A B:string@T_B C:uint8@T_C"; got != want {
		t.Errorf("T_C properties %s, want %s", got, want)
	}
	sub, _ := p.EnumerateClasses(context.Background(), &model.EnumerateClassesRequest{ClassName: "T_B"})
	if len(sub) != 2 || sub[0].Name != "T_B" || sub[1].Name != "T_C" {
		t.Errorf("EnumerateClasses(T_B) %d classes", len(sub))
	}
	insts := mustCollect(t, p, &model.EnumerateRequest{Query: "SELECT * FROM T_A WHERE __CLASS ISA 'T_B'"})
	if got := summary(insts); got != "T_C:T_C-0 T_B:T_B-0 T_B:T_B-1" {
		t.Errorf("ISA through the hierarchy: %s", got)
	}
	if _, err := p.GetClass(context.Background(), &model.GetClassRequest{ClassName: "T_X"}); err != nil {
		t.Errorf("GetClass in a cycle: %v", err)
	}
}

func BenchmarkEnumerateQuery(b *testing.B) {
	p := New(model.Identity{}, "h")
	procs := make([]*model.Instance, 1000)
	for i := range procs {
		inst := model.NewInstance("Win32_Process", "")
		inst.Set("Handle", model.String(fmt.Sprint(i)))
		inst.Set("Name", model.String(fmt.Sprintf("proc%d.exe", i)))
		inst.Set("ProcessId", model.Uint(model.TypeUint32, uint64(i)))
		inst.Set("WorkingSetSize", model.Uint(model.TypeUint64, uint64(i)<<20))
		for k := 0; k < 20; k++ {
			inst.Set(fmt.Sprintf("Extra%d", k), model.Uint(model.TypeUint32, uint64(k)))
		}
		procs[i] = inst
	}
	p.Register("", ClassDef{
		Class: &model.Class{Name: "Win32_Process", Properties: []model.PropertyDecl{
			{Name: "Handle", Type: model.TypeString, Key: true}, {Name: "Name", Type: model.TypeString},
			{Name: "ProcessId", Type: model.TypeUint32}, {Name: "WorkingSetSize", Type: model.TypeUint64},
		}},
		List: func(context.Context) ([]*model.Instance, error) { return procs, nil },
	})
	ctx := context.Background()
	req := &model.EnumerateRequest{Query: "SELECT Name, ProcessId FROM Win32_Process WHERE WorkingSetSize > 104857600 AND Name LIKE 'proc%'"}
	b.ReportAllocs()
	for b.Loop() {
		e, err := p.Enumerate(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for e.Next(ctx) {
			n++
		}
		e.Close()
		if n != 899 {
			b.Fatalf("%d results", n)
		}
	}
}

func TestCancelDuringListing(t *testing.T) {
	p := New(model.Identity{}, "h")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	secondListed := false
	p.Register("", ClassDef{Class: &model.Class{Name: "T_Base"}, List: func(ctx context.Context) ([]*model.Instance, error) {
		cancel() // the user presses Ctrl-C while the base class is listed
		return nil, nil
	}})
	p.Register("", ClassDef{Class: &model.Class{Name: "T_Sub", SuperClass: "T_Base"}, List: func(context.Context) ([]*model.Instance, error) {
		secondListed = true
		return nil, nil
	}})
	_, err := p.Enumerate(ctx, &model.EnumerateRequest{ClassName: "T_Base"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryCanceled {
		t.Fatalf("Enumerate cancelled mid-way: %v", err)
	}
	if secondListed {
		t.Fatal("the subclass was listed after cancellation")
	}

	p.Register("", ClassDef{Class: &model.Class{Name: "T_Slow"}, List: func(ctx context.Context) ([]*model.Instance, error) {
		<-ctx.Done()
		return nil, fmt.Errorf("listing stopped: %w", ctx.Err())
	}})
	dctx, dcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer dcancel()
	_, err = p.Enumerate(dctx, &model.EnumerateRequest{ClassName: "T_Slow"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryTimeout || !strings.Contains(f.Error(), "T_Slow") {
		t.Fatalf("a List that gives up at the deadline: %v", err)
	}
}
