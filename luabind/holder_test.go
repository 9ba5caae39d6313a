package luabind

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// holder is a test server's Auth layer that holds requests until release
// is closed, or 30 s pass (so that a broken test ends), telling arrived
// of each held request's operation: tests act on a request being on the
// server instead of on a timer, and can tell whether a chunk returned
// while its request was still held.
type holder struct {
	ops     []string // the enumeration operations held ("Pull"); none: every request
	arrived chan string
	release chan struct{}

	mu    sync.Mutex
	armed bool // nothing is held before arm
	timer bool // a request was let go by the 30 s limit
}

// newHolder holds the named enumeration operations at once; with no
// names it holds every request, once armed.
func newHolder(ops ...string) *holder {
	return &holder{ops: ops, arrived: make(chan string, 16), release: make(chan struct{}), armed: len(ops) > 0}
}

func (h *holder) arm() {
	h.mu.Lock()
	h.armed = true
	h.mu.Unlock()
}

func (h *holder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		armed := h.armed
		h.mu.Unlock()
		op, hold := "", armed
		if armed && len(h.ops) > 0 {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			hold = false
			for _, o := range h.ops {
				if bytes.Contains(body, []byte("/enumeration/"+o+"<")) {
					op, hold = o, true
				}
			}
		}
		if !hold {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case h.arrived <- op:
		default:
		}
		select {
		case <-h.release:
		case <-time.After(30 * time.Second):
			h.mu.Lock()
			h.timer = true
			h.mu.Unlock()
		case <-r.Context().Done():
			return
		}
		next.ServeHTTP(w, r)
	})
}

// letGoByTimer reports whether a request was let go by the 30 s limit.
func (h *holder) letGoByTimer() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.timer
}
