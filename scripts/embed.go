// Package scripts holds cimsh's bundled inventory scripts, embedded in the
// binary: `cimsh --list-scripts` lists them and `cimsh -s NAME` runs one.
// Each script's first line is a comment saying what it does. Modules in
// lib/ are the scripts' shared Lua code, loaded with require("cimsh.NAME").
package scripts

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// FS holds the scripts (*.lua), their library (lib/*.lua) and the bundled
// CDXML modules (cdxml/*.cdxml, loaded with cim.import_cdxml("cimsh:NAME")).
//
//go:embed *.lua lib/*.lua cdxml/*.cdxml
var FS embed.FS

// Script is one bundled script.
type Script struct {
	Name        string // file name without .lua
	Description string // the first line's comment
}

// List returns the scripts (*.lua at the top) of fsys, sorted by name:
// FS, or another tree laid out the same way.
func List(fsys fs.FS) []Script {
	names, _ := fs.Glob(fsys, "*.lua")
	sort.Strings(names)
	out := make([]Script, 0, len(names))
	for _, n := range names {
		src, _ := fs.ReadFile(fsys, n)
		out = append(out, Script{Name: strings.TrimSuffix(n, ".lua"), Description: describe(src)})
	}
	return out
}

// describe returns the text of the first line's comment, without a
// leading "name: ".
func describe(src []byte) string {
	line, _, _ := strings.Cut(string(src), "\n")
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "--"))
	if name, rest, ok := strings.Cut(line, ": "); ok && !strings.Contains(name, " ") {
		return rest
	}
	return line
}
