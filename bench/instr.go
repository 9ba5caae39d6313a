package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Instruction counts: the rows that do the big enumeration, run once
// each under valgrind (callgrind), which counts the instructions the
// client process executes. Unlike times, they do not stretch with the
// machine's load, so they say what a quiet machine would do (at its
// instructions per second).

// instrKeys are the rows counted (and their -before twins).
var instrKeys = map[string]bool{"floor": true, "decode": true, "iterator": true, "get": true, "start": true}

// instrResult is one row's count.
type instrResult struct {
	instructions float64 // of the client process (decode: of one measured pass)
	bytes        float64 // replies decoded (decode row)
	instances    float64
	err          error // the row could not be counted
}

var collected = regexp.MustCompile(`Collected : ([0-9]+)`)

// valgrind runs cmd under callgrind and returns the instructions counted.
func (e *env) valgrind(cmd *exec.Cmd) (float64, []byte, error) {
	out := filepath.Join(e.dir, "callgrind.out")
	vg := exec.Command("valgrind", append([]string{"--tool=callgrind", "--callgrind-out-file=" + out, cmd.Path}, cmd.Args[1:]...)...)
	// Go's preemption signals trip callgrind (an assertion on signals in
	// flight); without them the program runs the same code. Valgrind runs
	// one thread at a time: with more than one P, the scheduler's idle Ps
	// spin looking for work, which counts (decoding alone counted twice its
	// work once decoding got fast); with one, the count is the work.
	vg.Env = append(os.Environ(), "CIMSH_PASSWORD="+e.password, "NO_PROXY=*", "no_proxy=*", "XDG_CONFIG_HOME="+e.dir, "XDG_STATE_HOME="+e.dir, "GODEBUG=asyncpreemptoff=1", "GOMAXPROCS=1")
	var stdout, stderr bytes.Buffer
	vg.Stdout, vg.Stderr = &stdout, &stderr
	if err := vg.Run(); err != nil {
		// The program's own complaint is at the end of valgrind's output.
		tail := stderr.String()
		if len(tail) > 300 {
			tail = tail[len(tail)-300:]
		}
		return 0, nil, fmt.Errorf("valgrind: %v: %s", err, tail)
	}
	os.Remove(out)
	m := collected.FindSubmatch(stderr.Bytes())
	if m == nil {
		return 0, nil, fmt.Errorf("valgrind printed no count:\n%.2000s", stderr.String())
	}
	n, err := strconv.ParseFloat(string(m[1]), 64)
	return n, stdout.Bytes(), err
}

// countInstructions counts the rows of instrKeys among rows.
func (e *env) countInstructions(rows []*row) error {
	if _, err := exec.LookPath("valgrind"); err != nil {
		return fmt.Errorf("-valgrind: %w (apt-get install valgrind)", err)
	}
	for _, r := range rows {
		if !instrKeys[strings.TrimSuffix(r.key, "@before")] {
			continue
		}
		fmt.Fprintf(os.Stderr, "bench: counting the instructions of %s under valgrind\n", r.key)
		res, err := e.countRow(r)
		if err != nil {
			// One row's failure (an older tree's bench without -passes)
			// must not lose the table of the whole run.
			fmt.Fprintf(os.Stderr, "bench: %s under valgrind: %v\n", r.key, err)
			res = &instrResult{err: err}
		}
		r.instr = res
	}
	return nil
}

// countRow counts one row's instructions.
func (e *env) countRow(r *row) (*instrResult, error) {
	var res instrResult
	if strings.HasPrefix(r.key, "decode") {
		// One pass and three: the difference halved is one pass,
		// without the start-up, the replies' loading and the
		// warm-up pass.
		var counts [2]float64
		for i, passes := range []int{1, 3} {
			cmd := r.cmd(e)
			cmd.Args = append(cmd.Args, "-passes", strconv.Itoa(passes))
			n, out, err := e.valgrind(cmd)
			if err != nil {
				return nil, err
			}
			var d decodeResult
			if err := json.Unmarshal(out, &d); err != nil {
				return nil, err
			}
			if d.Instances != passes*e.cfg.n {
				return nil, fmt.Errorf("%d instances in %d passes, want %d", d.Instances, passes, passes*e.cfg.n)
			}
			counts[i] = n
			res.bytes, res.instances = float64(d.Bytes)/float64(passes), float64(e.cfg.n)
		}
		res.instructions = (counts[1] - counts[0]) / 2
	} else {
		n, out, err := e.valgrind(r.cmd(e))
		if err != nil {
			return nil, err
		}
		if r.check != nil {
			var s sample
			if err := r.check(out, &s); err != nil {
				return nil, err
			}
		}
		res.instructions = n
	}
	return &res, nil
}

// renderInstructions prints the counts as a second table.
func renderInstructions(rows []*row, floorBytes float64) string {
	var b strings.Builder
	b.WriteString("\nInstructions executed by the client process in user space (valgrind --tool=callgrind, one run each, GOMAXPROCS=1; decode: one pass, the difference of a 1-pass and a 3-pass run halved; the floor's copying of the replies is the kernel's, which valgrind does not count). Unlike times, counts do not stretch with the machine's load; \"vs before\" divides a row's count by its twin's from the older tree:\n\n")
	b.WriteString("| row | instructions | vs before | per byte of replies | per instance |\n|---|---|---|---|---|\n")
	counted := map[string]float64{}
	for _, r := range rows {
		if r.instr != nil && r.instr.err == nil {
			counted[r.key] = r.instr.instructions
		}
	}
	for _, r := range rows {
		if r.instr == nil {
			continue
		}
		in := r.instr
		if in.err != nil {
			fmt.Fprintf(&b, "| %s | not counted: %.160s | | | |\n", r.name, strings.Join(strings.Fields(in.err.Error()), " "))
			continue
		}
		vs := ""
		if old, ok := counted[r.key+"@before"]; ok && old > 0 {
			vs = fmt.Sprintf("%.2fx", in.instructions/old)
		}
		perByte, perInst := "", ""
		bytes := in.bytes
		if bytes == 0 && !strings.HasPrefix(r.key, "start") {
			bytes = floorBytes
		}
		if bytes > 0 {
			perByte = fmt.Sprintf("%.1f", in.instructions/bytes)
		}
		if n := instancesOf(r, in); n > 0 {
			perInst = fmt.Sprintf("%.0f", in.instructions/n)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.name, fmtCount(in.instructions), vs, perByte, perInst)
	}
	return b.String()
}

func instancesOf(r *row, in *instrResult) float64 {
	if in.instances > 0 {
		return in.instances
	}
	return float64(r.instances)
}

func fmtCount(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f G", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f M", n/1e6)
	}
	return fmt.Sprintf("%.0f", n)
}
