package local

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

func TestParsePeaks(t *testing.T) {
	status := "Name:\tcimsh\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 1265432 kB\nVmSize:\t 1200000 kB\n" +
		"VmLck:\t       0 kB\nVmHWM:\t   45678 kB\nVmRSS:\t   40000 kB\nThreads:\t8\n"
	virt, hwm, vok, hok := parsePeaks(strings.NewReader(status))
	if virt != 1265432 || hwm != 45678 || !vok || !hok {
		t.Errorf("parsePeaks = %d %d %v %v", virt, hwm, vok, hok)
	}
	// A kernel thread has neither line.
	if _, _, vok, hok := parsePeaks(strings.NewReader("Name:\tkthreadd\nState:\tS (sleeping)\nThreads:\t1\n")); vok || hok {
		t.Error("peaks for a kernel thread")
	}
}

// TestProcessPeaks gets this test's own process: PeakWorkingSetSize (KB)
// and PeakVirtualSize (bytes) are the kernel's high-water marks, at least
// the current sizes read just before.
func TestProcessPeaks(t *testing.T) {
	if runtime.GOOS != "linux" {
		testenv.Skip(t, "/proc/PID/status is Linux's")
	}
	p := newTestProvider(t)
	inst, err := p.Get(testCtx(t), &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Process",
		Selectors: []model.Selector{{Name: "Handle", Value: strconv.Itoa(os.Getpid())}}}})
	if err != nil {
		t.Fatal(err)
	}
	ws, peakWS := propU(t, inst, "WorkingSetSize"), propU(t, inst, "PeakWorkingSetSize")
	vs, peakVS := propU(t, inst, "VirtualSize"), propU(t, inst, "PeakVirtualSize")
	if peakWS == 0 || peakWS*1024 < ws {
		t.Errorf("PeakWorkingSetSize %d KB below WorkingSetSize %d bytes", peakWS, ws)
	}
	if peakVS == 0 || peakVS < vs || peakVS%1024 != 0 {
		t.Errorf("PeakVirtualSize %d bytes, VirtualSize %d bytes", peakVS, vs)
	}
}
