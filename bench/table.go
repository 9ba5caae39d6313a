package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// machine describes where the table was made.
type machine struct {
	cpu, kernel, goVersion string
	cores                  int
	start                  time.Time
	loadStart, loadEnd     string
	elapsed                time.Duration
}

func snapshotMachine() *machine {
	m := &machine{cores: runtime.NumCPU(), goVersion: runtime.Version(), start: time.Now(), loadStart: loadavg()}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
	}
	return m
}

func (m *machine) finish() {
	m.loadEnd = loadavg()
	m.elapsed = time.Since(m.start)
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *row) med(f func(sample) float64) float64 {
	xs := make([]float64, len(r.samples))
	for i, s := range r.samples {
		xs[i] = f(s)
	}
	return median(xs)
}

func (r *row) spread() (lo, hi float64) {
	for i, s := range r.samples {
		if i == 0 || s.seconds < lo {
			lo = s.seconds
		}
		if s.seconds > hi {
			hi = s.seconds
		}
	}
	return lo, hi
}

func fmtTime(s float64) string {
	switch {
	case s >= 10:
		return fmt.Sprintf("%.1f s", s)
	case s >= 1:
		return fmt.Sprintf("%.2f s", s)
	}
	return fmt.Sprintf("%.1f ms", s*1000)
}

// render prints the table as Markdown.
func render(m *machine, cfg *config, rows []*row, rounds int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cimsh bench: %s, %d cores, %s, %s; load average %s at the start, %s at the end; %d rounds of %d (medians), %s in all\n\n",
		m.cpu, m.cores, m.kernel, m.goVersion, m.loadStart, m.loadEnd, rounds, cfg.rounds, m.elapsed.Round(time.Second))
	b.WriteString("| row | median | min–max | vs | client CPU (vs) | peak RSS | requests | server CPU | notes |\n|---|---|---|---|---|---|---|---|---|\n")
	byKey := map[string]*row{}
	for _, r := range rows {
		byKey[r.key] = r
	}
	for _, r := range rows {
		if len(r.samples) == 0 {
			continue
		}
		t := r.med(func(s sample) float64 { return s.seconds })
		lo, hi := r.spread()
		vs := ""
		cpu := r.med(func(s sample) float64 { return s.clientCPU })
		cpuText := "n/a"
		if cpu >= 0 {
			cpuText = fmtTime(cpu)
		}
		if ref := byKey[r.ref]; ref != nil && len(ref.samples) > 0 {
			vs = fmt.Sprintf("%.2fx %s", t/ref.med(func(s sample) float64 { return s.seconds }), ref.key)
			if refCPU := ref.med(func(s sample) float64 { return s.clientCPU }); cpu > 0 && refCPU > 0 {
				cpuText += fmt.Sprintf(" (%.1fx)", cpu/refCPU)
			}
		}
		rss := "n/a"
		if kib := r.med(func(s sample) float64 { return float64(s.rssKiB) }); kib >= 0 {
			rss = fmt.Sprintf("%.1f MB", kib/1024)
		}
		note := r.note
		if strings.HasPrefix(r.key, "decode") {
			note = fmt.Sprintf("%.0f MB/s (%.0f MB/s of CPU time), %.1f allocs/instance: the measured pass alone; RSS holds the replies", r.med(func(s sample) float64 { return s.mbps }), r.med(func(s sample) float64 { return s.mbpsCPU }), r.med(func(s sample) float64 { return s.allocs }))
		}
		if r.key == "floor" {
			mb := r.med(func(s sample) float64 { return float64(s.bytes) })
			note = fmt.Sprintf("%.1f MB of replies, %.0f bytes an instance", mb/1e6, mb/float64(cfg.n))
		}
		if r.limit > 0 && len(r.samples) < rounds {
			note = strings.TrimSpace(note + fmt.Sprintf(" %d rounds", len(r.samples)))
		}
		fmt.Fprintf(&b, "| %s | %s | %s–%s | %s | %s | %s | %.0f | %s | %s |\n", r.name, fmtTime(t), fmtTime(lo), fmtTime(hi), vs, cpuText, rss,
			r.med(func(s sample) float64 { return float64(s.requests) }), fmtTime(r.med(func(s sample) float64 { return s.serverCPU })), note)
	}
	return b.String()
}
