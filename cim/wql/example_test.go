package wql_test

import (
	"fmt"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

func Example() {
	q, err := wql.Parse(`select Name from Win32_Service where StartMode = "Auto" and not State = 'running'`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)

	svc := model.NewInstance("Win32_Service", "root/cimv2")
	svc.SetKey("Name", model.String("Spooler"))
	svc.Set("StartMode", model.String("AUTO"))
	svc.Set("State", model.String("Stopped"))
	ok, err := q.Match(svc)
	fmt.Println(ok, err, q.Project(svc).Names())

	_, err = wql.Parse("SELECT * FORM Win32_Service")
	fmt.Println(err)
	// Output:
	// SELECT Name FROM Win32_Service WHERE StartMode = 'Auto' AND NOT State = 'running'
	// true <nil> [Name]
	// wql: syntax error at position 10: expected FROM, found "FORM"
}

func ExampleSelect() {
	fmt.Println(wql.Select("Win32_Process", []string{"Name", "ProcessId"}, "WorkingSetSize > 104857600"))
	// Output: SELECT Name,ProcessId FROM Win32_Process WHERE WorkingSetSize > 104857600 <nil>
}

func ExampleParseObjectPath() {
	r, err := wql.ParseObjectPath(`\\SRV1\root\cimv2:Win32_Service.Name="WinRM"`)
	fmt.Println(r.Namespace, r.ClassName, r.Selectors[0].Name, r.Selectors[0].Value, err)
	// Output: root/cimv2 Win32_Service Name WinRM <nil>
}
