package memprov

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// world is a small system: processes (CIM_Process -> Win32_Process),
// services, and two associations (service -> process, service ->
// dependent service), in root/cimv2, plus one class in root/other.
type world struct {
	mu        sync.Mutex
	procs     map[uint32]*model.Instance
	services  map[string]*model.Instance
	nextPID   uint32
	terminate []string // "pid:reason" of each Terminate call
	procLists int      // calls of the Win32_Process List function
}

var boot = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

func newWorld() *world {
	w := &world{procs: map[uint32]*model.Instance{}, services: map[string]*model.Instance{}, nextPID: 1000}
	w.addProc(4, "System", "", 150000)
	w.addProc(700, "svchost.exe", `C:\Windows\system32\svchost.exe -k netsvcs`, 1<<40)
	w.addProc(800, "lsass.exe", `C:\Windows\system32\lsass.exe`, 20000)
	w.addService("WinRM", "Running", "Auto", 700)
	w.addService("Spooler", "Stopped", "Manual", 0)
	w.addService("HTTP", "Running", "Manual", 4)
	return w
}

func (w *world) addProc(pid uint32, name, cmd string, ws uint64) {
	i := model.NewInstance("Win32_Process", "")
	i.Set("Handle", model.String(fmt.Sprint(pid)))
	i.Set("Name", model.String(name))
	i.Set("ProcessId", model.Uint(model.TypeUint32, uint64(pid)))
	if cmd != "" {
		i.Set("CommandLine", model.String(cmd))
	} else {
		i.Set("CommandLine", model.Null(model.TypeString))
	}
	i.Set("WorkingSetSize", model.Uint(model.TypeUint64, ws))
	i.Set("CreationDate", model.DatetimeValue(model.NewTimestamp(boot.Add(time.Duration(pid)*time.Second))))
	w.procs[pid] = i
}

func (w *world) addService(name, state, mode string, pid uint32) {
	i := model.NewInstance("Win32_Service", "")
	i.Set("Name", model.String(name))
	i.Set("State", model.String(state))
	i.Set("StartMode", model.String(mode))
	i.Set("ProcessId", model.Uint(model.TypeUint32, uint64(pid)))
	w.services[strings.ToLower(name)] = i
}

func (w *world) listProcs(context.Context) ([]*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.procLists++
	pids := make([]int, 0, len(w.procs))
	for pid := range w.procs {
		pids = append(pids, int(pid))
	}
	sort.Ints(pids)
	out := make([]*model.Instance, 0, len(pids))
	for _, pid := range pids {
		out = append(out, w.procs[uint32(pid)])
	}
	return out, nil
}

func (w *world) listServices(context.Context) ([]*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := make([]string, 0, len(w.services))
	for n := range w.services {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*model.Instance, 0, len(names))
	for _, n := range names {
		out = append(out, w.services[n])
	}
	return out, nil
}

func procRef(pid uint32) *model.Reference {
	return &model.Reference{ClassName: "Win32_Process", Namespace: "root/cimv2",
		Selectors: []model.Selector{{Name: "Handle", Value: fmt.Sprint(pid)}}}
}

func serviceRef(name string) *model.Reference {
	return &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2",
		Selectors: []model.Selector{{Name: "Name", Value: name}}}
}

// links builds the association instances from the current state.
func (w *world) serviceProcessLinks(context.Context) ([]*model.Instance, error) {
	svcs, _ := w.listServices(context.Background())
	var out []*model.Instance
	for _, s := range svcs {
		pid, _ := s.Get("ProcessId")
		u, _ := pid.AsUint()
		if u == 0 {
			continue
		}
		name, _ := s.Get("Name")
		l := model.NewInstance("Test_ServiceProcess", "")
		l.Set("Service", model.Ref(serviceRef(name.Text())))
		l.Set("Process", model.Ref(procRef(uint32(u))))
		out = append(out, l)
	}
	return out, nil
}

func dependency(context.Context) ([]*model.Instance, error) {
	l := model.NewInstance("Test_DependentService", "")
	l.Set("Antecedent", model.Ref(serviceRef("HTTP")))
	l.Set("Dependent", model.Ref(serviceRef("WinRM")))
	return []*model.Instance{l}, nil
}

var assocQualifier = []model.Qualifier{{Name: "Association", Value: model.Bool(true)}}

func (w *world) provider() *Provider {
	p := New(model.Identity{ProtocolVersion: "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd", ProductVendor: "cimsh", ProductVersion: "test"}, "TESTHOST")
	p.Register("root/cimv2", ClassDef{Class: &model.Class{
		Name: "CIM_Process",
		Properties: []model.PropertyDecl{
			{Name: "Handle", Type: model.TypeString, Key: true},
			{Name: "Name", Type: model.TypeString},
			{Name: "CreationDate", Type: model.TypeDatetime},
		},
	}})
	p.Register(`ROOT\CIMV2`, ClassDef{
		Class: &model.Class{
			Name: "Win32_Process", SuperClass: "CIM_Process",
			Properties: []model.PropertyDecl{
				{Name: "ProcessId", Type: model.TypeUint32},
				{Name: "CommandLine", Type: model.TypeString},
				{Name: "WorkingSetSize", Type: model.TypeUint64},
			},
			Methods: []model.Method{
				{Name: "Terminate", ReturnType: model.TypeUint32, Parameters: []model.Parameter{{Name: "Reason", Type: model.TypeUint32, In: true}}},
				{Name: "Create", ReturnType: model.TypeUint32, Static: true, Parameters: []model.Parameter{
					{Name: "CommandLine", Type: model.TypeString, In: true},
					{Name: "Priorities", Type: model.TypeSint8, Array: true, In: true},
					{Name: "ProcessId", Type: model.TypeUint32, Out: true},
				}},
				{Name: "GetOwner", ReturnType: model.TypeUint32},
			},
		},
		List: w.listProcs,
		Methods: map[string]MethodFunc{
			"terminate": func(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
				pid, _ := target.Get("ProcessId")
				reason, _ := in.Get("Reason")
				w.mu.Lock()
				defer w.mu.Unlock()
				w.terminate = append(w.terminate, fmt.Sprintf("%s:%s:%s", pid.Text(), reason.Type(), reason.Text()))
				u, _ := pid.AsUint()
				delete(w.procs, uint32(u))
				out := model.NewInstance("__PARAMETERS", "")
				out.Set("ReturnValue", model.Sint(model.TypeSint64, 0)) // converted to uint32 by memprov
				return out, nil
			},
			"CREATE": func(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
				cmd, _ := in.Get("CommandLine")
				w.mu.Lock()
				pid := w.nextPID
				w.nextPID++
				w.mu.Unlock()
				name := strings.Fields(cmd.Text())
				w.mu.Lock()
				w.addProc(pid, name[0], cmd.Text(), 4096)
				w.mu.Unlock()
				out := model.NewInstance("__PARAMETERS", "")
				out.Set("ReturnValue", model.Uint(model.TypeUint32, 0))
				out.Set("ProcessId", model.String(fmt.Sprint(pid))) // converted to uint32 by memprov
				if pr, ok := in.Get("Priorities"); ok {
					out.Set("EchoPriorities", pr)
				}
				return out, nil
			},
		},
		Delete: func(ctx context.Context, path *model.Reference) error {
			s, _ := path.Selector("Handle")
			var pid uint32
			fmt.Sscan(s.Value, &pid)
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.procs[pid] == nil {
				return model.NewFault(model.CIMNotFound, "test: no process %d", pid)
			}
			delete(w.procs, pid)
			return nil
		},
	})
	p.Register("root/cimv2", ClassDef{
		Class: &model.Class{
			Name: "Win32_Service",
			Properties: []model.PropertyDecl{
				{Name: "Name", Type: model.TypeString, Key: true},
				{Name: "State", Type: model.TypeString},
				{Name: "StartMode", Type: model.TypeString},
				{Name: "ProcessId", Type: model.TypeUint32},
			},
		},
		List: w.listServices,
		Modify: func(ctx context.Context, inst *model.Instance) (*model.Instance, error) {
			name, _ := inst.Get("Name")
			w.mu.Lock()
			defer w.mu.Unlock()
			cur := w.services[strings.ToLower(name.Text())]
			if cur == nil {
				return nil, model.NewFault(model.CIMNotFound, "test: no service %s", name.Text())
			}
			cur = cur.Clone()
			for _, pr := range inst.All() {
				cur.Set(pr.Name, pr.Value)
			}
			w.services[strings.ToLower(name.Text())] = cur
			return cur, nil
		},
		Create: func(ctx context.Context, inst *model.Instance) (*model.Instance, error) {
			name, _ := inst.Get("Name")
			w.mu.Lock()
			defer w.mu.Unlock()
			if w.services[strings.ToLower(name.Text())] != nil {
				return nil, model.NewFault(model.CIMAlreadyExists, "test: service %s exists", name.Text())
			}
			w.services[strings.ToLower(name.Text())] = inst
			return inst, nil
		},
	})
	p.Register("root/cimv2", ClassDef{
		Class: &model.Class{
			Name: "Test_ServiceProcess", Qualifiers: assocQualifier,
			Properties: []model.PropertyDecl{
				{Name: "Service", Type: model.TypeReference, RefClass: "Win32_Service", Key: true},
				{Name: "Process", Type: model.TypeReference, RefClass: "CIM_Process", Key: true},
			},
		},
		List: w.serviceProcessLinks,
	})
	// An abstract association base; its subclass inherits the qualifier.
	p.Register("root/cimv2", ClassDef{
		Class: &model.Class{
			Name: "CIM_Dependency", Qualifiers: assocQualifier,
			Properties: []model.PropertyDecl{
				{Name: "Antecedent", Type: model.TypeReference, RefClass: "CIM_ManagedElement", Key: true},
				{Name: "Dependent", Type: model.TypeReference, RefClass: "CIM_ManagedElement", Key: true},
			},
		},
	})
	p.Register("root/cimv2", ClassDef{
		Class: &model.Class{
			Name: "Test_DependentService", SuperClass: "CIM_Dependency",
			Properties: []model.PropertyDecl{
				{Name: "Antecedent", Type: model.TypeReference, RefClass: "Win32_Service", Key: true},
				{Name: "Dependent", Type: model.TypeReference, RefClass: "Win32_Service", Key: true},
			},
		},
		List: dependency,
	})
	p.Register("root/other", ClassDef{
		Class: &model.Class{Name: "Other_Singleton", Properties: []model.PropertyDecl{{Name: "Value", Type: model.TypeSint32}}},
		List: func(context.Context) ([]*model.Instance, error) {
			i := model.NewInstance("", "")
			i.Set("Value", model.Sint(model.TypeSint32, -7))
			return []*model.Instance{i}, nil
		},
	})
	return p
}
