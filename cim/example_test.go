package cim_test

import (
	"context"
	"fmt"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// exampleProvider stands in for a server: two services.
func exampleProvider() model.Provider {
	p := memprov.New(model.Identity{ProductVendor: "Example"}, "srv01")
	p.Register("root/cimv2", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_Service", Properties: []model.PropertyDecl{
			{Name: "Name", Type: model.TypeString, Key: true},
			{Name: "State", Type: model.TypeString},
		}},
		List: func(context.Context) ([]*model.Instance, error) {
			var out []*model.Instance
			for _, s := range [][2]string{{"WinRM", "Running"}, {"Spooler", "Stopped"}} {
				inst := model.NewInstance("Win32_Service", "root/cimv2")
				inst.Set("Name", model.String(s[0]))
				inst.Set("State", model.String(s[1]))
				out = append(out, inst)
			}
			return out, nil
		},
	})
	return p
}

func ExampleSession_GetInstances() {
	s, _ := cim.NewSessionWithProvider(cim.Config{ComputerName: "srv01"}, exampleProvider())
	defer s.Close()
	list, err := s.GetInstances(context.Background(), cim.InstanceQuery{
		ClassName: "Win32_Service",
		Filter:    "State = 'Stopped'",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, svc := range list {
		fmt.Println(svc, "on", svc.ComputerName)
	}
	// Output: Win32_Service (Name = "Spooler") on srv01
}

func ExampleSession_Enumerate() {
	s, _ := cim.NewSessionWithProvider(cim.Config{ComputerName: "srv01"}, exampleProvider())
	defer s.Close()
	ctx := context.Background()
	en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer en.Close() // releases the server's enumeration if we stop early
	for en.Next(ctx) {
		name, _ := en.Instance().Get("name")
		fmt.Println(name)
	}
	if err := en.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// WinRM
	// Spooler
}

func ExampleNewSession() {
	// Creating a session opens no connection: the first operation does.
	s, err := cim.NewSession(cim.Config{
		ComputerName:   "srv01.example.com",
		Credential:     cim.NewCredential(`CORP\admin`, "not printed"),
		Authentication: cim.AuthNegotiate,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.ComputerName(), s.Port(), s.Connected(), s.Config().Credential)
	// Output: srv01.example.com 5985 false Credential(CORP\admin)
}
