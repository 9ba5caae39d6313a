package shell

import (
	"io"
	"strings"

	"github.com/cimsh/cimsh/luabind"
)

// traceWriter returns where --trace (or CIMSH_TRACE=1) sends the WS-Man
// traffic: stderr, through traceOut. Nil when tracing is off.
func (in *interp) traceWriter() io.Writer {
	if !in.opts.trace && !traceEnv(in.env.getenv("CIMSH_TRACE")) {
		return nil
	}
	return &traceOut{w: in.env.Stderr, in: in}
}

// traceEnv reads CIMSH_TRACE: on unless empty, "0", "false" or "no".
func traceEnv(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// traceOut writes trace blocks to the terminal: every password a
// credential of this run holds is redacted (the transport redacts its
// own and the credential headers), and server text is escaped so that
// no control sequence reaches the terminal. Each Write is one whole
// block from the transport.
type traceOut struct {
	w  io.Writer
	in *interp
}

func (t *traceOut) Write(p []byte) (int, error) {
	s := string(p)
	if t.in.mod != nil {
		for _, secret := range t.in.mod.Secrets() {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	if _, err := io.WriteString(t.w, luabind.EscapeControls(s, false)); err != nil {
		return 0, err
	}
	return len(p), nil
}
