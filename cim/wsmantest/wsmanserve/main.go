// Command wsmanserve runs the cim/wsmantest WS-Man server with its
// fixture provider, for trying clients by hand:
//
//	WSMANSERVE_PASSWORD=secret wsmanserve -addr 127.0.0.1:5985 -user admin -ntlm -v
//
// It serves until interrupted. The password is read from the environment
// so that it never shows in process listings.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5985", "listen address")
	dialect := flag.String("dialect", "windows", "response shapes: windows or omi")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a generated certificate")
	user := flag.String("user", "", "user name (password from WSMANSERVE_PASSWORD); empty: no authentication")
	ntlm := flag.Bool("ntlm", false, "accept NTLM with message sealing besides Basic")
	unencrypted := flag.Bool("allow-unencrypted", true, "accept Basic over plain HTTP (AllowUnencrypted)")
	latency := flag.Duration("latency", 0, "delay every response")
	batch := flag.Int("max-batch", 0, "MaxBatchItems (default 32000)")
	envelope := flag.Int("max-envelope", 0, "MaxEnvelopeSize in bytes (default 512000)")
	verbose := flag.Bool("v", false, "log every request")
	flag.Parse()

	opts := wsmantest.Options{TLS: *useTLS, Latency: *latency, MaxBatch: *batch, MaxEnvelopeSize: *envelope,
		AllowUnencrypted: *unencrypted}
	switch *dialect {
	case "windows":
	case "omi":
		opts.Dialect = wsmantest.OMI
	default:
		log.Fatalf("wsmanserve: unknown dialect %q (windows or omi)", *dialect)
	}
	if *user != "" {
		pw := os.Getenv("WSMANSERVE_PASSWORD")
		if pw == "" {
			log.Fatal("wsmanserve: set WSMANSERVE_PASSWORD for -user")
		}
		opts.BasicUsers = map[string]string{*user: pw}
		if *ntlm {
			opts.NTLMUsers = []ntlmserver.User{{Name: *user, Password: pw}}
		}
	}
	if *verbose {
		opts.Logf = func(format string, args ...any) { log.Printf(format, args...) }
	}
	s, err := wsmantest.StartAt(*addr, opts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wsmanserve: %s dialect at %s\n", opts.Dialect, s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	c := s.Counters()
	fmt.Printf("wsmanserve: %d requests, %d connections, %d handshakes\n", c.Requests, c.Connections, c.Handshakes)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
}
