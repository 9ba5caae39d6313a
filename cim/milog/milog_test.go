package milog

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Every value kind comes back with its CIM type: uint64 max, sint64 min,
// reals, char16, datetimes and intervals, octets, embedded instances,
// references, NULLs and one-element arrays.
func TestRoundTripEveryKind(t *testing.T) {
	kinds := wsmantest.KindsValues()
	kinds.ComputerName = `SRV01 "lab" & <test>`
	svc := model.NewInstance("Win32_Service", "root/cimv2")
	svc.SetKey("Name", model.String("WinRM"))
	svc.Set("State", model.String("Running"))
	svc.Set("ProcessId", model.Uint(model.TypeUint32, 1204))
	var buf bytes.Buffer
	if err := Write(&buf, []*model.Instance{kinds, svc}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d instances back", len(got))
	}
	for i, want := range []*model.Instance{kinds, svc} {
		g := got[i]
		if g.ClassName != want.ClassName || g.Namespace != want.Namespace || g.ComputerName != want.ComputerName {
			t.Errorf("instance %d: %s %s %q", i, g.ClassName, g.Namespace, g.ComputerName)
		}
		for _, p := range want.Properties {
			v, ok := g.Get(p.Name)
			if p.Value.IsNull() && p.Value.IsArray() {
				continue // WinRM's form leaves empty and NULL arrays alike
			}
			if !ok || v.Type() != p.Value.Type() || v.IsArray() != p.Value.IsArray() || v.Text() != p.Value.Text() {
				t.Errorf("%s.%s: got %s %v %q, want %s %v %q", want.ClassName, p.Name, v.Type(), v.IsArray(), v.Text(), p.Value.Type(), p.Value.IsArray(), p.Value.Text())
			}
			if q := g.Property(p.Name); q == nil || q.Key != p.Key {
				t.Errorf("%s.%s: key flag lost", want.ClassName, p.Name)
			}
		}
	}
}

func TestReadRefusesOtherFiles(t *testing.T) {
	for _, in := range []string{"", "not xml", `<a/>`, `<l:MiLog xmlns:l="urn:cimsh:milog:1"><x/></l:MiLog>`,
		`<l:MiLog xmlns:l="urn:cimsh:milog:1"><l:Instance><p:C xmlns:p="u"><p:X>1</p:Y></p:C></l:Instance></l:MiLog>`} {
		if _, err := Read(strings.NewReader(in)); err == nil || !strings.HasPrefix(err.Error(), "milog: ") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, []*model.Instance{wsmantest.KindsValues()})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		insts, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, insts); err != nil {
			t.Fatal(err)
		}
	})
}
