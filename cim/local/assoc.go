package local

import (
	"context"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// The associations between the classes above, as Windows has them:
//
//   - Win32_SystemServices and Win32_SystemProcesses join the computer
//     system (GroupComponent) to each service and process (PartComponent);
//   - Win32_DependentService joins a service (Dependent) to each service it
//     needs (Antecedent), from systemd's Requires=, Requisite= and
//     BindsTo= (TypeOfDependency 3, "Service Must Be Started") and Wants=
//     (1, "Other": wanted, not needed);
//   - Win32_LogicalDiskToPartition joins a mounted file system (Dependent)
//     to each partition it is on (Antecedent), through device-mapper and
//     RAID nodes, with the partition's first and last byte.
//
// ASSOCIATORS OF and Get-CimAssociatedInstance follow them (memprov).

// hardDependencies are the systemd unit properties that name units a
// unit cannot run without; softDependencies those it only wants.
var (
	hardDependencies = []string{"Requires", "Requisite", "BindsTo"}
	softDependencies = []string{"Wants"}
)

func ref(class, key, value string) model.Value {
	return model.Ref(&model.Reference{ClassName: class, Namespace: model.DefaultNamespace,
		Selectors: []model.Selector{{Name: key, Value: value}}})
}

// systemComponents returns a Win32_System* association instance joining
// this computer to each instance that list returns, by key.
func (c *collector) systemComponents(ctx context.Context, class, partClass, key string,
	list func(context.Context) ([]*model.Instance, error)) ([]*model.Instance, error) {
	parts, err := list(ctx)
	if err != nil {
		return nil, err
	}
	host := ref("Win32_ComputerSystem", "Name", hostname())
	cls := c.s.class(class)
	out := make([]*model.Instance, 0, len(parts))
	for _, p := range parts {
		v, ok := p.Get(key)
		if !ok || v.IsNull() {
			continue
		}
		inst := newInstance(cls)
		inst.Set("GroupComponent", host)
		inst.Set("PartComponent", ref(partClass, key, v.Text()))
		out = append(out, inst)
	}
	return out, nil
}

func (c *collector) listSystemServices(ctx context.Context) ([]*model.Instance, error) {
	return c.systemComponents(ctx, "Win32_SystemServices", "Win32_Service", "Name", c.listServices)
}

func (c *collector) listSystemProcesses(ctx context.Context) ([]*model.Instance, error) {
	return c.systemComponents(ctx, "Win32_SystemProcesses", "Win32_Process", "Handle", c.listProcesses)
}

func (c *collector) listDependentServices(ctx context.Context) ([]*model.Instance, error) {
	if c.systemd == nil {
		return nil, nil
	}
	snap, err := c.systemd.units(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_DependentService: reading systemd units: %v", err)
	}
	if snap == nil {
		return nil, nil
	}
	// Only the units Win32_Service lists: a reference must lead somewhere.
	services := map[string]bool{}
	for _, s := range c.serviceInstances(snap, "") {
		if v, ok := s.Get("Name"); ok {
			services[v.Text()] = true
		}
	}
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)
	cls := c.s.class("Win32_DependentService")
	var out []*model.Instance
	for _, n := range names {
		props := snap.Props[n+".service"]
		seen := map[string]bool{}
		for _, kind := range []struct {
			props []string
			typ   uint64
		}{{hardDependencies, 3}, {softDependencies, 1}} {
			for _, p := range kind.props {
				for _, dep := range propStrings(props, p) {
					short, isService := strings.CutSuffix(dep, ".service")
					if !isService || !services[short] || seen[short] || short == n {
						continue
					}
					seen[short] = true
					inst := newInstance(cls)
					inst.Set("Antecedent", ref("Win32_Service", "Name", short))
					inst.Set("Dependent", ref("Win32_Service", "Name", n))
					inst.Set("TypeOfDependency", u16(kind.typ))
					out = append(out, inst)
				}
			}
		}
	}
	return out, nil
}

// propStrings returns a string-array property (D-Bus "as").
func propStrings(props map[string]any, name string) []string {
	list, _ := props[name].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
