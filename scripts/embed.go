// Package scripts holds cimsh's bundled inventory scripts, embedded in the
// binary: `cimsh --list-scripts` lists them and `cimsh -s NAME` runs one.
// Each script's first line is a comment saying what it does. Modules in
// lib/ are the scripts' shared Lua code, loaded with require("cimsh.NAME").
package scripts

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// FS holds the scripts (*.lua) and their library (lib/*.lua).
//
//go:embed *.lua lib/*.lua
var FS embed.FS

// Script is one bundled script.
type Script struct {
	Name        string // file name without .lua
	Description string // the first line's comment
}

// List returns the bundled scripts sorted by name.
func List() []Script {
	entries, _ := fs.ReadDir(FS, ".")
	var out []Script
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".lua" {
			continue
		}
		src, _ := FS.ReadFile(e.Name())
		out = append(out, Script{Name: strings.TrimSuffix(e.Name(), ".lua"), Description: describe(src)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// describe returns the text of the first line's "-- name: text" comment.
func describe(src []byte) string {
	line, _, _ := strings.Cut(string(src), "\n")
	line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "--"))
	if _, rest, ok := strings.Cut(line, ": "); ok && !strings.Contains(line[:strings.Index(line, ": ")], " ") {
		return rest
	}
	return line
}

// Source returns a script's text by name (with or without .lua).
func Source(name string) ([]byte, bool) {
	name = strings.TrimSuffix(name, ".lua")
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, false
	}
	b, err := FS.ReadFile(name + ".lua")
	return b, err == nil
}

// Module returns the source of a library module: "cimsh.cli" is lib/cli.lua.
func Module(name string) ([]byte, bool) {
	base, ok := strings.CutPrefix(name, "cimsh.")
	if !ok || base == "" || strings.ContainsAny(base, `/\.`) {
		return nil, false
	}
	b, err := FS.ReadFile("lib/" + base + ".lua")
	return b, err == nil
}
