package winrs

import (
	"github.com/masterzen/winrm"
)

// smallestEnvelope is the smallest MaxEnvelopeSizekb a Windows server
// ships with (150 KB, on 2008 R2 and earlier; 500 KB since): the
// server's own limit is not known, so a Send must fit this one.
const smallestEnvelope = 150 * 1024

// sendOverhead is room for a Send's envelope around the data.
const sendOverhead = 8 << 10

// stdinChunk is how many bytes of stdin go in one Send: base64 makes 4
// bytes of 3, and the request must fit both the session's MaxEnvelopeSize
// and smallestEnvelope. masterzen/winrm's stdin writer sends
// EnvelopeSize-1000 bytes a chunk, whose base64 is a third over any such
// limit (at a 512,000-byte envelope, 681 KB against Windows' 500 KB),
// and its failures come back as io.ErrShortWrite (a shadowed err
// variable), so stdin is chunked here.
func stdinChunk(envelope int) int {
	n := (min(envelope, smallestEnvelope) - sendOverhead) / 4 * 3
	return max(n-n%3, 3)
}

// sendStdin sends data to the command's stdin in chunks, the last marked
// End="true" (an empty data closes stdin with one request). Requests are
// built by masterzen/winrm's NewSendInputRequest.
func (t *runTransport) sendStdin(c *winrm.Client, shellID, commandID string, data []byte) error {
	chunk := stdinChunk(c.Parameters.EnvelopeSize)
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), chunk)
		msg := winrm.NewSendInputRequest(t.r.opts.Endpoint, shellID, commandID, data[:n], n == len(data), &c.Parameters)
		if _, err := t.Post(c, msg); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}
