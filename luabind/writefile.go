package luabind

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The files the Lua layer writes (export_csv, export_binary_mi_log, and
// through them the scripts' --out) go through writeFile, which respects
// what is at the path: a script writing a report over a symlink, a 0600
// file, a FIFO or /dev/stdout must not replace the link, widen the file's
// permissions, or put a regular file where a device was.

// maxLinks bounds the symlinks followed (Linux's own limit is 40).
const maxLinks = 40

// writeFile writes what write produces to the user's path:
//   - a regular file, or nothing yet: atomically, through a temporary file
//     beside it that is synced and renamed over it; an existing file keeps
//     its permission bits (and, where the process may, its owner), a new
//     one gets 0644 minus the umask;
//   - a symlink: its final target, as above; the link stays a link;
//   - a device, a FIFO, or a descriptor path (/dev/stdout, /dev/fd/N,
//     /proc/self/fd/N): written directly, never replaced.
//
// On any failure an existing file keeps its old content and no
// temporary file is left. Errors name path, never the temporary file.
func writeFile(path string, write func(io.Writer) error) error {
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return fmt.Errorf("%s: is a directory", path)
	case err == nil && (!fi.Mode().IsRegular() || viaDescriptor(path)):
		return writeDirect(path, fi, write)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return userPathError(path, err)
	}
	target, err := finalTarget(path)
	if err != nil {
		return userPathError(path, err)
	}
	return writeReplace(path, target, fi, write)
}

// writeDirect writes into what is at path (a device, a FIFO, standard
// output): opened for writing as it is, appending to a regular file
// behind a descriptor (as the shell's > or >> left it).
func writeDirect(path string, fi fs.FileInfo, write func(io.Writer) error) error {
	flag := os.O_WRONLY
	if fi.Mode().IsRegular() {
		flag |= os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return userPathError(path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return userPathError(path, err)
	}
	return userPathError(path, f.Close())
}

// writeReplace writes a temporary file in target's directory and
// renames it to target; fi is the existing file's (nil for a new one).
func writeReplace(path, target string, fi fs.FileInfo, write func(io.Writer) error) error {
	perm := fs.FileMode(0o644) // the kernel applies the umask
	if fi != nil {
		perm = 0o600 // until it has the existing file's mode
	}
	f, err := createTemp(target, perm)
	if err != nil {
		return userPathError(path, err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if fi != nil {
		if err := f.Chmod(fi.Mode() & (fs.ModePerm | fs.ModeSetgid | fs.ModeSticky)); err != nil {
			return userPathError(path, err)
		}
		keepOwner(f, fi)
	}
	if err := write(f); err != nil {
		return userPathError(path, err)
	}
	if err := f.Sync(); err != nil {
		return userPathError(path, err)
	}
	if err := f.Close(); err != nil {
		return userPathError(path, err)
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		done = true
		return userPathError(path, err)
	}
	done = true
	return nil
}

// createTemp creates a new file ".NAME.RANDOM.tmp" beside target with
// perm (less the umask).
func createTemp(target string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Split(target)
	for range 1000 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(rand.Uint64()%1e10, 10)+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, errors.New("cannot find a free temporary file name")
}

// finalTarget follows symlinks from path to the name a write should
// replace or create: path itself unless it is a symlink.
func finalTarget(path string) (string, error) {
	p := path
	for range maxLinks {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// viaDescriptor reports whether path names an open descriptor (directly
// or through symlinks): /dev/stdout, /dev/fd/N, /proc/PID/fd/N. Such a
// path must be written, never replaced: replacing it would replace the
// file (or pipe) the descriptor's owner set up.
func viaDescriptor(path string) bool {
	p := path
	for range maxLinks {
		abs, err := filepath.Abs(p)
		if err != nil {
			return false
		}
		if isDescriptorPath(abs) {
			return true
		}
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return false
		}
		dest, err := os.Readlink(p)
		if err != nil {
			return false
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(p), dest)
		}
		p = dest
	}
	return false
}

func isDescriptorPath(abs string) bool {
	switch abs {
	case "/dev/stdout", "/dev/stderr", "/dev/stdin":
		return true
	}
	if strings.HasPrefix(abs, "/dev/fd/") {
		return true
	}
	parts := strings.Split(abs, "/") // "", "proc", PID, "fd", N
	return len(parts) == 5 && parts[1] == "proc" && parts[3] == "fd"
}

// userPathError names the user's path in err instead of whichever file
// the system call was about (a temporary file, a link's target).
func userPathError(path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return &fs.PathError{Op: "write", Path: path, Err: err}
}
