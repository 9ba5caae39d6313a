package wsmantest

import (
	"context"
	"math"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

var innerClass = &model.Class{Name: "Cimsh_Inner",
	Properties: []model.PropertyDecl{prop("Label", ty.Str), prop("Count", ty.U32), prop("When", ty.DT)}}

// kindsClass has one property of every CIM value kind, for round trips.
var kindsClass = &model.Class{Name: "Cimsh_ValueKinds",
	Properties: []model.PropertyDecl{
		key("Id", ty.Str),
		prop("Bool", ty.Bool), prop("U8", ty.U8), prop("S8", ty.S8), prop("U16", ty.U16), prop("S16", ty.S16),
		prop("U32", ty.U32), prop("S32", ty.S32), prop("U64", ty.U64), prop("S64", ty.S64),
		prop("R32", ty.R32), prop("R64", ty.R64), prop("C16", ty.C16), prop("Str", ty.Str), prop("NullStr", ty.Str),
		prop("When", ty.DT), prop("Span", ty.DT),
		{Name: "Octets", Type: ty.U8, Array: true, Qualifiers: []model.Qualifier{{Name: "OctetString", Value: boolean(true)}}},
		{Name: "Inner", Type: ty.Inst, EmbeddedClass: "Cimsh_Inner"},
		{Name: "Inners", Type: ty.Inst, EmbeddedClass: "Cimsh_Inner", Array: true},
		refProp("Service", "Win32_Service", false),
		arrayProp("NullArray", ty.Str), arrayProp("OneElement", ty.U32), arrayProp("EmptyArray", ty.Str),
		arrayProp("Strings", ty.Str), arrayProp("Whens", ty.DT), arrayProp("Flags", ty.Bool),
	}}

// KindsValues returns the property values of the fixture's
// Cimsh_ValueKinds instance "all", for round-trip assertions.
func KindsValues() *model.Instance {
	inner := func(label string, n uint64) model.Value {
		i := instance(innerClass, cimv2, "Label", str(label), "Count", u32(n), "When", dt("2020-02-29T12:00:00Z"))
		return model.Embedded(i)
	}
	octets := model.Array(ty.U8, []model.Value{u8(0), u8(1), u8(2), u8(254), u8(255)})
	return instance(kindsClass, cimv2,
		"Id", str("all"),
		"Bool", boolean(true), "U8", u8(255), "S8", model.Sint(ty.S8, -128), "U16", u16(65535), "S16", s16(-32768),
		"U32", u32(4294967295), "S32", s32(-2147483648), "U64", u64(math.MaxUint64), "S64", model.Sint(ty.S64, math.MinInt64),
		"R32", model.Real(ty.R32, 3.5), "R64", model.Real(ty.R64, 2.718281828459045), "C16", model.Char16('A'),
		"Str", str(`<tag attr="v"> & 'quotes' Grüße ✓`), "NullStr", null(ty.Str),
		"When", dt("2013-04-15T16:28:43.488171Z"), "Span", dt("P1DT2H3M4.5S"),
		"Octets", octets,
		"Inner", inner("one", 1),
		"Inners", model.Array(ty.Inst, []model.Value{inner("first", 1), inner("second", 2)}),
		"Service", model.Ref(&model.Reference{ClassName: "Win32_Service", Namespace: cimv2,
			Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}),
		"NullArray", model.NullArray(ty.Str), "OneElement", model.Array(ty.U32, []model.Value{u32(42)}),
		"EmptyArray", model.Array(ty.Str, nil), "Strings", strs("a", "b", "c"),
		"Whens", model.Array(ty.DT, []model.Value{dt("2001-01-01T01:01:01.000001+13:50"), dt("2013-03-09T02:57:32Z")}),
		"Flags", model.Array(ty.Bool, []model.Value{boolean(true), boolean(false)}),
	)
}

// registerKinds adds Cimsh_ValueKinds (Put, Create and Delete work on it)
// and Cimsh_Inner.
func (f *fixture) registerKinds(p *memprov.Provider) {
	control := instance(kindsClass, cimv2, "Id", str("control"), "Str", str("bell\x07 escape\x1b end"))
	f.kinds = []*model.Instance{KindsValues(), control}
	p.Register(cimv2, memprov.ClassDef{Class: innerClass})
	p.Register(cimv2, memprov.ClassDef{Class: kindsClass, List: f.lister(&f.kinds),
		Modify: func(ctx context.Context, inst *model.Instance) (*model.Instance, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			i := find(f.kinds, inst.Path())
			if i < 0 {
				return nil, model.NewFault(model.CIMNotFound, "wsmantest: no Cimsh_ValueKinds %s", inst.Path())
			}
			next := f.kinds[i].Clone()
			for _, pr := range inst.All() {
				next.Set(pr.Name, pr.Value)
			}
			f.kinds[i] = next
			return next.Clone(), nil
		},
		Create: func(ctx context.Context, inst *model.Instance) (*model.Instance, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			if v, ok := inst.Get("Id"); !ok || v.IsNull() {
				return nil, model.NewFault(model.CIMInvalidParameter, "wsmantest: Cimsh_ValueKinds needs an Id")
			}
			inst = inst.Clone()
			inst.MarkKeys([]string{"Id"})
			if find(f.kinds, inst.Path()) >= 0 {
				return nil, model.NewFault(model.CIMAlreadyExists, "wsmantest: %s already exists", inst.Path())
			}
			f.kinds = append(f.kinds, inst)
			return inst.Clone(), nil
		},
		Delete: func(ctx context.Context, path *model.Reference) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			i := find(f.kinds, path)
			if i < 0 {
				return model.NewFault(model.CIMNotFound, "wsmantest: no Cimsh_ValueKinds %s", path)
			}
			f.kinds = append(f.kinds[:i:i], f.kinds[i+1:]...)
			return nil
		},
	})
}
