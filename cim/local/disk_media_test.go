package local

import "testing"

// TestRemovableMedia reads a recorded /sys: a USB stick's partition is a
// removable disk (DriveType 2), a SATA disk's and a device-mapper volume
// are fixed, a file system on no block device is local with unknown media,
// network and optical types keep theirs.
func TestRemovableMedia(t *testing.T) {
	const root = "testdata/block"
	for _, c := range []struct {
		device, fstype string
		drive, media   uint64
	}{
		{"/dev/sdb1", "vfat", 2, 11},
		{"/dev/sda1", "ext4", 3, 12},
		{"/dev/sda", "ext4", 3, 12},
		{"/dev/mapper/vg-root", "xfs", 3, 12},
		{"overlay", "overlay", 3, 0},
		{"/dev/nosuch", "ext4", 3, 0},
		{"server:/export", "nfs4", 4, 0},
		{"/dev/sr0", "iso9660", 5, 11},
	} {
		drive, _, media := driveType(c.fstype, blockMedia(root, c.device))
		if drive != c.drive || media != c.media {
			t.Errorf("%s (%s): DriveType %d MediaType %d, want %d %d", c.device, c.fstype, drive, media, c.drive, c.media)
		}
	}
}
