package transport

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// A refused connection reads as the system says it, without Go's dial
// chain, and stays an unreachable fault with the chain kept in Err.
func TestRefusedConnectionMessage(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	c, err := New(Config{Host: "127.0.0.1", Port: port, Auth: AuthBasic, User: "u", Password: "pw", NoEncryption: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Post(context.Background(), []byte("<x/>"), wsman.EffectRead)
	want := fmt.Sprintf("127.0.0.1: connect to 127.0.0.1:%d: connection refused", port)
	f, ok := model.AsFault(err)
	if !ok || err.Error() != want || f.Category != model.CategoryUnreachable || f.Err == nil {
		t.Fatalf("err %q (%#v), want %q", err, err, want)
	}
}
