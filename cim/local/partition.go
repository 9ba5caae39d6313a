package local

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_DiskPartition: the partitions of the machine's disks, read from
// sysfs (/sys/block/DISK/PART), with what udev recorded of their
// partition table (/run/udev/data) where it runs. Windows numbers disks
// from 0 and so does this class, in name order of the block devices that
// are real devices (not loop, RAM or device-mapper nodes); a partition's
// Index is its number on the disk less one, so /dev/sda1 is "Disk #0,
// Partition #0". Size and StartingOffset are in bytes (sysfs counts
// 512-byte sectors whatever the disk's block size). Type, Bootable,
// BootPartition and PrimaryPartition come from udev's record of the
// partition table and are NULL without one, as is what Linux does not
// keep (HiddenSectors, RewritePartition).

// blockPartition is one partition as sysfs and udev describe it.
type blockPartition struct {
	name      string // vda1, nvme0n1p2
	diskIndex int
	number    int    // the kernel's partition number (from 1)
	start     uint64 // in 512-byte sectors
	sectors   uint64
	blockSize uint64 // the disk's logical block size
	udev      map[string]string
}

// deviceID is the partition's DeviceID, as Windows writes it.
func (p *blockPartition) deviceID() string {
	return "Disk #" + strconv.Itoa(p.diskIndex) + ", Partition #" + strconv.Itoa(p.number-1)
}

// sys returns path under the collector's sysRoot (tests read recorded trees).
func (c *collector) sys(path string) string {
	if c.sysRoot == "" {
		return path
	}
	return filepath.Join(c.sysRoot, path)
}

// partitions reads every partition of the real disks, by partition name.
func (c *collector) partitions() map[string]*blockPartition {
	entries, err := os.ReadDir(c.sys("/sys/block"))
	if err != nil {
		return nil
	}
	var disks []string
	for _, e := range entries {
		// A real disk has a device behind it; loop, ram, zram, dm and md
		// nodes do not.
		if _, err := os.Stat(c.sys(filepath.Join("/sys/block", e.Name(), "device"))); err == nil {
			disks = append(disks, e.Name())
		}
	}
	sort.Slice(disks, func(i, j int) bool { return naturalLess(disks[i], disks[j]) })
	out := map[string]*blockPartition{}
	for index, disk := range disks {
		dir := c.sys(filepath.Join("/sys/block", disk))
		blockSize := readUint(filepath.Join(dir, "queue", "logical_block_size"))
		if blockSize == 0 {
			blockSize = 512
		}
		subs, _ := os.ReadDir(dir)
		for _, s := range subs {
			pdir := filepath.Join(dir, s.Name())
			number := readUint(filepath.Join(pdir, "partition"))
			if number == 0 {
				continue
			}
			out[s.Name()] = &blockPartition{
				name: s.Name(), diskIndex: index, number: int(number), blockSize: blockSize,
				start: readUint(filepath.Join(pdir, "start")), sectors: readUint(filepath.Join(pdir, "size")),
				udev: c.udevRecord(readText(filepath.Join(pdir, "dev"))),
			}
		}
	}
	return out
}

func (c *collector) listDiskPartitions(ctx context.Context) ([]*model.Instance, error) {
	parts := c.partitions()
	list := make([]*blockPartition, 0, len(parts))
	for _, p := range parts {
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].diskIndex != list[j].diskIndex {
			return list[i].diskIndex < list[j].diskIndex
		}
		return list[i].number < list[j].number
	})
	host := hostname()
	cls := c.s.class("Win32_DiskPartition")
	out := make([]*model.Instance, 0, len(list))
	for _, p := range list {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, c.partitionInstance(cls, p, host))
	}
	return out, nil
}

func (c *collector) partitionInstance(cls *model.Class, p *blockPartition, host string) *model.Instance {
	inst := newInstance(cls)
	id := p.deviceID()
	inst.Set("DeviceID", model.String(id))
	inst.Set("Name", model.String(id))
	inst.Set("Caption", model.String(id))
	setSystemElement(inst, "Win32_DiskPartition", host)
	inst.Set("DiskIndex", u32(uint64(p.diskIndex)))
	inst.Set("Index", u32(uint64(p.number-1)))
	size := p.sectors * 512
	inst.Set("Size", u64(size))
	inst.Set("StartingOffset", u64(p.start*512))
	inst.Set("BlockSize", u64(p.blockSize))
	inst.Set("NumberOfBlocks", u64(size/p.blockSize))
	table, ptype := p.udev["ID_PART_TABLE_TYPE"], strings.ToLower(p.udev["ID_PART_ENTRY_TYPE"])
	switch table {
	case "gpt":
		name, ok := gptTypes[ptype]
		if !ok {
			name = "GPT: Unknown"
		}
		inst.Set("Type", model.String(name))
		inst.Set("Description", model.String(name))
		system := ptype == gptSystem
		inst.Set("Bootable", boolean(system))
		inst.Set("BootPartition", boolean(system))
		inst.Set("PrimaryPartition", boolean(true))
	case "dos":
		if name, ok := mbrTypes[ptype]; ok {
			inst.Set("Type", model.String(name))
			inst.Set("Description", model.String(name))
		}
		flags, _ := strconv.ParseUint(strings.TrimPrefix(p.udev["ID_PART_ENTRY_FLAGS"], "0x"), 16, 64)
		inst.Set("Bootable", boolean(flags&0x80 != 0))
		inst.Set("BootPartition", boolean(flags&0x80 != 0))
		inst.Set("PrimaryPartition", boolean(p.number <= 4))
	}
	return inst
}

// gptSystem is the EFI system partition's type GUID.
const gptSystem = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"

// gptTypes are the GPT partition types Windows names; it calls others
// "GPT: Unknown".
var gptTypes = map[string]string{
	gptSystem:                              "GPT: System",
	"ebd0a0a2-b9e5-4433-87c0-68b6b72699c7": "GPT: Basic Data",
	"e3c9e316-0b5c-4db8-817d-f92df00215ae": "GPT: Reserved",
	"de94bba4-06d1-4d40-a16a-bfd50179d6ac": "GPT: Unknown", // Windows recovery
}

// mbrTypes are the MBR partition types whose Windows name is known.
var mbrTypes = map[string]string{
	"0x7": "Installable File System",
	"0xb": "Win95 w/Extended Int 13",
	"0xc": "Win95 w/Extended Int 13",
	"0x5": "Extended Partition",
	"0xf": "Extended w/Extended Int 13",
}

// udevRecord reads udev's record of the block device dev ("8:1"): its
// E:KEY=VALUE properties, nil where udev keeps none.
func (c *collector) udevRecord(dev string) map[string]string {
	if dev == "" {
		return nil
	}
	f, err := os.Open(c.sys(filepath.Join("/run/udev/data", "b"+dev)))
	if err != nil {
		return nil
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if kv, ok := strings.CutPrefix(sc.Text(), "E:"); ok {
			if k, v, ok := strings.Cut(kv, "="); ok {
				out[k] = v
			}
		}
	}
	return out
}

// partitionsOf returns the partitions a block device is made of: itself
// when it is a partition, else those under the devices it is built on
// (a device-mapper or RAID node's slaves), in name order.
func (c *collector) partitionsOf(dev string, parts map[string]*blockPartition, depth int) []*blockPartition {
	if p, ok := parts[dev]; ok {
		return []*blockPartition{p}
	}
	if depth > 8 {
		return nil
	}
	slaves, _ := os.ReadDir(c.sys(filepath.Join("/sys/block", dev, "slaves")))
	var out []*blockPartition
	for _, s := range slaves {
		out = append(out, c.partitionsOf(s.Name(), parts, depth+1)...)
	}
	return out
}

// listLogicalDiskToPartition joins each mounted file system to the
// partitions its device is on.
func (c *collector) listLogicalDiskToPartition(ctx context.Context) ([]*model.Instance, error) {
	parts := c.partitions()
	if len(parts) == 0 {
		return nil, nil
	}
	ms, err := c.mountList(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_LogicalDiskToPartition: reading the mount table: %v", err)
	}
	cls := c.s.class("Win32_LogicalDiskToPartition")
	var out []*model.Instance
	for _, m := range ms {
		dev := m.device
		if c.sysRoot == "" {
			if real, err := filepath.EvalSymlinks(dev); err == nil {
				dev = real // /dev/mapper/vg-root is /dev/dm-0
			}
		}
		for _, p := range c.partitionsOf(filepath.Base(dev), parts, 0) {
			inst := newInstance(cls)
			inst.Set("Antecedent", model.Ref(&model.Reference{ClassName: "Win32_DiskPartition", Namespace: model.DefaultNamespace,
				Selectors: []model.Selector{{Name: "DeviceID", Value: p.deviceID()}}}))
			inst.Set("Dependent", model.Ref(&model.Reference{ClassName: "Win32_LogicalDisk", Namespace: model.DefaultNamespace,
				Selectors: []model.Selector{{Name: "DeviceID", Value: m.mountpoint}}}))
			inst.Set("StartingAddress", u64(p.start*512))
			inst.Set("EndingAddress", u64((p.start+p.sectors)*512-1))
			out = append(out, inst)
		}
	}
	return out, nil
}

// mountList is the mount table (a recorded one in tests).
func (c *collector) mountList(ctx context.Context) ([]mountInfo, error) {
	if c.mounts != nil {
		return c.mounts(ctx)
	}
	return mounts(ctx)
}

func readText(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func readUint(path string) uint64 {
	n, _ := strconv.ParseUint(readText(path), 10, 64)
	return n
}

// naturalLess orders device names as the kernel numbers them: runs of
// digits compare as numbers (nvme2n1 before nvme10n1), and a shorter run
// of letters after the same prefix first (sdz before sdaa).
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		ra, rb := leadingRun(a), leadingRun(b)
		da, db := isDigit(ra[0]), isDigit(rb[0])
		switch {
		case da && db:
			na, _ := strconv.ParseUint(ra, 10, 64)
			nb, _ := strconv.ParseUint(rb, 10, 64)
			if na != nb {
				return na < nb
			}
		case !da && !db && len(ra) != len(rb) && diskFamily(ra) != "" && diskFamily(ra) == diskFamily(rb):
			return len(ra) < len(rb)
		case ra != rb:
			return ra < rb
		}
		a, b = a[len(ra):], b[len(rb):]
	}
	return len(a) < len(b)
}

// diskFamily is the prefix of disk names lettered a, b, ... z, aa (sd,
// vd, xvd, hd), "" for others.
func diskFamily(name string) string {
	for _, f := range []string{"sd", "vd", "xvd", "hd"} {
		if strings.HasPrefix(name, f) {
			return f
		}
	}
	return ""
}

// leadingRun is s's first run of digits or of non-digits.
func leadingRun(s string) string {
	d := isDigit(s[0])
	i := 1
	for i < len(s) && isDigit(s[i]) == d {
		i++
	}
	return s[:i]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
