package transport

import (
	"io"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// faultHead is how much of a fault's body is kept beside the decoded
// fault (HTTPError.Body), for callers that look at the text.
const faultHead = 64 << 10

// readFault decodes a non-200 reply's body as it streams
// (wsman.DecodeFaultReader): however large the server makes it, only
// its first faultHead bytes are kept. A failure to read the body is
// returned as such (the connection died), not as a malformed fault.
func readFault(status int, body io.Reader) (*model.Fault, []byte, error) {
	tap := &faultTap{r: body}
	f := wsman.DecodeFaultReader(status, tap)
	if tap.err != nil && tap.err != io.EOF {
		return nil, nil, tap.err
	}
	return f, tap.head, nil
}

// faultTap keeps the start of what it reads and the read error.
type faultTap struct {
	r    io.Reader
	head []byte
	err  error
}

func (t *faultTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if keep := min(n, faultHead-len(t.head)); keep > 0 {
		t.head = append(t.head, p[:keep]...)
	}
	if err != nil {
		t.err = err
	}
	return n, err
}
