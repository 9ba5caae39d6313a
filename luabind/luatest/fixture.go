// Package luatest provides an in-memory CIM world for the tests of the
// Lua module, the shell and the binary: a few Windows-shaped classes
// served by cim/memprov, a slow class for cancellation tests and a host
// name that is always unreachable.
package luatest

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// Unreachable is a computer name whose operations all fail with an
// unreachable fault.
const Unreachable = "unreachable.example"

// Boot is the fixture's boot time.
var Boot = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)

// SlowDelay is how long Cimsh_Slow takes unless cancelled.
const SlowDelay = 30 * time.Second

// Factory returns a provider factory for luabind.Options.NewProvider:
// each computer gets its own world.
func Factory() func(cfg cim.Config) (model.Provider, error) {
	return func(cfg cim.Config) (model.Provider, error) {
		host := cfg.ComputerName
		if strings.EqualFold(host, Unreachable) {
			return down{}, nil
		}
		if host == "" {
			host = "localhost"
		}
		return NewProvider(host), nil
	}
}

// NewProvider builds the world of one host.
func NewProvider(host string) *memprov.Provider {
	p := memprov.New(model.Identity{ProtocolVersion: "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
		ProductVendor: "Microsoft Corporation", ProductVersion: "OS: 10.0.20348 SP: 0.0 Stack: 3.0"}, host)
	w := &world{services: map[string]*model.Instance{}}
	for _, s := range []struct {
		name, state, mode string
		pid               uint64
	}{{"WinRM", "Running", "Auto", 700}, {"Spooler", "Stopped", "Manual", 0}, {"BITS", "Running", "Manual", 812}} {
		i := model.NewInstance("Win32_Service", "")
		i.SetKey("Name", model.String(s.name))
		i.Set("DisplayName", model.String("Service "+s.name))
		i.Set("State", model.String(s.state))
		i.Set("StartMode", model.String(s.mode))
		i.Set("Status", model.String("OK"))
		i.Set("ExitCode", model.Uint(model.TypeUint32, 0))
		i.Set("ProcessId", model.Uint(model.TypeUint32, s.pid))
		w.services[strings.ToLower(s.name)] = i
		w.order = append(w.order, strings.ToLower(s.name))
	}
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_Service", Properties: []model.PropertyDecl{
			{Name: "Name", Type: model.TypeString, Key: true},
			{Name: "DisplayName", Type: model.TypeString},
			{Name: "State", Type: model.TypeString},
			{Name: "StartMode", Type: model.TypeString},
			{Name: "Status", Type: model.TypeString},
			{Name: "ExitCode", Type: model.TypeUint32},
			{Name: "ProcessId", Type: model.TypeUint32},
		}, Methods: []model.Method{
			{Name: "StopService", ReturnType: model.TypeUint32},
			{Name: "StartService", ReturnType: model.TypeUint32},
			{Name: "Change", ReturnType: model.TypeUint32, Parameters: []model.Parameter{
				{Name: "DisplayName", Type: model.TypeString, In: true},
				{Name: "ErrorControl", Type: model.TypeUint8, In: true},
			}},
		}},
		List: w.list,
		Methods: map[string]memprov.MethodFunc{
			"StopService":  w.setState("Stopped"),
			"StartService": w.setState("Running"),
			"Change": func(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
				out := model.NewInstance("__PARAMETERS", "")
				if v, ok := in.Get("DisplayName"); ok && !v.IsNull() {
					w.mu.Lock()
					w.services[strings.ToLower(nameOf(target))].Set("DisplayName", v)
					w.mu.Unlock()
				}
				out.Set("ReturnValue", model.Uint(model.TypeUint32, 0))
				return out, nil
			},
		},
		Modify: func(ctx context.Context, inst *model.Instance) (*model.Instance, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			cur := w.services[strings.ToLower(nameOf(inst))]
			if cur == nil {
				return nil, model.NewFault(model.CIMNotFound, "no service %s", nameOf(inst))
			}
			for _, pr := range inst.All() {
				cur.Set(pr.Name, pr.Value)
			}
			return cur.Clone(), nil
		},
		Delete: func(ctx context.Context, path *model.Reference) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			s, _ := path.Selector("Name")
			k := strings.ToLower(s.Value)
			if w.services[k] == nil {
				return model.NewFault(model.CIMNotFound, "no service %s", s.Value)
			}
			delete(w.services, k)
			return nil
		},
	})
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Win32_OperatingSystem", Properties: []model.PropertyDecl{
			{Name: "Name", Type: model.TypeString, Key: true},
			{Name: "Caption", Type: model.TypeString},
			{Name: "Version", Type: model.TypeString},
			{Name: "BuildNumber", Type: model.TypeString},
			{Name: "LastBootUpTime", Type: model.TypeDatetime},
			{Name: "TotalVirtualMemorySize", Type: model.TypeUint64},
			{Name: "MaxProcessMemorySize", Type: model.TypeUint64},
			{Name: "MinOffset", Type: model.TypeSint64},
			{Name: "Uptime", Type: model.TypeDatetime},
			{Name: "MUILanguages", Type: model.TypeString, Array: true},
			{Name: "Organization", Type: model.TypeString},
		}},
		List: func(ctx context.Context) ([]*model.Instance, error) {
			i := model.NewInstance("Win32_OperatingSystem", "")
			i.SetKey("Name", model.String("Microsoft Windows Server 2022 Datacenter|C:\\Windows|\\Device\\Harddisk0\\Partition2"))
			i.Set("Caption", model.String("Microsoft Windows Server 2022 Datacenter"))
			i.Set("Version", model.String("10.0.20348"))
			i.Set("BuildNumber", model.String("20348"))
			i.Set("LastBootUpTime", model.DatetimeValue(model.NewTimestamp(Boot)))
			i.Set("TotalVirtualMemorySize", model.Uint(model.TypeUint64, 9007199254740993))
			i.Set("MaxProcessMemorySize", model.Uint(model.TypeUint64, math.MaxUint64))
			i.Set("MinOffset", model.Sint(model.TypeSint64, math.MinInt64))
			i.Set("Uptime", model.DatetimeValue(model.NewInterval(26*time.Hour+3*time.Minute+4*time.Second)))
			i.Set("MUILanguages", model.Array(model.TypeString, []model.Value{model.String("en-US"), model.String("de-DE")}))
			i.Set("Organization", model.Null(model.TypeString))
			return []*model.Instance{i}, nil
		},
	})
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Cimsh_Item", Properties: []model.PropertyDecl{
			{Name: "Id", Type: model.TypeUint32, Key: true},
			{Name: "Label", Type: model.TypeString},
		}},
		List: func(ctx context.Context) ([]*model.Instance, error) {
			out := make([]*model.Instance, 0, ItemCount)
			for k := 1; k <= ItemCount; k++ {
				i := model.NewInstance("Cimsh_Item", "")
				i.SetKey("Id", model.Uint(model.TypeUint32, uint64(k)))
				i.Set("Label", model.String(fmt.Sprintf("item %d", k)))
				out = append(out, i)
			}
			return out, nil
		},
	})
	p.Register("", memprov.ClassDef{
		Class: &model.Class{Name: "Cimsh_Slow", Properties: []model.PropertyDecl{{Name: "Id", Type: model.TypeUint32, Key: true}}},
		List: func(ctx context.Context) ([]*model.Instance, error) {
			select {
			case <-time.After(SlowDelay):
				return nil, nil
			case <-ctx.Done():
				return nil, &model.Fault{Category: model.CategoryCanceled, Reason: "luatest: slow operation canceled", Err: ctx.Err()}
			}
		},
	})
	return p
}

// ItemCount is the number of Cimsh_Item instances.
const ItemCount = 250

type world struct {
	mu       sync.Mutex
	services map[string]*model.Instance
	order    []string
}

func nameOf(i *model.Instance) string {
	if i == nil {
		return ""
	}
	v, _ := i.Get("Name")
	s, _ := v.AsString()
	return s
}

func (w *world) list(context.Context) ([]*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*model.Instance
	for _, k := range w.order {
		if s := w.services[k]; s != nil {
			out = append(out, s.Clone())
		}
	}
	return out, nil
}

func (w *world) setState(state string) memprov.MethodFunc {
	return func(ctx context.Context, target, in *model.Instance) (*model.Instance, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		out := model.NewInstance("__PARAMETERS", "")
		s := w.services[strings.ToLower(nameOf(target))]
		cur, _ := s.Get("State")
		if t, _ := cur.AsString(); t == state {
			out.Set("ReturnValue", model.Uint(model.TypeUint32, 10)) // already in that state
			return out, nil
		}
		s.Set("State", model.String(state))
		out.Set("ReturnValue", model.Uint(model.TypeUint32, 0))
		return out, nil
	}
}

// down is a provider whose every operation fails as an unreachable host.
type down struct{}

func (down) fault() error {
	return &model.Fault{Category: model.CategoryUnreachable, ComputerName: Unreachable, Reason: "dial tcp: connection refused"}
}
func (d down) Identify(context.Context) (*model.Identity, error) { return nil, d.fault() }
func (d down) Enumerate(context.Context, *model.EnumerateRequest) (model.Enumerator, error) {
	return nil, d.fault()
}
func (d down) Get(context.Context, *model.GetRequest) (*model.Instance, error) { return nil, d.fault() }
func (d down) Invoke(context.Context, *model.InvokeRequest) (*model.Instance, error) {
	return nil, d.fault()
}
func (d down) Create(context.Context, *model.CreateRequest) (*model.Instance, error) {
	return nil, d.fault()
}
func (d down) Modify(context.Context, *model.ModifyRequest) (*model.Instance, error) {
	return nil, d.fault()
}
func (d down) Delete(context.Context, *model.DeleteRequest) error { return d.fault() }
func (d down) GetClass(context.Context, *model.GetClassRequest) (*model.Class, error) {
	return nil, d.fault()
}
func (d down) EnumerateClasses(context.Context, *model.EnumerateClassesRequest) ([]*model.Class, error) {
	return nil, d.fault()
}
func (down) Close() error { return nil }
