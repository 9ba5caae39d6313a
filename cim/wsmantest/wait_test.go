package wsmantest

import (
	"testing"
	"time"
)

// waitLogged waits until the server has logged n requests of operation
// op (the log records a request on arrival, before it is answered), and
// fails the test after 10 s.
func waitLogged(t testing.TB, s *Server, op string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		got := 0
		for _, o := range s.Operations() {
			if o == op {
				got++
			}
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server saw %d %s requests in 10 s, want %d: %v", got, op, n, s.Operations())
		}
	}
}
