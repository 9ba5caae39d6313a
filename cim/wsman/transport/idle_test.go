package transport

import (
	"testing"
	"time"
)

// waitIdleSeenClosed waits until every pooled idle connection of c shows
// the server's close (the FIN, or TLS's close_notify, has arrived), the
// event a redial test needs before its next request: sent earlier, the
// request would race the close on the wire, and the client could not
// tell a dropped idle connection from one that died under the request.
// It fails the test after 10 s.
func waitIdleSeenClosed(t *testing.T, c *Client) {
	t.Helper()
	c.mu.Lock()
	idle := append([]*conn(nil), c.idle...)
	c.mu.Unlock()
	if len(idle) == 0 {
		t.Fatal("no idle connection in the pool to see closed")
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, cn := range idle {
		for cn.usable() {
			if time.Now().After(deadline) {
				t.Fatal("the client never saw the server close its idle connection")
			}
			time.Sleep(time.Millisecond)
		}
	}
}
