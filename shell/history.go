package shell

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// historyLimit is how many lines the history file keeps.
const historyLimit = 1000

// history is the REPL's history file, managed by cimsh so that it is
// created 0600 (readline's own handling makes 0666 files) and never
// holds a password (see secret). Lines saved before a password became a
// credential's are purged when it does.
type history struct {
	path    string
	lines   []string
	secrets int // how many secrets the last purge checked
}

func loadHistory(path string) *history {
	h := &history{path: path}
	if path == "" {
		return h
	}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		h.lines = append(h.lines, sc.Text())
	}
	os.Chmod(path, 0o600)
	if len(h.lines) > historyLimit {
		// The file is appended to line by line; trim it here so that
		// it does not grow without bound.
		h.lines = h.lines[len(h.lines)-historyLimit:]
		h.rewrite()
	}
	return h
}

// add records a chunk's lines unless it holds a secret, and purges older
// lines that hold a password that has become a credential's since. It
// returns whether the in-memory history changed beyond an append.
func (h *history) add(chunkLines []string, secrets []string) (added []string, purged bool) {
	if len(secrets) != h.secrets {
		h.secrets = len(secrets)
		kept := h.lines[:0:0]
		for _, l := range h.lines {
			if !secret(l, secrets) {
				kept = append(kept, l)
			}
		}
		if len(kept) != len(h.lines) {
			h.lines = kept
			purged = true
		}
	}
	chunk := strings.Join(chunkLines, "\n")
	if strings.TrimSpace(chunk) != "" && !secret(chunk, secrets) {
		for _, l := range chunkLines {
			if strings.TrimSpace(l) != "" {
				added = append(added, l)
			}
		}
		h.lines = append(h.lines, added...)
	}
	if len(h.lines) > historyLimit {
		h.lines = h.lines[len(h.lines)-historyLimit:]
	}
	if purged {
		h.rewrite()
	} else if len(added) > 0 {
		h.append(added)
	}
	return added, purged
}

func (h *history) ensureDir() bool {
	if h.path == "" {
		return false
	}
	return os.MkdirAll(filepath.Dir(h.path), 0o700) == nil
}

func (h *history) append(lines []string) {
	if !h.ensureDir() {
		return
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	defer f.Close()
	f.Chmod(0o600)
	f.WriteString(strings.Join(lines, "\n") + "\n")
}

// rewrite replaces the file with the in-memory lines (temp + rename).
func (h *history) rewrite() {
	if !h.ensureDir() {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(h.path), ".history.*")
	if err != nil {
		return
	}
	f.Chmod(0o600)
	if len(h.lines) > 0 {
		f.WriteString(strings.Join(h.lines, "\n") + "\n")
	}
	f.Close()
	if os.Rename(f.Name(), h.path) != nil {
		os.Remove(f.Name())
	}
}
