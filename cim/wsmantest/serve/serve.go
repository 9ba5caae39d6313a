// Package serve is the wsmanserve command as a function, so that tests
// (the README's examples among them) run it as a program does:
//
//	wsmanserve [flags]                  serve until interrupted
//	wsmanserve [flags] -- CMD [ARG...]  serve while CMD runs, then exit with its status
//
// It listens on a free loopback port unless -addr says otherwise, and
// prints the URL it serves on its first line. A command gets the URL in
// WSMANSERVE_URL and in place of every {url} in its arguments.
package serve

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// Main runs wsmanserve with args (without the program name) and returns
// the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wsmanserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: wsmanserve [flags] [-- command [args...]]\n\n"+
			"Serves the WS-Man test server's fixture machine. With a command, serves while it runs\n"+
			"(the URL in WSMANSERVE_URL and in place of {url} in its arguments) and exits with its status.\n\n")
		fs.PrintDefaults()
	}
	addr := fs.String("addr", "127.0.0.1:0", "listen address (port 0: a free port, printed)")
	dialect := fs.String("dialect", "windows", "response shapes: windows or omi")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a generated certificate")
	user := fs.String("user", "", "user name (password from WSMANSERVE_PASSWORD); empty: no authentication")
	ntlm := fs.Bool("ntlm", false, "accept NTLM with message sealing besides Basic")
	unencrypted := fs.Bool("allow-unencrypted", true, "accept Basic over plain HTTP (AllowUnencrypted)")
	latency := fs.Duration("latency", 0, "delay every response")
	batch := fs.Int("max-batch", 0, "MaxBatchItems (default 32000)")
	envelope := fs.Int("max-envelope", 0, "MaxEnvelopeSize in bytes (default 512000)")
	verbose := fs.Bool("v", false, "log every request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	logger := log.New(stderr, "", log.LstdFlags)
	opts := wsmantest.Options{TLS: *useTLS, Latency: *latency, MaxBatch: *batch, MaxEnvelopeSize: *envelope,
		AllowUnencrypted: *unencrypted}
	switch *dialect {
	case "windows":
	case "omi":
		opts.Dialect = wsmantest.OMI
	default:
		fmt.Fprintf(stderr, "wsmanserve: unknown dialect %q (windows or omi)\n", *dialect)
		return 2
	}
	if *user != "" {
		pw := os.Getenv("WSMANSERVE_PASSWORD")
		if pw == "" {
			fmt.Fprintln(stderr, "wsmanserve: set WSMANSERVE_PASSWORD for -user")
			return 2
		}
		opts.BasicUsers = map[string]string{*user: pw}
		if *ntlm {
			opts.NTLMUsers = []ntlmserver.User{{Name: *user, Password: pw}}
		}
	}
	if *verbose {
		opts.Logf = func(format string, args ...any) { logger.Printf(format, args...) }
	}
	s, err := wsmantest.StartAt(*addr, opts)
	if err != nil {
		fmt.Fprintf(stderr, "wsmanserve: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wsmanserve: %s dialect at %s\n", opts.Dialect, s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	code := 0
	if cmd := fs.Args(); len(cmd) > 0 {
		code = RunCommand(cmd, map[string]string{"{url}": s.URL()}, []string{"WSMANSERVE_URL=" + s.URL()}, stdout, stderr, sig)
	} else {
		<-sig
		c := s.Counters()
		fmt.Fprintf(stdout, "wsmanserve: %d requests, %d connections, %d handshakes\n", c.Requests, c.Connections, c.Handshakes)
	}
	stop(s)
	return code
}

// RunCommand runs cmd, with each key of replace in its arguments replaced
// by its value ({url} by the server's URL) and env added to its
// environment, and returns its exit status; a signal from sig is passed
// on to it. dcomserve runs its commands through it too.
func RunCommand(cmd []string, replace map[string]string, env []string, stdout, stderr io.Writer, sig <-chan os.Signal) int {
	args := make([]string, len(cmd))
	for i, a := range cmd {
		for k, v := range replace {
			a = strings.ReplaceAll(a, k, v)
		}
		args[i] = a
	}
	c := exec.Command(args[0], args[1:]...)
	c.Env = append(os.Environ(), env...)
	c.Stdin, c.Stdout, c.Stderr = os.Stdin, stdout, stderr
	if err := c.Start(); err != nil {
		fmt.Fprintf(stderr, "running %s: %v\n", args[0], err)
		return 127
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	for {
		select {
		case s := <-sig:
			c.Process.Signal(s)
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					return 128 + int(ws.Signal())
				}
				return ee.ExitCode()
			}
			if err != nil {
				fmt.Fprintf(stderr, "running %s: %v\n", args[0], err)
				return 1
			}
			return 0
		}
	}
}

// stop closes the server, waiting a little for connections to finish.
func stop(s *wsmantest.Server) {
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
}
