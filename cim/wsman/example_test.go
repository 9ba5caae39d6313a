package wsman_test

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// A client over the real transport enumerates a class from a WS-Man
// server (here the project's test server on loopback).
func ExampleClient_Enumerate() {
	srv, err := wsmantest.Start(wsmantest.Options{BasicUsers: map[string]string{"admin": "pw"}, AllowUnencrypted: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	u, _ := url.Parse(srv.URL())
	port, _ := strconv.Atoi(u.Port())
	tr, err := transport.New(transport.Config{Host: u.Hostname(), Port: port, Auth: transport.AuthBasic,
		User: "admin", Password: "pw", NoEncryption: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := wsman.NewClient(tr, wsman.Options{Endpoint: srv.URL(), ComputerName: u.Hostname()})
	defer c.Close()

	ctx := context.Background()
	e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_OperatingSystem"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	for e.Next(ctx) {
		os := e.Instance()
		caption, _ := os.Get("Caption")
		boot, _ := os.Get("LastBootUpTime")
		fmt.Println(caption.Text())
		fmt.Println(boot.Type(), boot.Text())
	}
	if err := e.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Microsoft Windows Server 2012 Standard
	// datetime 2013-04-15T16:28:43.488171Z
}
