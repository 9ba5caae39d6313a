package local

import (
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// installTime returns when the OS at root was installed, as far as the
// system records it (no library reports an install time): the birth time
// of the root file system (statx STATX_BTIME), else the time the
// installer left its log (Debian and Ubuntu's /var/log/installer, the
// Red Hat family's /root/anaconda-ks.cfg). Zero when none is known, as in
// a container whose file system keeps no birth times.
func installTime(root string) time.Time {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, root, 0, unix.STATX_BTIME, &st); err == nil && st.Mask&unix.STATX_BTIME != 0 && st.Btime.Sec > 0 {
		return time.Unix(st.Btime.Sec, int64(st.Btime.Nsec))
	}
	for _, p := range []string{"var/log/installer", "root/anaconda-ks.cfg"} {
		if fi, err := os.Stat(filepath.Join(root, p)); err == nil {
			return fi.ModTime()
		}
	}
	return time.Time{}
}
