package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// env is what the rows share: the servers, the binaries, the files.
type env struct {
	cfg      *config
	dir      string
	self     string // this binary, for the floor and decode children
	cimsh    string
	password string
	main     *wsmantest.Server
	pagesrv  *pageServer         // main's front: the pre-rendered enumerations
	fan      []*wsmantest.Server // the fan-out hosts (fanoutLatency each)
	fanPort  int
	pages    string // recorded replies of the main workload
	// timeBin is GNU time, which reports a child's peak RSS truly: a
	// child started from this process inherits its RSS as the starting
	// high-water mark (Linux counts the memory shared until exec).
	timeBin string
}

// envelopeKB is the MaxEnvelopeSize every client asks for: 200 items
// with their EPRs (EnumerateObjectAndEPR, as cimsh asks) need ~580 KB,
// beyond Windows' default 500 KB, which would give about 175 a page.
const envelopeKB = 600

// withBefore adds, after each row that runs cimsh (or its decoder), the
// same row run by the binaries in cfg.before (cimsh and bench built from
// an older tree): before and after in one run, under the same load.
func (e *env) withBefore(rows []*row) ([]*row, error) {
	old := *e
	old.cimsh = filepath.Join(e.cfg.before, "cimsh")
	old.self = filepath.Join(e.cfg.before, "bench")
	for _, p := range []string{old.cimsh, old.self} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("-before: %w", err)
		}
	}
	oldRows := map[string]*row{}
	for _, r := range old.rows() {
		oldRows[r.key] = r
	}
	var out []*row
	for _, r := range rows {
		if o := oldRows[r.key]; o != nil && r.key != "floor" && r.key != "pywinrm" && !strings.HasSuffix(r.key, "floor") {
			o.key, o.name = r.key+"@before", "before: "+r.name
			cmd := o.cmd
			o.cmd = func(cur *env) *exec.Cmd {
				old.fanPort = cur.fanPort // known once the hosts are up
				return cmd(&old)
			}
			if o.ref == "start" {
				o.ref = "start@before"
			}
			out = append(out, o)
		}
		out = append(out, r)
	}
	return out, nil
}

// fanoutLatency is each fan-out host's answer delay.
const fanoutLatency = 100 * time.Millisecond

func run(cfg *config) error {
	dir, err := os.MkdirTemp("", "cimsh-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	e := &env{cfg: cfg, dir: dir}
	if e.self, err = os.Executable(); err != nil {
		return err
	}
	var pw [12]byte
	rand.Read(pw[:])
	e.password = "Bench-" + hex.EncodeToString(pw[:])
	if out, err := exec.Command("/usr/bin/time", "-f", "%M", "true").CombinedOutput(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		e.timeBin = "/usr/bin/time"
	} else {
		fmt.Fprintf(os.Stderr, "bench: no GNU time (/usr/bin/time, Debian package time): no peak RSS column\n")
	}
	if e.cimsh = cfg.cimsh; e.cimsh == "" {
		if e.cimsh, err = buildCimsh(dir); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "bench: starting the test server (%d + %d Win32_Process instances)\n", cfg.n, cfg.big)
	e.pagesrv = newPageServer(benchUser, e.password)
	e.main, err = wsmantest.StartAt("127.0.0.1:0", wsmantest.Options{
		Provider:         newProvider(map[string]int{nsMain: cfg.n, nsBig: cfg.big}),
		Auth:             e.pagesrv.wrap, // Basic, and the pre-rendered pages
		AllowUnencrypted: true,
		MaxBatch:         pageSize,
		MaxEnvelopeSize:  envelopeKB * 1024,
		ComputerName:     "BENCH-SRV01",
	})
	if err != nil {
		return err
	}
	defer e.main.Close()
	for _, ns := range []string{nsMain, nsBig} {
		if ns == nsBig && !wanted(cfg, e.rows(), "big") {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: rendering the pages of %s\n", ns)
		set, err := e.pagesrv.render(context.Background(), e.main.URL(), ns)
		if err != nil {
			return fmt.Errorf("rendering the pages of %s: %w", ns, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %s: %d pages, %.1f MB\n", ns, len(set.pages), float64(set.bytes)/1e6)
	}
	e.pages = filepath.Join(dir, "pages.gob")
	rows := e.rows()
	if cfg.before != "" {
		if rows, err = e.withBefore(rows); err != nil {
			return err
		}
	}
	if cfg.fanout && wanted(cfg, rows, "fanout") {
		if err := e.startFanout(1000); err != nil {
			fmt.Fprintf(os.Stderr, "bench: no fan-out rows: %v\n", err)
			cfg.fanout = false
		}
		defer func() {
			for _, s := range e.fan {
				s.Close()
			}
		}()
	}
	if wanted(cfg, rows, "decode") {
		if err := record(e.main.URL(), e.password, nsMain, e.pages, cfg.n); err != nil {
			return fmt.Errorf("recording the replies: %w", err)
		}
	}
	var active []*row
	for _, r := range rows {
		if cfg.rows != nil && !cfg.rows.MatchString(r.key) {
			continue
		}
		if r.skip != "" {
			fmt.Fprintf(os.Stderr, "bench: skipping %s: %s\n", r.key, r.skip)
			continue
		}
		active = append(active, r)
	}
	m := snapshotMachine()
	// A warm-up round (page cache, Python's bytecode), not counted.
	fmt.Fprintf(os.Stderr, "bench: warm-up round\n")
	for _, r := range active {
		if !strings.HasPrefix(r.key, "big") && (cfg.warmup || strings.HasPrefix(r.key, "pywinrm") || strings.HasPrefix(r.key, "start")) {
			if _, err := e.measure(r); err != nil {
				return fmt.Errorf("%s: %w", r.key, err)
			}
		}
	}
	for round := 1; round <= cfg.rounds; round++ {
		fmt.Fprintf(os.Stderr, "bench: round %d of %d\n", round, cfg.rounds)
		for _, r := range active {
			if r.limit > 0 && round > r.limit {
				continue
			}
			s, err := e.measure(r)
			if err != nil {
				return fmt.Errorf("%s: %w", r.key, err)
			}
			r.samples = append(r.samples, s)
			if cfg.verbose {
				fmt.Fprintf(os.Stderr, "  %-20s %8.1f ms %7d KiB %5d requests, client CPU %6.1f ms, server CPU %6.1f ms\n", r.key, s.seconds*1000, s.rssKiB, s.requests, s.clientCPU*1000, s.serverCPU*1000)
			}
		}
		// The table so far, so that a long run stopped early still
		// leaves its numbers.
		if cfg.out != "" {
			m.finish()
			if err := os.WriteFile(cfg.out, []byte(render(m, cfg, active, round)), 0o644); err != nil {
				return err
			}
		}
	}
	if cfg.valgrind {
		if err := e.countInstructions(active); err != nil {
			return err
		}
	}
	m.finish()
	table := render(m, cfg, active, cfg.rounds)
	if cfg.valgrind {
		var floorBytes float64
		for _, r := range active {
			if r.key == "floor" && len(r.samples) > 0 {
				floorBytes = r.med(func(s sample) float64 { return float64(s.bytes) })
			}
		}
		table += renderInstructions(active, floorBytes)
	}
	fmt.Print(table)
	if cfg.out != "" {
		return os.WriteFile(cfg.out, []byte(table), 0o644)
	}
	return nil
}

func wanted(cfg *config, rows []*row, prefix string) bool {
	for _, r := range rows {
		if strings.HasPrefix(r.key, prefix) && (cfg.rows == nil || cfg.rows.MatchString(r.key)) {
			return true
		}
	}
	return false
}

// buildCimsh builds the module's cimsh into dir.
func buildCimsh(dir string) (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run from inside the cimsh module, or give -cimsh")
	}
	bin := filepath.Join(dir, "cimsh")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Dir(mod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// startFanout starts n hosts, each a test server on its own loopback
// address (127.1.x.y) at one port, answering after fanoutLatency.
func (e *env) startFanout(n int) error {
	p := newProvider(nil)
	opts := wsmantest.Options{Provider: p, BasicUsers: map[string]string{benchUser: e.password}, AllowUnencrypted: true,
		Latency: fanoutLatency, ComputerName: "BENCH-HOST"}
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("%s:%d", fanoutAddr(i), e.fanPort)
		s, err := wsmantest.StartAt(addr, opts)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		if i == 0 {
			u := s.URL()
			fmt.Sscanf(u[strings.LastIndexByte(u, ':')+1:], "%d", &e.fanPort)
		}
		e.fan = append(e.fan, s)
	}
	return nil
}

func fanoutAddr(i int) string { return fmt.Sprintf("127.1.%d.%d", i/250, i%250+1) }

// sample is one measured run of a row.
type sample struct {
	seconds  float64
	rssKiB   int64
	requests int64
	// serverCPU is this process's CPU time meanwhile: the test servers'
	// work (the harness itself only waits).
	serverCPU float64
	// clientCPU is the child's user and system CPU time: steadier than
	// the wall time on a machine others are using too.
	clientCPU float64
	bytes     int     // floor rows: bytes of replies read
	mbps      float64 // decode row: MB/s of replies
	mbpsCPU   float64 // decode row: MB/s of replies per CPU second
	allocs    float64 // decode row: allocations per instance
}

// measure runs a row once: its child process, timed from start to exit,
// its peak RSS, and the requests the servers saw meanwhile.
func (e *env) measure(r *row) (sample, error) {
	before := e.requests()
	cmd := r.cmd(e)
	rssFile := filepath.Join(e.dir, "rss")
	if e.timeBin != "" {
		cmd = exec.Command(e.timeBin, append([]string{"-o", rssFile, "-f", "%M %U %S", cmd.Path}, cmd.Args[1:]...)...)
	}
	cpu := selfCPU()
	cmd.Env = append(os.Environ(), "CIMSH_PASSWORD="+e.password, "NO_PROXY=*", "no_proxy=*", "XDG_CONFIG_HOME="+e.dir, "XDG_STATE_HOME="+e.dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return sample{}, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		cmd.Process.Kill()
		<-done
		return sample{}, fmt.Errorf("did not finish in 10 minutes")
	}
	elapsed := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%v\nstdout: %.2000s\nstderr: %.2000s", err, stdout.String(), stderr.String())
	}
	s := sample{seconds: elapsed.Seconds(), rssKiB: -1, clientCPU: -1, requests: e.requests() - before, serverCPU: selfCPU() - cpu}
	if e.timeBin != "" {
		data, err := os.ReadFile(rssFile)
		if err != nil {
			return sample{}, err
		}
		// "RSS user system"; a failed child's line comes first.
		f := strings.Fields(string(data))
		if len(f) >= 3 {
			var user, sys float64
			fmt.Sscan(f[len(f)-3], &s.rssKiB)
			fmt.Sscan(f[len(f)-2], &user)
			fmt.Sscan(f[len(f)-1], &sys)
			s.clientCPU = user + sys
		}
	}
	if r.check != nil {
		if err := r.check(stdout.Bytes(), &s); err != nil {
			return sample{}, fmt.Errorf("%v\nstdout: %.2000s\nstderr: %.2000s", err, stdout.String(), stderr.String())
		}
	}
	return s, nil
}

// requests sums the requests every server has received.
func (e *env) requests() int64 {
	n := e.main.Counters().Requests
	for _, s := range e.fan {
		n += s.Counters().Requests
	}
	return n
}

// wantLine checks that a child printed want.
func wantLine(want string) func([]byte, *sample) error {
	return func(out []byte, _ *sample) error {
		if got := strings.TrimSpace(string(out)); got != want {
			return fmt.Errorf("printed %q, want %q", got, want)
		}
		return nil
	}
}

// decodeCheck reads the decode child's figures.
func decodeCheck(want int) func([]byte, *sample) error {
	return func(out []byte, s *sample) error {
		var r decodeResult
		if err := json.Unmarshal(out, &r); err != nil {
			return err
		}
		if r.Instances != want {
			return fmt.Errorf("%d instances, want %d", r.Instances, want)
		}
		s.seconds = r.Seconds
		s.clientCPU = r.CPU
		s.mbps = float64(r.Bytes) / r.Seconds / 1e6
		if r.CPU > 0 {
			s.mbpsCPU = float64(r.Bytes) / r.CPU / 1e6
		}
		s.allocs = float64(r.Mallocs) / float64(r.Instances)
		return nil
	}
}

// floorCheck checks the floor child read something.
func floorCheck(out []byte, s *sample) error {
	var r floorResult
	if err := json.Unmarshal(out, &r); err != nil {
		return err
	}
	if r.Bytes == 0 || r.Requests == 0 {
		return fmt.Errorf("the floor read nothing")
	}
	s.bytes = r.Bytes
	return nil
}
