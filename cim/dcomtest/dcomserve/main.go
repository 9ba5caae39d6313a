// Command dcomserve runs the cim/dcomtest DCOM/WMI server with its
// fixture provider, for trying clients (cimsh, impacket) by hand:
//
//	DCOMSERVE_PASSWORD=secret dcomserve -listen 127.0.0.1:135 -user admin -v
//
// -listen is the endpoint mapper; the object exporter listens on a free
// port of the same host, which the OXID bindings name. It serves until
// interrupted. The password is read from the environment so that it
// never shows in process listings.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:135", "endpoint mapper address")
	user := flag.String("user", "", "user name (password from DCOMSERVE_PASSWORD)")
	computer := flag.String("computer", "DCOMTEST", "computer name")
	privacy := flag.Bool("require-privacy", false, "refuse packet integrity (accept only packet privacy)")
	verbose := flag.Bool("v", false, "log every call")
	ktPath := flag.String("keytab", "", "accept Kerberos with this service keytab")
	spn := flag.String("spn", "", "the keytab's service principal to use (such as host/server)")
	flag.Parse()
	opts := dcomtest.Options{Computer: *computer, SPN: *spn}
	if *ktPath != "" {
		kt, err := keytab.Load(*ktPath)
		if err != nil {
			log.Fatalf("dcomserve: %v", err)
		}
		opts.Keytab = kt
	}
	if *user != "" {
		pw := os.Getenv("DCOMSERVE_PASSWORD")
		if pw == "" {
			log.Fatal("dcomserve: set DCOMSERVE_PASSWORD for -user")
		}
		opts.Users = []ntlmserver.User{{Name: *user, Password: pw}}
	}
	if *privacy {
		opts.MinLevel = rpc.LevelPrivacy
	}
	if *verbose {
		opts.Logf = log.Printf
	}
	s, err := dcomtest.StartAt(*listen, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("dcomserve: endpoint mapper %s, object exporter %s\n", s.Addr(), s.ExporterAddr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	calls, acts, rels := s.Counters()
	fmt.Printf("dcomserve: %d calls, %d activations, %d releases\n", calls, acts, rels)
	s.Close()
}
