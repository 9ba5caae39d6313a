// Package serve is the dcomserve command as a function, so that tests
// (the README's examples among them) run it as a program does:
//
//	dcomserve [flags]                  serve until interrupted
//	dcomserve [flags] -- CMD [ARG...]  serve while CMD runs, then exit with its status
//
// -listen is the endpoint mapper (127.0.0.1:135 by default, where
// impacket looks; port 0 is a free port); the object exporter listens on
// a free port of the same host, which the OXID bindings name. The first
// line printed says where both listen. A command gets the endpoint
// mapper's HOST:PORT in DCOMSERVE_ADDR and in place of every {addr} in
// its arguments. The password is read from the environment so that it
// never shows in process listings.
package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	wsmanserve "github.com/cimsh/cimsh/cim/wsmantest/serve"
	"github.com/jcmturner/gokrb5/v8/keytab"
)

// Main runs dcomserve with args (without the program name) and returns
// the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dcomserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: dcomserve [flags] [-- command [args...]]\n\n"+
			"Serves the DCOM test server's fixture machine. With a command, serves while it runs\n"+
			"(the endpoint mapper's HOST:PORT in DCOMSERVE_ADDR and in place of {addr} in its\n"+
			"arguments) and exits with its status.\n\n")
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:135", "endpoint mapper address (port 0: a free port, printed)")
	user := fs.String("user", "", "user name (password from DCOMSERVE_PASSWORD)")
	computer := fs.String("computer", "DCOMTEST", "computer name")
	privacy := fs.Bool("require-privacy", false, "refuse packet integrity (accept only packet privacy)")
	verbose := fs.Bool("v", false, "log every call")
	ktPath := fs.String("keytab", "", "accept Kerberos with this service keytab")
	spn := fs.String("spn", "", "the keytab's service principal to use (such as host/server)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	opts := dcomtest.Options{Computer: *computer, SPN: *spn}
	if *ktPath != "" {
		kt, err := keytab.Load(*ktPath)
		if err != nil {
			fmt.Fprintf(stderr, "dcomserve: %v\n", err)
			return 2
		}
		opts.Keytab = kt
	}
	if *user != "" {
		pw := os.Getenv("DCOMSERVE_PASSWORD")
		if pw == "" {
			fmt.Fprintln(stderr, "dcomserve: set DCOMSERVE_PASSWORD for -user")
			return 2
		}
		opts.Users = []ntlmserver.User{{Name: *user, Password: pw}}
	}
	if *privacy {
		opts.MinLevel = rpc.LevelPrivacy
	}
	if *verbose {
		opts.Logf = log.New(stderr, "", log.LstdFlags).Printf
	}
	s, err := dcomtest.StartAt(*listen, opts)
	if err != nil {
		fmt.Fprintf(stderr, "dcomserve: %v\n", err)
		return 1
	}
	defer s.Close()
	fmt.Fprintf(stdout, "dcomserve: endpoint mapper %s, object exporter %s\n", s.Addr(), s.ExporterAddr())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	if cmd := fs.Args(); len(cmd) > 0 {
		return wsmanserve.RunCommand(cmd, map[string]string{"{addr}": s.Addr()}, []string{"DCOMSERVE_ADDR=" + s.Addr()}, stdout, stderr, sig)
	}
	<-sig
	calls, acts, rels := s.Counters()
	fmt.Fprintf(stdout, "dcomserve: %d calls, %d activations, %d releases\n", calls, acts, rels)
	return 0
}
