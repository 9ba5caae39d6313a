package shell

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/chzyer/readline"
	"github.com/cimsh/cimsh/luabind"
)

// ErrInterrupt is what a LineReader returns for Ctrl-C on a line.
var ErrInterrupt = errors.New("shell: interrupted")

// LineReader is the REPL's line source: readline on a terminal, plain
// lines from an io.Reader otherwise (and in tests).
type LineReader interface {
	// ReadLine shows prompt and returns a line without its newline,
	// io.EOF at the end (Ctrl-D on an empty line), ErrInterrupt for
	// Ctrl-C.
	ReadLine(prompt string) (string, error)
	// AddHistory appends a line to the in-memory history.
	AddHistory(line string)
	// SetHistory replaces the in-memory history.
	SetHistory(lines []string)
	// ReadPassword prompts without echo; nil-able by returning an error.
	ReadPassword(prompt string) (string, error)
	// SetCompleter sets the Tab completion function: text is the line up
	// to the cursor; it returns full candidate words and the byte length
	// of the partial word they replace.
	SetCompleter(func(text string) ([]string, int))
	Close() error
}

// PlainReader reads lines from r. With Echo set it writes each prompt
// and line to Echo, so a run reads like a terminal session (transcript
// tests); without, it writes the prompts alone when Prompt is set.
type PlainReader struct {
	sc     *bufio.Scanner
	Echo   io.Writer
	Prompt io.Writer
}

// NewPlainReader reads lines from r.
func NewPlainReader(r io.Reader) *PlainReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	return &PlainReader{sc: sc}
}

// ReadLine implements LineReader.
func (p *PlainReader) ReadLine(prompt string) (string, error) {
	if p.Prompt != nil {
		io.WriteString(p.Prompt, prompt)
	}
	if !p.sc.Scan() {
		if err := p.sc.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	line := strings.TrimSuffix(p.sc.Text(), "\r")
	if p.Echo != nil {
		fmt.Fprintf(p.Echo, "%s%s\n", prompt, line)
	}
	return line, nil
}

// AddHistory implements LineReader (plain reading keeps no history).
func (p *PlainReader) AddHistory(string) {}

// SetHistory implements LineReader.
func (p *PlainReader) SetHistory([]string) {}

// ReadPassword implements LineReader: plain input cannot hide echo.
func (p *PlainReader) ReadPassword(string) (string, error) {
	return "", luabind.ErrNoTerminal
}

// SetCompleter implements LineReader (no completion without a terminal).
func (p *PlainReader) SetCompleter(func(string) ([]string, int)) {}

// Close implements LineReader.
func (p *PlainReader) Close() error { return nil }

// rlReader is readline on a terminal. History is kept in memory here;
// the file is cimsh's (mode 0600), not readline's.
type rlReader struct {
	rl *readline.Instance
	// stdin is readline's input, ours so that Close can end a pending
	// read: readline's Close closes only a wrapper around it and then
	// waits for its reader, which after Ctrl-D is blocked reading the
	// next key, so cimsh would hang on exit until a key was pressed.
	stdin *readline.CancelableStdin
	mu    sync.Mutex
	cf    func(string) ([]string, int)
}

func newReadline(env *Env) (*rlReader, error) {
	r := &rlReader{stdin: readline.NewCancelableStdin(os.Stdin)}
	cfg := &readline.Config{
		Stdin:                  r.stdin,
		Prompt:                 "> ",
		HistoryLimit:           1000,
		DisableAutoSaveHistory: true,
		AutoComplete:           r,
		InterruptPrompt:        "^C",
		EOFPrompt:              "",
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return nil, err
	}
	r.rl = rl
	return r, nil
}

// Do implements readline.AutoCompleter: it returns the candidates'
// suffixes after the partial word, as readline wants.
func (r *rlReader) Do(line []rune, pos int) ([][]rune, int) {
	r.mu.Lock()
	cf := r.cf
	r.mu.Unlock()
	if cf == nil {
		return nil, 0
	}
	text := string(line[:pos])
	cands, n := cf(text)
	partial := []rune(text[len(text)-n:])
	var out [][]rune
	for _, c := range cands {
		rc := []rune(c)
		if len(rc) < len(partial) {
			continue
		}
		out = append(out, rc[len(partial):])
	}
	return out, len(partial)
}

func (r *rlReader) ReadLine(prompt string) (string, error) {
	r.rl.SetPrompt(prompt)
	line, err := r.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", ErrInterrupt
	}
	return line, err
}

func (r *rlReader) AddHistory(line string) { r.rl.SaveHistory(line) }

func (r *rlReader) SetHistory(lines []string) {
	r.rl.ResetHistory()
	for _, l := range lines {
		r.rl.SaveHistory(l)
	}
}

func (r *rlReader) ReadPassword(prompt string) (string, error) {
	b, err := r.rl.ReadPassword(prompt)
	return string(b), err
}

func (r *rlReader) SetCompleter(f func(string) ([]string, int)) {
	r.mu.Lock()
	r.cf = f
	r.mu.Unlock()
}

func (r *rlReader) Close() error {
	r.stdin.Close()
	return r.rl.Close()
}
