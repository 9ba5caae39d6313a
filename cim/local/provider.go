package local

import (
	"context"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// collector reads the machine for the classes' List functions. Every
// call reads afresh: nothing is cached between queries, so a script that
// polls sees changes.
type collector struct {
	s *schemaSet
	// dmiRoot, when set, is the root ghw reads /sys/class/dmi/id under
	// (tests point it at recorded DMI trees).
	dmiRoot string
	// systemd reads unit data; tests replace it with recorded data.
	systemd unitSource
	// pkgRoot, when set, is the root the package databases are read
	// under (tests point it at recorded dpkg data).
	pkgRoot string
	// sysRoot, when set, is the root the configuration under /etc (domain
	// membership), the kernel's files under /sys and /proc (processor
	// state and clocks, removable media, block devices and partitions)
	// and udev's records under /run/udev are read under (tests point it
	// at recorded trees).
	sysRoot string
	// mounts, when set, is the mount table (tests give a recorded one).
	mounts func(context.Context) ([]mountInfo, error)
}

// identity is what the local provider's Identify returns.
var identity = model.Identity{
	ProtocolVersion: "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
	ProductVendor:   "cimsh",
	ProductVersion:  "local provider",
}

// New returns the local machine provider: a *memprov.Provider (so
// callers can register further classes beside the built-in ones) whose
// classes are all in root/cimv2. Its instances carry an empty
// ComputerName, as local CIM sessions do in PowerShell. The error is
// non-nil only if the built-in schemas are malformed.
func New() (*memprov.Provider, error) {
	return newProvider(&collector{systemd: systemBusUnits{}})
}

func newProvider(c *collector) (*memprov.Provider, error) {
	s, err := schemas()
	if err != nil {
		return nil, err
	}
	c.s = s
	p := memprov.New(identity, "")
	lists := map[string]func(context.Context) ([]*model.Instance, error){
		"Win32_OperatingSystem":             c.listOperatingSystem,
		"Win32_ComputerSystem":              c.listComputerSystem,
		"Win32_Process":                     c.listProcesses,
		"Win32_LogicalDisk":                 c.listLogicalDisks,
		"Win32_Service":                     c.listServices,
		"Win32_NetworkAdapterConfiguration": c.listNetworkAdapterConfigurations,
		"Win32_Processor":                   c.listProcessors,
		"Win32_BIOS":                        c.listBIOS,
		"Win32_ComputerSystemProduct":       c.listComputerSystemProduct,
		"Win32_QuickFixEngineering":         c.listQuickFixEngineering,
		"Win32_Product":                     c.listProducts,
		"Win32_SystemServices":              c.listSystemServices,
		"Win32_SystemProcesses":             c.listSystemProcesses,
		"Win32_DependentService":            c.listDependentServices,
		"Win32_DiskPartition":               c.listDiskPartitions,
		"Win32_LogicalDiskToPartition":      c.listLogicalDiskToPartition,
	}
	for _, cls := range s.order {
		def := memprov.ClassDef{Class: cls, List: lists[cls.Name]}
		if cls.Name == "Win32_Process" {
			def.Get = c.getProcess
			def.Methods = map[string]memprov.MethodFunc{
				"Terminate": terminateProcess,
				"GetOwner":  getOwner,
				"Create":    createProcess,
			}
		}
		p.Register(model.DefaultNamespace, def)
	}
	registerNamespaces(p)
	return p, nil
}

// namespaceClass is __NAMESPACE: an instance in a namespace names a
// namespace beneath it, as Windows lists root\cimv2 in root.
var namespaceClass = &model.Class{Name: "__NAMESPACE", Namespace: "root",
	Properties: []model.PropertyDecl{{Name: "Name", Type: model.TypeString, Key: true, ClassOrigin: "__NAMESPACE",
		Qualifiers: []model.Qualifier{{Name: "Key", Value: model.Bool(true)}}}}}

// registerNamespaces serves __NAMESPACE in root: the provider's one
// namespace beneath it, cimv2.
func registerNamespaces(p *memprov.Provider) {
	p.Register("root", memprov.ClassDef{Class: namespaceClass, List: func(context.Context) ([]*model.Instance, error) {
		inst := model.NewInstanceOf("__NAMESPACE", "root", model.Property{Name: "Name", Value: model.String("cimv2"), Key: true})
		return []*model.Instance{inst}, nil
	}})
}
