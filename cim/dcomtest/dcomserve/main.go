// Command dcomserve runs the cim/dcomtest DCOM/WMI server with its
// fixture provider, for trying clients (cimsh, impacket) by hand:
//
//	DCOMSERVE_PASSWORD=secret dcomserve -listen 127.0.0.1:135 -user admin -v
//	DCOMSERVE_PASSWORD=secret dcomserve -listen 127.0.0.1:0 -user admin -- cimsh script.lua {addr}
//
// See package cim/dcomtest/serve for the flags.
package main

import (
	"os"

	"github.com/cimsh/cimsh/cim/dcomtest/serve"
)

func main() { os.Exit(serve.Main(os.Args[1:], os.Stdout, os.Stderr)) }
