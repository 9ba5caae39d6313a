// Command wsmanserve runs the cim/wsmantest WS-Man server with its
// fixture provider, for trying clients by hand:
//
//	WSMANSERVE_PASSWORD=secret wsmanserve -user admin -ntlm -v
//	WSMANSERVE_PASSWORD=secret wsmanserve -user admin -- cimsh -s os_summary --computer {url} --user admin
//
// It listens on a free loopback port (or -addr) and prints its URL; it
// serves until interrupted, or while the command after -- runs (see
// package serve). The password is read from the environment so that it
// never shows in process listings.
package main

import (
	"os"

	"github.com/cimsh/cimsh/cim/wsmantest/serve"
)

func main() {
	os.Exit(serve.Main(os.Args[1:], os.Stdout, os.Stderr))
}
