package cdxml

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Load reads a CDXML module: a .cdxml file, a module manifest (.psd1),
// or a module folder (its manifest's NestedModules and RootModule that
// are .cdxml files, then every other .cdxml file in the folder), and
// compiles it. Errors name the file, and the line where there is one.
func Load(p string) (*Module, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("cdxml: %w", err)
	}
	if st.IsDir() {
		clean := filepath.Clean(p)
		return load(os.DirFS(clean), ".", filepath.Base(clean), func(n string) string { return filepath.Join(clean, filepath.FromSlash(n)) })
	}
	dir, base := filepath.Split(p)
	if dir == "" {
		dir = "."
	}
	return load(os.DirFS(dir), base, "", func(n string) string { return filepath.Join(dir, filepath.FromSlash(n)) })
}

// LoadFS is Load on a file system: name is a file or folder of fsys
// ("." for its root). Errors name files as fsys names them.
func LoadFS(fsys fs.FS, name string) (*Module, error) {
	return load(fsys, name, "", func(n string) string { return n })
}

// load reads name from fsys; display turns fsys names into what errors
// show; module names the module when name is a folder.
func load(fsys fs.FS, name, module string, display func(string) string) (*Module, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("cdxml: %w", err)
	}
	var files []string
	switch {
	case st.IsDir():
		if module == "" {
			module = path.Base(name)
		}
		files, err = folderFiles(fsys, name, display)
	case strings.EqualFold(path.Ext(name), ".psd1"):
		module = strings.TrimSuffix(path.Base(name), path.Ext(name))
		files, err = manifestFiles(fsys, name, display)
	default:
		module = strings.TrimSuffix(path.Base(name), path.Ext(name))
		files = []string{name}
	}
	if err != nil {
		return nil, err
	}
	var docs []*Document
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, fmt.Errorf("cdxml: reading %s: %w", display(f), unwrapPath(err))
		}
		d, err := Parse(display(f), data)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return Compile(module, docs)
}

// unwrapPath drops the fs.PathError's own copy of the name, which
// display already gives.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// folderFiles lists a module folder's CDXML files: those its manifest
// names, in its order, then the folder's other .cdxml files by name.
func folderFiles(fsys fs.FS, dir string, display func(string) string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("cdxml: %w", err)
	}
	var manifests, cdxmls []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		switch strings.ToLower(path.Ext(e.Name())) {
		case ".psd1":
			manifests = append(manifests, e.Name())
		case ".cdxml":
			cdxmls = append(cdxmls, path.Join(dir, e.Name()))
		}
	}
	// The manifest is named after the folder; failing that, the only one.
	var man string
	base := path.Base(dir)
	if dir == "." {
		base = ""
	}
	for _, m := range manifests {
		if strings.EqualFold(strings.TrimSuffix(m, path.Ext(m)), base) {
			man = m
		}
	}
	if man == "" && len(manifests) == 1 {
		man = manifests[0]
	}
	var files []string
	if man != "" {
		files, err = manifestFiles(fsys, path.Join(dir, man), display)
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(cdxmls)
	for _, f := range cdxmls {
		if !containsFold(files, f) {
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, &ParseError{File: display(dir), Msg: "the folder holds no .cdxml file (and no manifest naming one)"}
	}
	return files, nil
}

// manifestFiles returns the .cdxml files a manifest names (RootModule,
// then NestedModules), relative to its folder. A named file that is
// missing is an error naming the manifest's line.
func manifestFiles(fsys fs.FS, man string, display func(string) string) ([]string, error) {
	data, err := fs.ReadFile(fsys, man)
	if err != nil {
		return nil, fmt.Errorf("cdxml: reading %s: %w", display(man), unwrapPath(err))
	}
	m, err := readManifest(display(man), data)
	if err != nil {
		return nil, err
	}
	refs := m.Nested
	if m.RootModule != "" {
		refs = append([]manifestRef{{Name: m.RootModule, Line: m.RootLine, Key: m.RootKey}}, refs...)
	}
	dir := path.Dir(man)
	var files []string
	for _, r := range refs {
		n := strings.ReplaceAll(strings.TrimSpace(r.Name), `\`, "/")
		if !strings.EqualFold(path.Ext(n), ".cdxml") {
			continue // a script, binary or named module: not CDXML
		}
		if path.IsAbs(n) || strings.Contains(n, ":") {
			return nil, &ParseError{File: display(man), Line: r.Line, Msg: fmt.Sprintf("%s is not a path inside the module folder", clipPS(r.Name))}
		}
		f := path.Join(dir, n)
		if !fs.ValidPath(f) || strings.HasPrefix(f, "../") {
			return nil, &ParseError{File: display(man), Line: r.Line, Msg: fmt.Sprintf("%s is outside the module folder", clipPS(r.Name))}
		}
		if _, err := fs.Stat(fsys, f); err != nil {
			if found := findFold(fsys, f); found != "" {
				f = found // Windows' file names ignore case
			} else {
				return nil, &ParseError{File: display(man), Line: r.Line, Msg: fmt.Sprintf("%s names %s, which is not in the folder", r.Key, clipPS(r.Name))}
			}
		}
		if !containsFold(files, f) {
			files = append(files, f)
		}
	}
	return files, nil
}

// findFold finds a file whose name matches f's case-insensitively, in
// f's directory.
func findFold(fsys fs.FS, f string) string {
	dir, base := path.Split(f)
	d := strings.TrimSuffix(dir, "/")
	if d == "" {
		d = "."
	}
	entries, err := fs.ReadDir(fsys, d)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), base) {
			return path.Join(d, e.Name())
		}
	}
	return ""
}
