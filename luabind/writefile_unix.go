//go:build unix

package luabind

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the replacement file the owner and group of the file
// it replaces, where the process may (root rewriting a user's file);
// elsewhere the new file is the writer's, as any rewritten file would be.
func keepOwner(f *os.File, fi fs.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		f.Chown(int(st.Uid), int(st.Gid))
	}
}
