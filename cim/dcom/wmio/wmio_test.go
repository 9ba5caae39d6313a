package wmio

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(strings.Join(strings.Fields(string(b)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestSpecInstance decodes the instance example of MS-WMIO section 4:
// a value in the instance, one from the class default, an array, and the
// key inherited from Base.
func TestSpecInstance(t *testing.T) {
	o, err := Decode(readHex(t, "instanceMyClass.hex"))
	if err != nil {
		t.Fatal(err)
	}
	if o.Server != "DPRAVAT-DEV" || o.Namespace != "ROOT" || o.Instance == nil || o.Instance.ClassName != "MyClass" {
		t.Fatalf("%+v", o)
	}
	want := []model.Property{
		{Name: "Id", Value: model.Sint(model.TypeSint32, 123), Key: true},
		{Name: "Data1", Value: model.String("StringField")},
		{Name: "Data2", Value: model.String("defaultValue")},
		{Name: "Array", Value: model.Array(model.TypeUint32, []model.Value{model.Uint(model.TypeUint32, 1), model.Uint(model.TypeUint32, 2), model.Uint(model.TypeUint32, 3)})},
	}
	if o.Instance.Len() != len(want) {
		t.Fatalf("properties %v", o.Instance.PropertyList())
	}
	for i, w := range want {
		g := o.Instance.At(i)
		if g.Name != w.Name || g.Key != w.Key || !model.Equal(g.Value, w.Value) {
			t.Errorf("property %d: %s=%v key %v, want %s=%v key %v", i, g.Name, g.Value, g.Key, w.Name, w.Value, w.Key)
		}
	}
	if o.Class.SuperClass != "Base" || o.Class.Property("Id").ClassOrigin != "Base" || o.Class.Property("Data1").ClassOrigin != "MyClass" {
		t.Errorf("class %+v", o.Class)
	}
}

// TestSpecClass decodes the class example: superclass, qualifiers,
// defaults and property qualifiers.
func TestSpecClass(t *testing.T) {
	o, err := Decode(readHex(t, "myClass.hex"))
	if err != nil {
		t.Fatal(err)
	}
	c := o.Class
	if c == nil || c.Name != "MyClass" || c.SuperClass != "Base" || o.Parent == nil || o.Parent.Name != "Base" {
		t.Fatalf("%+v", o)
	}
	if q, ok := c.Qualifier("Description"); !ok || q.Value.Text() != "MyClass Example" {
		t.Errorf("Description %v", q)
	}
	if d := c.Property("Data2"); d == nil || d.Default.Text() != "defaultValue" {
		t.Errorf("Data2 %+v", d)
	}
	if d := c.Property("Id"); d == nil || !d.Key || d.Type != model.TypeSint32 {
		t.Errorf("Id %+v", d)
	}
	if d := c.Property("Array"); d == nil || !d.Array || d.Type != model.TypeUint32 || !d.Default.IsNull() {
		t.Errorf("Array %+v", d)
	}
}

// TestRoundTrip encodes the fixture's value-kinds instance (every CIM
// type, arrays, NULLs, embedded instance, reference, datetimes) and
// decodes it back unchanged.
func TestRoundTrip(t *testing.T) {
	p := wsmantest.FixtureProvider("WMIO")
	ctx := t.Context()
	for _, class := range []string{"Cimsh_ValueKinds", "Win32_Service", "Win32_OperatingSystem", "Win32_DependentService"} {
		c, err := p.GetClass(ctx, &model.GetClassRequest{ClassName: class})
		if err != nil {
			t.Fatal(err)
		}
		e, err := p.Enumerate(ctx, &model.EnumerateRequest{ClassName: class})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for e.Next(ctx) {
			in := e.Instance()
			b, err := EncodeInstance(in, &Schema{Class: c, Derivation: []string{c.SuperClass}}, "WMIO", "root/cimv2")
			if err != nil {
				t.Fatalf("%s: %v", class, err)
			}
			o, err := Decode(b)
			if err != nil {
				t.Fatalf("%s: %v", class, err)
			}
			if o.Namespace != "root/cimv2" || o.Instance.ClassName != in.ClassName {
				t.Fatalf("%s: %+v", class, o)
			}
			for _, pr := range in.All() {
				got, ok := o.Instance.Get(pr.Name)
				if !ok || !model.Equal(got, pr.Value) {
					t.Errorf("%s.%s: %v (%s), want %v (%s)", class, pr.Name, got, got.Type(), pr.Value, pr.Value.Type())
				}
			}
			n++
		}
		e.Close()
		if n == 0 {
			t.Errorf("%s: no instances", class)
		}
		cb, err := EncodeClass(&Schema{Class: c}, nil, "WMIO", "root/cimv2")
		if err != nil {
			t.Fatal(err)
		}
		co, err := Decode(cb)
		if err != nil {
			t.Fatalf("class %s: %v", class, err)
		}
		if len(co.Class.Properties) != len(c.Properties) || len(co.Class.Methods) != len(c.Methods) {
			t.Fatalf("class %s: %d properties %d methods, want %d %d", class, len(co.Class.Properties), len(co.Class.Methods), len(c.Properties), len(c.Methods))
		}
		for i, m := range c.Methods {
			gm := co.Class.Methods[i]
			if gm.Name != m.Name || gm.Static != m.Static || gm.ReturnType != m.ReturnType || len(gm.Parameters) != len(m.Parameters) {
				t.Errorf("method %s: %+v, want %+v", m.Name, gm, m)
				continue
			}
			for j, p := range m.Parameters {
				gp := gm.Parameters[j]
				if gp.Name != p.Name || gp.Type != p.Type || gp.Array != p.Array || gp.In != p.In || gp.Out != p.Out {
					t.Errorf("%s parameter %d: %+v, want %+v", m.Name, j, gp, p)
				}
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(readHex(f, "instanceMyClass.hex"))
	f.Add(readHex(f, "myClass.hex"))
	b, _ := EncodeInstance(wsmantest.KindsValues(), nil, "S", "root")
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		Decode(b)
		DecodeBlock(b)
	})
}
