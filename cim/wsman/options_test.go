package wsman

import (
	"reflect"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// TestCustomOptions: scalars go as wmi:NAME with their xs: type, arrays
// as one wmiarray:NAME per element, as Windows' MI client sends them;
// NULLs and instances are left out.
func TestCustomOptions(t *testing.T) {
	got := customOptions([]model.Property{
		{Name: "Flavor", Value: model.String("Vanilla")},
		{Name: "Min", Value: model.Uint(model.TypeUint64, 5)},
		{Name: "On", Value: model.Bool(true)},
		{Name: "Ids", Value: model.Array(model.TypeSint32, []model.Value{model.Sint(model.TypeSint32, -1), model.Sint(model.TypeSint32, 2)})},
		{Name: "Gone", Value: model.Null(model.TypeString)},
		{Name: "Obj", Value: model.Embedded(model.NewInstance("X", ""))},
	})
	want := []option{
		{"wmi:Flavor", "xs:string", "Vanilla"},
		{"wmi:Min", "xs:unsignedLong", "5"},
		{"wmi:On", "xs:boolean", "true"},
		{"wmiarray:Ids", "xs:int", "-1"},
		{"wmiarray:Ids", "xs:int", "2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if customOptions(nil) != nil {
		t.Error("no options: no w:Option")
	}
}
