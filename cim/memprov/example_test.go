package memprov_test

import (
	"context"
	"fmt"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// A provider with one class and a static method, queried with WQL.
func Example() {
	ctx := context.Background()
	p := memprov.New(model.Identity{ProductVendor: "example"}, "HOST1")
	p.Register("root/cimv2", memprov.ClassDef{
		Class: &model.Class{
			Name: "Demo_Disk",
			Properties: []model.PropertyDecl{
				{Name: "DeviceID", Type: model.TypeString, Key: true},
				{Name: "FreeSpace", Type: model.TypeUint64},
			},
			Methods: []model.Method{{Name: "Count", ReturnType: model.TypeUint32, Static: true,
				Parameters: []model.Parameter{{Name: "Min", Type: model.TypeUint64, In: true}}}},
		},
		List: func(context.Context) ([]*model.Instance, error) {
			var out []*model.Instance
			for id, free := range map[string]uint64{"C:": 1 << 34, "D:": 1 << 20} {
				i := model.NewInstance("Demo_Disk", "")
				i.Set("DeviceID", model.String(id))
				i.Set("FreeSpace", model.Uint(model.TypeUint64, free))
				out = append(out, i)
			}
			return out, nil
		},
		Methods: map[string]memprov.MethodFunc{
			"Count": func(ctx context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
				min, _ := in.Get("Min") // converted from the string below to uint64
				out := model.NewInstance("__PARAMETERS", "")
				n := 0
				if u, _ := min.AsUint(); u <= 1<<34 {
					n = 1
				}
				out.Set("ReturnValue", model.Uint(model.TypeUint32, uint64(n)))
				return out, nil
			},
		},
	})

	e, err := p.Enumerate(ctx, &model.EnumerateRequest{Query: "SELECT DeviceID FROM Demo_Disk WHERE FreeSpace > 1000000000"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	for e.Next(ctx) {
		inst := e.Instance()
		fmt.Println(inst, inst.ComputerName, inst.Names())
	}

	out, err := p.Invoke(ctx, &model.InvokeRequest{ClassName: "Demo_Disk", Method: "count",
		In: []model.Property{{Name: "min", Value: model.String("4096")}}})
	fmt.Println(out.ValueAt(0), err)

	_, err = p.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "Demo_Disk",
		Selectors: []model.Selector{{Name: "DeviceID", Value: "Z:"}}}})
	fmt.Println(err)
	// Output:
	// Demo_Disk (DeviceID = "C:") HOST1 [DeviceID]
	// 1 <nil>
	// memprov: no instance Demo_Disk.DeviceID="Z:" [CIM 6 CIM_ERR_NOT_FOUND]
}
