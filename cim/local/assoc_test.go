package local

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// blockTree writes a /sys/block and /run/udev tree under a temporary
// root, as Linux shows it for this machine:
//
//	nvme0n1   4K sectors, one partition (no udev record)   /data
//	sda       GPT: EFI system partition, Linux /boot, LVM PV
//	sdb       a file system on the whole disk (no table)   /srv
//	dm-0      LVM's root volume on sda3 (not a disk)        /
//	loop0     a loop device with a partition (not a disk)
//
// (udev's file names hold colons, which some checkouts cannot, so the
// tree is written here rather than kept in testdata.)
func blockTree(t *testing.T) string {
	root := t.TempDir()
	files := map[string]string{
		"sys/block/sda/device/vendor":                "ATA",
		"sys/block/sda/queue/logical_block_size":     "512",
		"sys/block/sda/sda1/partition":               "1",
		"sys/block/sda/sda1/start":                   "2048",
		"sys/block/sda/sda1/size":                    "1048576",
		"sys/block/sda/sda1/dev":                     "8:1",
		"sys/block/sda/sda2/partition":               "2",
		"sys/block/sda/sda2/start":                   "1050624",
		"sys/block/sda/sda2/size":                    "2097152",
		"sys/block/sda/sda2/dev":                     "8:2",
		"sys/block/sda/sda3/partition":               "3",
		"sys/block/sda/sda3/start":                   "3147776",
		"sys/block/sda/sda3/size":                    "497971200",
		"sys/block/sda/sda3/dev":                     "8:3",
		"sys/block/sdb/device/vendor":                "QEMU",
		"sys/block/nvme0n1/device/model":             "Samsung SSD 980 1TB",
		"sys/block/nvme0n1/queue/logical_block_size": "4096",
		"sys/block/nvme0n1/nvme0n1p1/partition":      "1",
		"sys/block/nvme0n1/nvme0n1p1/start":          "2048",
		"sys/block/nvme0n1/nvme0n1p1/size":           "1953519616",
		"sys/block/nvme0n1/nvme0n1p1/dev":            "259:1",
		"sys/block/dm-0/slaves/sda3":                 "",
		"sys/block/loop0/loop0p1/partition":          "1",
		"run/udev/data/b8:1":                         "E:ID_PART_TABLE_TYPE=gpt\nE:ID_PART_ENTRY_TYPE=c12a7328-f81f-11d2-ba4b-00a0c93ec93b\n",
		"run/udev/data/b8:2":                         "E:ID_PART_TABLE_TYPE=gpt\nE:ID_PART_ENTRY_TYPE=0fc63daf-8483-4772-8e79-3d69d8477de4\n",
		"run/udev/data/b8:3":                         "E:ID_PART_TABLE_TYPE=gpt\nE:ID_PART_ENTRY_TYPE=e6d6d379-f507-44c2-a23c-238f2a3df928\n",
	}
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content+"\n"), 0o644); err != nil {
			testenv.Skip(t, "this file system cannot hold udev's file names (colons)", err)
		}
	}
	return root
}

var recordedMounts = []mountInfo{
	{device: "/dev/dm-0", mountpoint: "/", fstype: "ext4"},
	{device: "/dev/sda2", mountpoint: "/boot", fstype: "ext4"},
	{device: "/dev/sda1", mountpoint: "/boot/efi", fstype: "vfat"},
	{device: "/dev/nvme0n1p1", mountpoint: "/data", fstype: "xfs"},
	{device: "/dev/sdb", mountpoint: "/srv", fstype: "ext4"},
	{device: "server:/export", mountpoint: "/mnt/export", fstype: "nfs4"},
}

func recordedProvider(t *testing.T) model.Provider {
	p, err := newProvider(&collector{systemd: recordedUnits{dir: "testdata/systemd"}, sysRoot: blockTree(t),
		mounts: func(context.Context) ([]mountInfo, error) { return recordedMounts, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func texts(insts []*model.Instance, props ...string) []string {
	var out []string
	for _, i := range insts {
		var f []string
		for _, p := range props {
			v, _ := i.Get(p)
			if r, ok := v.AsReference(); ok {
				f = append(f, r.String())
			} else if v.IsNull() {
				f = append(f, "NULL")
			} else {
				f = append(f, v.Text())
			}
		}
		out = append(out, strings.Join(f, " | "))
	}
	sort.Strings(out)
	return out
}

func wantLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Win32_DiskPartition lists the partitions of the real disks, numbered
// as Windows numbers them, with sizes in bytes and udev's table types.
func TestDiskPartitions(t *testing.T) {
	p := recordedProvider(t)
	got := texts(enumClass(t, p, "Win32_DiskPartition"), "DeviceID", "DiskIndex", "Index", "StartingOffset", "Size",
		"BlockSize", "NumberOfBlocks", "Type", "Bootable", "PrimaryPartition")
	wantLines(t, "Win32_DiskPartition", got, []string{
		"Disk #0, Partition #0 | 0 | 0 | 1048576 | 1000202043392 | 4096 | 244189952 | NULL | NULL | NULL",
		"Disk #1, Partition #0 | 1 | 0 | 1048576 | 536870912 | 512 | 1048576 | GPT: System | true | true",
		"Disk #1, Partition #1 | 1 | 1 | 537919488 | 1073741824 | 512 | 2097152 | GPT: Unknown | false | true",
		"Disk #1, Partition #2 | 1 | 2 | 1611661312 | 254961254400 | 512 | 497971200 | GPT: Unknown | false | true",
	})
	// Through the CIM_ base, and by key, as every class.
	if n := len(enumClass(t, p, "CIM_DiskPartition")); n != 4 {
		t.Errorf("CIM_DiskPartition lists %d", n)
	}
}

// The associations Windows has: each mounted file system to the
// partitions it is on (through LVM to the physical volume), the computer
// to its services and processes, and services to those they need.
func TestAssociations(t *testing.T) {
	p := recordedProvider(t)
	ldp := texts(enumClass(t, p, "Win32_LogicalDiskToPartition"), "Dependent", "Antecedent", "StartingAddress", "EndingAddress")
	wantLines(t, "Win32_LogicalDiskToPartition", ldp, []string{
		`Win32_LogicalDisk.DeviceID="/" | Win32_DiskPartition.DeviceID="Disk #1, Partition #2" | 1611661312 | 256572915711`,
		`Win32_LogicalDisk.DeviceID="/boot" | Win32_DiskPartition.DeviceID="Disk #1, Partition #1" | 537919488 | 1611661311`,
		`Win32_LogicalDisk.DeviceID="/boot/efi" | Win32_DiskPartition.DeviceID="Disk #1, Partition #0" | 1048576 | 537919487`,
		`Win32_LogicalDisk.DeviceID="/data" | Win32_DiskPartition.DeviceID="Disk #0, Partition #0" | 1048576 | 1000203091967`,
	})
	deps := texts(enumClass(t, p, "Win32_DependentService"), "Dependent", "Antecedent", "TypeOfDependency")
	wantLines(t, "Win32_DependentService", deps, []string{
		`Win32_Service.Name="nginx" | Win32_Service.Name="ssh" | 1`,
		`Win32_Service.Name="postgresql@15-main" | Win32_Service.Name="systemd-tmpfiles-setup" | 3`,
	})
	ctx := testCtx(t)
	assoc := func(src *model.Reference, assocClass, resultClass string) []*model.Instance {
		t.Helper()
		out, err := tryEnumerate(ctx, p, &model.EnumerateRequest{Associated: &model.AssociationFilter{Source: src,
			AssociationClass: assocClass, ResultClass: resultClass}})
		if err != nil {
			t.Fatalf("associators of %s: %v", src, err)
		}
		return out
	}
	disk := &model.Reference{ClassName: "Win32_LogicalDisk", Selectors: []model.Selector{{Name: "DeviceID", Value: "/boot"}}}
	wantLines(t, "associators of /boot", texts(assoc(disk, "", ""), "DeviceID"), []string{"Disk #1, Partition #1"})
	part := &model.Reference{ClassName: "Win32_DiskPartition", Selectors: []model.Selector{{Name: "DeviceID", Value: "Disk #1, Partition #0"}}}
	wantLines(t, "associators of the ESP", texts(assoc(part, "Win32_LogicalDiskToPartition", ""), "DeviceID"), []string{"/boot/efi"})
	ssh := &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "ssh"}}}
	got := assoc(ssh, "", "")
	var classes []string
	for _, i := range got {
		classes = append(classes, i.ClassName)
	}
	sort.Strings(classes)
	if strings.Join(classes, ",") != "Win32_ComputerSystem,Win32_Service" {
		t.Errorf("associators of ssh: %v, want the computer system and nginx", classes)
	}
	host := &model.Reference{ClassName: "Win32_ComputerSystem", Selectors: []model.Selector{{Name: "Name", Value: hostname()}}}
	services := assoc(host, "Win32_SystemServices", "")
	if len(services) != len(enumClass(t, p, "Win32_Service")) || len(services) == 0 {
		t.Errorf("the computer has %d services through Win32_SystemServices, Win32_Service lists %d", len(services), len(enumClass(t, p, "Win32_Service")))
	}
	self := &model.Reference{ClassName: "Win32_Process", Selectors: []model.Selector{{Name: "Handle", Value: strconv.Itoa(os.Getpid())}}}
	if got := assoc(self, "Win32_SystemProcesses", ""); len(got) != 1 || got[0].ClassName != "Win32_ComputerSystem" {
		t.Errorf("this process's computer system: %v", got)
	}
	// WQL, as users write it.
	got, err := tryEnumerate(ctx, p, &model.EnumerateRequest{Query: `ASSOCIATORS OF {Win32_Service.Name="nginx"} WHERE ResultClass = Win32_Service`})
	if err != nil || len(got) != 1 || texts(got, "Name")[0] != "ssh" {
		t.Errorf("ASSOCIATORS OF nginx: %v %v", texts(got, "Name"), err)
	}
}

// root holds __NAMESPACE instances naming the namespaces served.
func TestNamespaces(t *testing.T) {
	p := recordedProvider(t)
	got, err := tryEnumerate(testCtx(t), p, &model.EnumerateRequest{Common: model.Common{Namespace: "root"}, ClassName: "__NAMESPACE"})
	if err != nil || strings.Join(texts(got, "Name"), ",") != "cimv2" {
		t.Fatalf("__NAMESPACE in root: %v %v", texts(got, "Name"), err)
	}
}

func TestNaturalLess(t *testing.T) {
	sorted := []string{"nvme0n1", "nvme2n1", "nvme10n1", "sda", "sdb", "sdz", "sdaa", "sdab", "vda", "vdb", "xvda"}
	for i := range sorted {
		for j := range sorted {
			if got := naturalLess(sorted[i], sorted[j]); got != (i < j) {
				t.Errorf("naturalLess(%s, %s) = %v", sorted[i], sorted[j], got)
			}
		}
	}
}
