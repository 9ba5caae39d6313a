package winrs

import (
	"bytes"

	"github.com/cimsh/cimsh/cim/model"
)

// output collects a command's two streams as they arrive: converted from
// the code page, PowerShell's CLIXML decoded, handed to OnOutput and
// kept for the result.
type output struct {
	onOutput       func(stream string, text []byte)
	stdout, stderr bytes.Buffer
	outDec, errDec *textDecoder
	clixml         *clixmlDecoder // stderr of a PowerShell script
}

func newOutput(req *model.CommandRequest, codepage int, powershell bool) *output {
	o := &output{onOutput: req.OnOutput, outDec: newTextDecoder(codepage), errDec: newTextDecoder(codepage)}
	if powershell {
		o.clixml = &clixmlDecoder{}
	}
	return o
}

// add takes one piece of a stream (one Receive's worth).
func (o *output) add(stream string, raw []byte) {
	if stream == model.StreamStdout {
		o.emit(stream, o.outDec.Write(raw))
		return
	}
	text := o.errDec.Write(raw)
	if o.clixml != nil {
		text = o.clixml.Write(text)
	}
	o.emit(stream, text)
}

// close flushes what the decoders held back.
func (o *output) close() {
	o.emit(model.StreamStdout, o.outDec.Close())
	text := o.errDec.Close()
	if o.clixml != nil {
		text = append(o.clixml.Write(text), o.clixml.Close()...)
	}
	o.emit(model.StreamStderr, text)
}

func (o *output) emit(stream string, text []byte) {
	if len(text) == 0 {
		return
	}
	if stream == model.StreamStdout {
		o.stdout.Write(text)
	} else {
		o.stderr.Write(text)
	}
	if o.onOutput != nil {
		o.onOutput(stream, text)
	}
}

func (o *output) result(code *int64) *model.CommandResult {
	return &model.CommandResult{Stdout: o.stdout.Bytes(), Stderr: o.stderr.Bytes(), ExitCode: code}
}
