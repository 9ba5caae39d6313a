//go:build unix

package luabind

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// export runs cim.export_csv and cim.export_binary_mi_log of the
// services to path and returns the error's message ("" on success).
func export(t *testing.T, e *env, fn, path string) string {
	t.Helper()
	e.L.SetGlobal("path", lua.LString(path))
	e.ok(`
		local list = assert(cim.new_session():get_instance("Win32_Service"))
		local ok, err
		if fn == "csv" then ok, err = cim.export_csv(list, path, {"Name"}) else ok, err = cim.export_binary_mi_log(list, path) end
		result = err and err.message or ""`)
	return e.L.GetGlobal("result").String()
}

// TestExportRespectsWhatIsThere writes both export files over what a
// path already is: a symlink's target is written (the link stays), an
// existing file keeps its mode, a FIFO is written directly (never
// replaced), a new file gets 0644 minus the umask.
func TestExportRespectsWhatIsThere(t *testing.T) {
	for _, fn := range []string{"csv", "milog"} {
		t.Run(fn, func(t *testing.T) {
			e := newEnv(t)
			e.L.SetGlobal("fn", lua.LString(fn))
			dir := t.TempDir()
			p := func(name string) string { return filepath.Join(dir, name) }

			// An existing 0600 file stays 0600; a 0640 one 0640.
			for _, mode := range []fs.FileMode{0o600, 0o640} {
				os.WriteFile(p("kept"), []byte("old"), mode)
				os.Chmod(p("kept"), mode)
				if msg := export(t, e, fn, p("kept")); msg != "" {
					t.Fatal(msg)
				}
				if fi, _ := os.Stat(p("kept")); fi.Mode() != mode {
					t.Errorf("a %v file became %v", mode, fi.Mode())
				}
			}

			// Root rewriting another user's file keeps its owner.
			if os.Getuid() == 0 {
				os.Chown(p("kept"), 65534, 65534)
				if msg := export(t, e, fn, p("kept")); msg != "" {
					t.Fatal(msg)
				}
				if fi, _ := os.Stat(p("kept")); fi.Sys().(*syscall.Stat_t).Uid != 65534 {
					t.Errorf("the owner became %d", fi.Sys().(*syscall.Stat_t).Uid)
				}
			}

			// A symlink (a chain of two, the last relative) writes the
			// final target; the links stay links.
			os.WriteFile(p("target"), []byte("old"), 0o600)
			os.Symlink("target", p("link1"))
			os.Symlink(p("link1"), p("link2"))
			if msg := export(t, e, fn, p("link2")); msg != "" {
				t.Fatal(msg)
			}
			for _, l := range []string{"link1", "link2"} {
				if fi, err := os.Lstat(p(l)); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
					t.Errorf("%s is no longer a symlink: %v %v", l, fi.Mode(), err)
				}
			}
			if b, _ := os.ReadFile(p("target")); !bytes.Contains(b, []byte("WinRM")) {
				t.Errorf("the target was not written: %q", b)
			}
			if fi, _ := os.Stat(p("target")); fi.Mode() != 0o600 {
				t.Errorf("the target's mode became %v", fi.Mode())
			}
			// A dangling symlink creates its target.
			os.Symlink("created", p("dangling"))
			if msg := export(t, e, fn, p("dangling")); msg != "" {
				t.Fatal(msg)
			}
			if fi, err := os.Lstat(p("created")); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("the dangling link's target was not created: %v", err)
			}

			// A FIFO is written, not replaced.
			if err := syscall.Mkfifo(p("fifo"), 0o600); err != nil {
				t.Fatal(err)
			}
			// The test holds a writing end too, so that the reading end
			// opens at once and sees the end of the data only when the
			// test lets go: a FIFO replaced by a file never blocks it.
			keep, err := os.OpenFile(p("fifo"), os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			r, err := os.Open(p("fifo"))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := make(chan []byte, 1)
			go func() {
				b, _ := io.ReadAll(r)
				got <- b
			}()
			msg := export(t, e, fn, p("fifo"))
			keep.Close()
			if msg != "" {
				t.Fatal(msg)
			}
			select {
			case b := <-got:
				if !bytes.Contains(b, []byte("WinRM")) {
					t.Errorf("the FIFO's reader got %q", b)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the FIFO's reader got no end of data")
			}
			if fi, _ := os.Lstat(p("fifo")); fi.Mode()&fs.ModeNamedPipe == 0 {
				t.Errorf("the FIFO was replaced by a %v", fi.Mode())
			}

			// A new file: 0644 minus the umask.
			for _, c := range []struct {
				umask int
				want  fs.FileMode
			}{{0o022, 0o644}, {0o027, 0o640}, {0o077, 0o600}} {
				name := p("new" + c.want.String())
				old := syscall.Umask(c.umask)
				msg := export(t, e, fn, name)
				syscall.Umask(old)
				if msg != "" {
					t.Fatal(msg)
				}
				if fi, _ := os.Stat(name); fi.Mode() != c.want {
					t.Errorf("umask %03o: a new file is %v, want %v", c.umask, fi.Mode(), c.want)
				}
			}
			assertNoTemp(t, dir)
		})
	}
}

// assertNoTemp fails when a temporary file is left in dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, d := range ents {
		if strings.HasSuffix(d.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", d.Name())
		}
	}
}

// TestExportErrorsNameThePath checks that a failed export names the
// user's path, never the temporary file, and leaves nothing behind.
func TestExportErrorsNameThePath(t *testing.T) {
	for _, fn := range []string{"csv", "milog"} {
		e := newEnv(t)
		e.L.SetGlobal("fn", lua.LString(fn))
		dir := t.TempDir()
		os.Mkdir(filepath.Join(dir, "adir"), 0o755)
		for _, c := range []struct{ path, want string }{
			{filepath.Join(dir, "missing", "x.csv"), filepath.Join(dir, "missing", "x.csv") + ": no such file or directory"},
			{filepath.Join(dir, "adir"), filepath.Join(dir, "adir") + ": is a directory"},
		} {
			msg := export(t, e, fn, c.path)
			if !strings.Contains(msg, c.want) || strings.Contains(msg, ".tmp") {
				t.Errorf("%s: error %q, want it to say %q and not name a temporary file", fn, msg, c.want)
			}
		}
		assertNoTemp(t, dir)
		assertNoTemp(t, filepath.Join(dir, "adir"))
	}
}

// TestWriteFileFailureKeepsOldContent fails the writer half-way: the
// old file is intact, with its mode, and no temporary file is left.
func TestWriteFileFailureKeepsOldContent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.csv")
	os.WriteFile(path, []byte("old content\n"), 0o640)
	os.Chmod(path, 0o640)
	boom := errors.New("boom")
	err := writeFile(path, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old content\n" {
		t.Errorf("old content lost: %q", b)
	}
	if fi, _ := os.Stat(path); fi.Mode() != 0o640 {
		t.Errorf("mode became %v", fi.Mode())
	}
	assertNoTemp(t, dir)
}
