package local

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shirou/gopsutil/v4/disk"

	"github.com/cimsh/cimsh/cim/model"
)

// Win32_LogicalDisk: one instance per mounted file system that holds
// files (block devices, network shares, the container root), not the
// kernel's pseudo file systems nor memory-backed tmpfs mounts.
//
// Mapping: DeviceID, Name and Caption are the mount point (Windows' drive
// letter is the name users address a volume by; on Unix that is the mount
// point), FileSystem the kernel's type name (ext4, xfs, nfs4, apfs),
// Size the total bytes and FreeSpace the bytes available to unprivileged
// users (statfs f_bavail, the "Avail" column of df), VolumeName the file
// system label and VolumeSerialNumber its UUID where udev names them,
// ProviderName the remote path of a network share, DriveType 2 for
// removable media (the disk's sysfs "removable" flag: USB sticks, card
// readers), 3 for other local disks, 4 for network shares and 5 for
// optical media; MediaType 11 (removable) or 12 (fixed) where the kernel
// says which, NULL for a file system on no block device (overlay).

// pseudoFS lists file system types that hold no user files.
var pseudoFS = map[string]bool{
	"proc": true, "sysfs": true, "devtmpfs": true, "devpts": true, "tmpfs": true, "ramfs": true,
	"cgroup": true, "cgroup2": true, "mqueue": true, "debugfs": true, "tracefs": true,
	"securityfs": true, "pstore": true, "bpf": true, "configfs": true, "fusectl": true,
	"hugetlbfs": true, "autofs": true, "binfmt_misc": true, "rpc_pipefs": true, "nsfs": true,
	"efivarfs": true, "selinuxfs": true, "nfsd": true, "squashfs": true, "devfs": true,
	"fdescfs": true, "procfs": true, "kernfs": true, "linprocfs": true, "linsysfs": true,
	"overlay-lower": true, "fuse.gvfsd-fuse": true, "fuse.portal": true, "fuse.lxcfs": true,
}

var networkFS = map[string]bool{
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "smbfs": true, "fuse.sshfs": true,
	"sshfs": true, "9p": true, "ceph": true, "glusterfs": true, "fuse.glusterfs": true,
	"afs": true, "lustre": true, "webdav": true, "davfs": true, "afpfs": true,
}

var opticalFS = map[string]bool{"iso9660": true, "udf": true, "cd9660": true}

// mountInfo is one file system as the classes need it.
type mountInfo struct {
	device, mountpoint, fstype string
	readOnly                   bool
}

// mounts returns the mounted file systems that hold files, one per mount
// point (a later mount over the same point hides the earlier one).
func mounts(ctx context.Context) ([]mountInfo, error) {
	parts, err := disk.PartitionsWithContext(ctx, true)
	if err != nil && len(parts) == 0 {
		return nil, err
	}
	index := map[string]int{}
	var out []mountInfo
	for _, p := range parts {
		if pseudoFS[p.Fstype] || p.Mountpoint == "" {
			continue
		}
		// Containers bind-mount single files (/etc/hosts); a volume is a
		// directory.
		if fi, err := os.Stat(p.Mountpoint); err != nil || !fi.IsDir() {
			continue
		}
		m := mountInfo{device: p.Device, mountpoint: p.Mountpoint, fstype: p.Fstype, readOnly: slices.Contains(p.Opts, "ro")}
		if i, ok := index[m.mountpoint]; ok {
			out[i] = m
			continue
		}
		index[m.mountpoint] = len(out)
		out = append(out, m)
	}
	return out, nil
}

// rootDevice returns the device mounted at path (the root file system
// for "/"), "" when unknown.
func rootDevice(ms []mountInfo, path string) string {
	for _, m := range ms {
		if m.mountpoint == path {
			return m.device
		}
	}
	return ""
}

// udevNames maps a device path to the name udev gives it under dir
// (/dev/disk/by-label, /dev/disk/by-uuid). gopsutil and ghw do not return
// file system labels or UUIDs for mounted volumes, so the symlinks are
// read here; they are absent on systems without udev, and then the
// properties stay NULL.
func udevNames(dir string) map[string]string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := map[string]string{}
	for _, e := range entries {
		target, err := filepath.EvalSymlinks(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		names[target] = unescapeUdev(e.Name())
	}
	return names
}

// unescapeUdev undoes udev's \xNN escapes in by-label names ("My\x20Disk").
func unescapeUdev(s string) string {
	if !strings.Contains(s, `\x`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x' && isHex(s[i+2]) && isHex(s[i+3]) {
			b.WriteByte(unhex(s[i+2])<<4 | unhex(s[i+3]))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// statfsTimeout bounds the wait for a file system's sizes: a statfs on a
// dead network share blocks, and one such share must not hang the query.
const statfsTimeout = 2 * time.Second

// usage returns the sizes of the file system at path, nil when they cannot
// be read in time.
func usage(ctx context.Context, path string) *disk.UsageStat {
	ch := make(chan *disk.UsageStat, 1)
	go func() {
		u, err := disk.UsageWithContext(ctx, path)
		if err != nil {
			u = nil
		}
		ch <- u
	}()
	t := time.NewTimer(statfsTimeout)
	defer t.Stop()
	select {
	case u := <-ch:
		return u
	case <-t.C:
		return nil
	case <-ctx.Done():
		return nil
	}
}

// media is what the kernel says of the block device behind a mount.
type media int

const (
	mediaUnknown   media = iota // no block device found (overlay, a container's root)
	mediaFixed                  // sysfs removable = 0
	mediaRemovable              // sysfs removable = 1 (USB sticks, card readers)
)

// blockMedia reads the sysfs "removable" attribute of the disk holding
// device (a partition's parent disk), under root.
func blockMedia(root, device string) media {
	if !strings.HasPrefix(device, "/dev/") {
		return mediaUnknown
	}
	name := device
	if dev, err := filepath.EvalSymlinks(filepath.Join(root, device)); err == nil {
		name = dev // /dev/mapper/x and /dev/disk/by-* are links to /dev/dm-N, /dev/sdX
	}
	sys, err := filepath.EvalSymlinks(filepath.Join(root, "/sys/class/block", filepath.Base(name)))
	if err != nil {
		return mediaUnknown
	}
	if _, err := os.Stat(filepath.Join(sys, "partition")); err == nil {
		sys = filepath.Dir(sys)
	}
	b, err := os.ReadFile(filepath.Join(sys, "removable"))
	if err != nil {
		return mediaUnknown
	}
	switch strings.TrimSpace(string(b)) {
	case "1":
		return mediaRemovable
	case "0":
		return mediaFixed
	}
	return mediaUnknown
}

// driveType is Win32_LogicalDisk's DriveType, Description and MediaType
// (0 when unknown) for a file system type and its device's media.
// A local file system on no block device (overlay) is a local disk of
// unknown media.
func driveType(fstype string, m media) (uint64, string, uint64) {
	switch {
	case networkFS[fstype] || strings.HasPrefix(fstype, "nfs"):
		return 4, "Network Connection", 0
	case opticalFS[fstype]:
		return 5, "CD-ROM Disc", 11
	case m == mediaRemovable:
		return 2, "Removable Disk", 11 // Removable media other than floppy
	case m == mediaFixed:
		return 3, "Local Fixed Disk", 12 // Fixed hard disk media
	}
	return 3, "Local Fixed Disk", 0
}

func (c *collector) listLogicalDisks(ctx context.Context) ([]*model.Instance, error) {
	ms, err := c.mountList(ctx)
	if err != nil {
		return nil, model.NewFault(model.CIMFailed, "local: Win32_LogicalDisk: reading the mount table: %v", err)
	}
	labels := udevNames("/dev/disk/by-label")
	uuids := udevNames("/dev/disk/by-uuid")
	host := hostname()
	cls := c.s.class("Win32_LogicalDisk")
	out := make([]*model.Instance, 0, len(ms))
	for _, m := range ms {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		inst := newInstance(cls)
		dt, desc, mediaType := driveType(m.fstype, blockMedia(c.sysRoot, m.device))
		inst.Set("DeviceID", model.String(m.mountpoint))
		inst.Set("Name", model.String(m.mountpoint))
		inst.Set("Caption", model.String(m.mountpoint))
		inst.Set("Description", model.String(desc))
		inst.Set("DriveType", u32(dt))
		inst.Set("FileSystem", str(m.fstype))
		setSystemElement(inst, "Win32_LogicalDisk", host)
		if m.readOnly {
			inst.Set("Access", u16(1)) // Readable
		} else {
			inst.Set("Access", u16(3)) // Read/Write Supported
		}
		if mediaType != 0 {
			inst.Set("MediaType", u32(mediaType))
		}
		if dt == 4 {
			inst.Set("ProviderName", str(m.device))
		}
		if dev, err := filepath.EvalSymlinks(m.device); err == nil {
			inst.Set("VolumeName", str(labels[dev]))
			inst.Set("VolumeSerialNumber", str(uuids[dev]))
		}
		if u := usage(ctx, m.mountpoint); u != nil {
			inst.Set("Size", u64(u.Total))
			inst.Set("FreeSpace", u64(u.Free))
		}
		out = append(out, inst)
	}
	return out, nil
}
