package local_test

import (
	"context"
	"fmt"

	"github.com/cimsh/cimsh/cim/local"
	"github.com/cimsh/cimsh/cim/model"
)

// The local provider answers WQL like a Windows machine would: here the
// one operating system, with only the asked-for properties.
func ExampleNew() {
	p, err := local.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	ctx := context.Background()
	e, err := p.Enumerate(ctx, &model.EnumerateRequest{Query: "SELECT Caption, Version FROM Win32_OperatingSystem"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	for e.Next(ctx) {
		fmt.Println(e.Instance().ClassName, e.Instance().Names())
	}
	// Output: Win32_OperatingSystem [Caption Version]
}
