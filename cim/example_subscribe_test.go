package cim_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// A subscription to process creation (Register-CimIndicationEvent). The
// provider here is memprov, which polls the class every WITHIN seconds,
// as WMI does for classes without an event provider.
func ExampleSession_Subscribe() {
	var mu sync.Mutex
	procs := []string{"init"}
	p := memprov.New(model.Identity{}, "srv01")
	p.Register("root/cimv2", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_Process", Properties: []model.PropertyDecl{{Name: "Name", Type: model.TypeString, Key: true}}},
		List: func(context.Context) ([]*model.Instance, error) {
			mu.Lock()
			defer mu.Unlock()
			var out []*model.Instance
			for _, name := range procs {
				inst := model.NewInstance("Win32_Process", "")
				inst.Set("Name", model.String(name))
				out = append(out, inst)
			}
			return out, nil
		},
	})
	s, _ := cim.NewSessionWithProvider(cim.Config{ComputerName: "srv01"}, p)
	defer s.Close() // unsubscribes too

	sub, err := s.Subscribe(context.Background(), model.SubscribeRequest{
		Query: "SELECT * FROM __InstanceCreationEvent WITHIN 0.05 WHERE TargetInstance ISA 'Win32_Process'",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mu.Lock()
	procs = append(procs, "notepad.exe")
	mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if sub.Next(ctx) {
		ev := sub.Event()
		target, _ := ev.Get("TargetInstance")
		inst, _ := target.AsInstance()
		fmt.Println(ev.ClassName, inst)
	}
	// Output: __InstanceCreationEvent Win32_Process (Name = "notepad.exe")
}
