package local

import (
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// installTime returns the birth time of the file system object at path
// (statx STATX_BTIME): for "/" the time the root file system was made,
// which is when the OS was installed. No library reports an install time;
// zero where the file system does not record birth times.
func installTime(path string) time.Time {
	var st unix.Statx_t
	if err := unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_BTIME, &st); err != nil || st.Mask&unix.STATX_BTIME == 0 {
		return time.Time{}
	}
	if st.Btime.Sec == 0 {
		return time.Time{}
	}
	return time.Unix(st.Btime.Sec, int64(st.Btime.Nsec))
}

// machineID returns systemd's /etc/machine-id, the stable identifier of
// the installation (Windows' SerialNumber is the product id).
func machineID() string {
	b, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
