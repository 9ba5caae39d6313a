package local

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/process"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_Process: the running processes, from gopsutil.
//
// Mapping: Handle (the key) is the pid as text, as on Windows; Name the
// process name (the executable's base name; gopsutil recovers names the
// kernel truncates to 15 bytes); CommandLine the arguments joined by
// spaces (NULL for kernel threads, which have none, as Windows has none
// for its System process); ExecutablePath the resolved executable (NULL
// where the kernel withholds it: other users' processes without root);
// WorkingSetSize and VirtualSize the resident and virtual sizes in bytes,
// PeakWorkingSetSize (kilobytes) and PeakVirtualSize (bytes) their
// high-water marks (procstatus.go);
// KernelModeTime and UserModeTime in 100 ns units; HandleCount the open
// file descriptors; PageFaults minor plus major faults; the I/O counters
// from the kernel's per-process I/O accounting. Priority and SessionId
// have no faithful Unix counterpart and stay NULL, and so does
// PageFileUsage: Windows' figure is the process's private commit charge,
// which Unix does not count per process (and gopsutil's swap figure is
// always 0 on Linux, where it reads only statm).

func (c *collector) listProcesses(ctx context.Context) ([]*model.Instance, error) {
	procs, err := process.ProcessesWithContext(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_Process: listing processes: %v", err)
	}
	base := c.processBase(ctx)
	// Reading a process takes a dozen small /proc reads; spread them over
	// a few goroutines, keeping the pid order of the listing.
	insts := make([]*model.Instance, len(procs))
	workers := min(runtime.GOMAXPROCS(0), 8, len(procs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if inst, ok := c.processInstance(ctx, base, procs[i]); ok {
					insts[i] = inst
				}
			}
		}()
	}
	for i := range procs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := insts[:0]
	for _, inst := range insts {
		if inst != nil {
			out = append(out, inst)
		}
	}
	return out, nil
}

// getProcess serves a Get by Handle without listing every process.
func (c *collector) getProcess(ctx context.Context, path *model.Reference) (*model.Instance, error) {
	sel, ok := path.Selector("Handle")
	if !ok {
		return nil, model.NewFault(model.CIMInvalidParameter, "local: Win32_Process: the path %s has no Handle key", path)
	}
	pid, err := strconv.ParseInt(sel.Value, 10, 32)
	if err != nil || pid < 0 {
		return nil, model.NewFault(model.CIMNotFound, "local: Win32_Process: no process with Handle %s", model.Quote(sel.Value))
	}
	p, err := process.NewProcessWithContext(ctx, int32(pid))
	if err != nil {
		return nil, model.NewFault(model.CIMNotFound, "local: Win32_Process: no process with Handle %s", model.Quote(sel.Value))
	}
	// On Linux a thread's id opens /proc/<tid> as well, though no listing
	// shows it; only a thread group's leader is a process (Windows' thread
	// ids are not process handles either). Without this check a Get, and
	// so a Terminate, given a thread id would act on its whole process.
	if tgid, err := p.TgidWithContext(ctx); err == nil && tgid > 0 && tgid != p.Pid {
		return nil, model.NewFault(model.CIMNotFound, "local: Win32_Process: no process with Handle %s (it is a thread of process %d)", model.Quote(sel.Value), tgid)
	}
	inst, ok := c.processInstance(ctx, c.processBase(ctx), p)
	if !ok {
		return nil, model.NewFault(model.CIMNotFound, "local: Win32_Process: no process with Handle %s", model.Quote(sel.Value))
	}
	return inst, nil
}

// processBase is the part of every process instance that does not depend
// on the process, filled once a listing.
func (c *collector) processBase(ctx context.Context) *model.Instance {
	inst := newInstance(c.s.class("Win32_Process"))
	host := hostname()
	inst.Set("CreationClassName", model.String("Win32_Process"))
	inst.Set("CSCreationClassName", model.String("Win32_ComputerSystem"))
	inst.Set("CSName", str(host))
	inst.Set("OSCreationClassName", model.String("Win32_OperatingSystem"))
	ms, _ := mounts(ctx)
	inst.Set("OSName", str(osName(osCaption(ctx, readOSRelease()), rootDevice(ms, "/"))))
	return inst
}

// processInstance fills an instance for p; ok is false when the process
// has gone meanwhile.
func (c *collector) processInstance(ctx context.Context, base *model.Instance, p *process.Process) (*model.Instance, bool) {
	name, err := p.NameWithContext(ctx)
	if err != nil {
		// The process may have exited between listing and reading.
		if running, rerr := p.IsRunningWithContext(ctx); rerr == nil && !running {
			return nil, false
		}
	}
	inst := base.Clone()
	pid := uint64(p.Pid)
	inst.Set("Handle", model.String(strconv.FormatUint(pid, 10)))
	inst.Set("ProcessId", u32(pid))
	inst.Set("Name", str(name))
	inst.Set("Caption", str(name))
	inst.Set("Description", str(name))
	if ppid, err := p.PpidWithContext(ctx); err == nil && ppid >= 0 {
		inst.Set("ParentProcessId", u32(uint64(ppid)))
	}
	if cmd, err := p.CmdlineWithContext(ctx); err == nil {
		inst.Set("CommandLine", str(cmd))
	}
	if exe, err := p.ExeWithContext(ctx); err == nil {
		inst.Set("ExecutablePath", str(exe))
	}
	if ms, err := p.CreateTimeWithContext(ctx); err == nil && ms > 0 {
		inst.Set("CreationDate", datetime(time.UnixMilli(ms)))
	}
	if n, err := p.NumThreadsWithContext(ctx); err == nil && n >= 0 {
		inst.Set("ThreadCount", u32(uint64(n)))
	}
	if m, err := p.MemoryInfoWithContext(ctx); err == nil {
		inst.Set("WorkingSetSize", u64(m.RSS))
		inst.Set("VirtualSize", u64(m.VMS))
	}
	if virtKB, hwmKB, virtOK, hwmOK := procPeaks(c.sysRoot, p.Pid); virtOK || hwmOK {
		if virtOK {
			inst.Set("PeakVirtualSize", u64(virtKB*1024))
		}
		if hwmOK {
			inst.Set("PeakWorkingSetSize", clampU32(hwmKB))
		}
	}
	if t, err := p.TimesWithContext(ctx); err == nil {
		inst.Set("UserModeTime", u64(uint64(t.User*1e7)))
		inst.Set("KernelModeTime", u64(uint64(t.System*1e7)))
	}
	if pf, err := p.PageFaultsWithContext(ctx); err == nil {
		inst.Set("PageFaults", clampU32(pf.MinorFaults+pf.MajorFaults))
	}
	if n, err := p.NumFDsWithContext(ctx); err == nil && n >= 0 {
		inst.Set("HandleCount", u32(uint64(n)))
	}
	if io, err := p.IOCountersWithContext(ctx); err == nil {
		inst.Set("ReadOperationCount", u64(io.ReadCount))
		inst.Set("WriteOperationCount", u64(io.WriteCount))
		inst.Set("ReadTransferCount", u64(io.ReadBytes))
		inst.Set("WriteTransferCount", u64(io.WriteBytes))
	}
	return inst, true
}
