package transport_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
)

func Example() {
	// A stand-in WS-Man endpoint on loopback that accepts one Basic user.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "admin" || p != "Example-Pw1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
		fmt.Fprintf(w, "<reply>%s</reply>", body)
	}))
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)

	// New opens nothing; the first Post connects, later ones reuse the
	// connection.
	c, err := transport.New(transport.Config{
		Host: host, Port: p, Auth: transport.AuthBasic,
		User: "admin", Password: "Example-Pw1",
		NoEncryption: true, // Basic over plain HTTP, like AllowUnencrypted
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	reply, err := c.Post(context.Background(), []byte("<identify/>"), wsman.EffectRead)
	fmt.Println(string(reply), err)

	// Wrong credentials: a typed fault, never the password.
	bad, _ := transport.New(transport.Config{Host: host, Port: p, Auth: transport.AuthBasic, User: "admin", Password: "wrong", NoEncryption: true})
	_, err = bad.Post(context.Background(), []byte("<identify/>"), wsman.EffectRead)
	f, _ := model.AsFault(err)
	fmt.Println(f.Category, f.HTTPStatus, f.Reason)
	fmt.Println(c.Stats().Dials, c.Stats().Requests)
	// Output:
	// <reply><identify/></reply> <nil>
	// access_denied 401 credentials rejected
	// 1 1
}
