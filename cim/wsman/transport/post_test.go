package transport

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

func TestBasicFirstRequestAndKeepAlive(t *testing.T) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(`CORP\u:p`))
	var mu sync.Mutex
	var bad []string
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		mu.Lock()
		defer mu.Unlock()
		if got := req.Header.Get("Authorization"); got != want {
			bad = append(bad, "authorization "+got)
		}
		if ct := req.Header.Get("Content-Type"); ct != "application/soap+xml;charset=UTF-8" {
			bad = append(bad, "content type "+ct)
		}
		if req.Method != "POST" || req.URL.Path != "/wsman" || req.Host != "127.0.0.1:"+strings.Split(req.Host, ":")[1] {
			bad = append(bad, "request line "+req.Method+" "+req.URL.Path+" host "+req.Host)
		}
		if ua := req.Header.Get("User-Agent"); ua != "Microsoft WinRM Client" {
			bad = append(bad, "user agent "+ua)
		}
		return rawReply, 200, soapReply
	})
	cfg := srv.config(t)
	cfg.Domain = "CORP"
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 20; i++ {
		out, err := c.Post(context.Background(), []byte("<req/>"), readOrChange(i%2 == 0))
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		if string(out) != soapReply {
			t.Fatalf("reply %q", out)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Fatalf("server saw: %v", bad[0])
	}
	if n := srv.conns.Load(); n != 1 {
		t.Fatalf("server accepted %d connections, want 1 (keep-alive)", n)
	}
	if s := c.Stats(); s.Dials != 1 || s.Requests != 20 || s.Posts != 20 || s.Handshakes != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestStatusReplies(t *testing.T) {
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		switch string(body) {
		case "401":
			return rawReply, 401, ""
		case "500":
			return rawReply, 500, soapFault
		case "502":
			return rawReply, 502, "<html>proxy error</html>"
		case "empty500":
			return rawReply, 500, ""
		}
		return rawReply, 200, soapReply
	})
	cfg := srv.config(t)
	cfg.Password = "Very-Secret-1"
	c, _ := New(cfg)
	defer c.Close()
	ctx := context.Background()

	_, err := c.Post(ctx, []byte("401"), wsman.EffectRead)
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryAccessDenied || f.HTTPStatus != 401 || f.Reason != "credentials rejected" || f.ComputerName != "127.0.0.1" {
		t.Fatalf("401: %#v", err)
	}
	if strings.Contains(err.Error(), "Very-Secret-1") || !strings.Contains(err.Error(), "credentials rejected") {
		t.Fatalf("401 message: %v", err)
	}

	_, err = c.Post(ctx, []byte("500"), wsman.EffectRead)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 500 || string(he.Body) != soapFault || he.ContentType != "application/soap+xml;charset=UTF-8" {
		t.Fatalf("500: %v", err)
	}
	_, err = c.Post(ctx, []byte("empty500"), wsman.EffectRead)
	if !errors.As(err, &he) || he.StatusCode != 500 || len(he.Body) != 0 {
		t.Fatalf("empty 500: %v", err)
	}
	_, err = c.Post(ctx, []byte("502"), wsman.EffectRead)
	if !errors.As(err, &he) || he.StatusCode != 502 || he.ContentType != "text/html" || !strings.Contains(string(he.Body), "proxy error") {
		t.Fatalf("502: %v", err)
	}
	if _, err := c.Post(ctx, []byte("ok"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	// Error replies were read in full: the one connection served all.
	if n := srv.conns.Load(); n != 1 {
		t.Fatalf("%d connections, want 1: error replies must not cost the connection", n)
	}
}

// A server that closes the connection after each reply (idle timeout)
// costs a redial, never an error, and each request is seen once.
func TestRedialAfterIdleClose(t *testing.T) {
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		return rawReplyClose, 200, soapReply
	})
	c, _ := New(srv.config(t))
	defer c.Close()
	for i, idem := range []bool{true, false, false, true, false} {
		if i > 0 {
			waitIdleSeenClosed(t, c)
		}
		body := "req" + string(rune('A'+i))
		if _, err := c.Post(context.Background(), []byte(body), readOrChange(idem)); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
		if n := srv.count(body); n != 1 {
			t.Fatalf("request %d seen %d times", i, n)
		}
	}
	if s := c.Stats(); s.Dials != 5 || s.Requests != 5 {
		t.Fatalf("stats %+v", s)
	}
}

// The server reads the second request of each connection and drops the
// connection without a reply: a request that changes something is
// reported (category connection), not resent; a read is retried once on a
// fresh connection.
func TestDropAfterWrite(t *testing.T) {
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		if reqN == 2 {
			return rawDrop, 0, ""
		}
		return rawReply, 200, soapReply
	})
	c, _ := New(srv.config(t))
	defer c.Close()
	ctx := context.Background()

	if _, err := c.Post(ctx, []byte("warm1"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	_, err := c.Post(ctx, []byte("invoke"), wsman.EffectChange)
	if err == nil {
		t.Fatal("a non-idempotent request on a connection that died after the write succeeded")
	}
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryConnection || !strings.Contains(err.Error(), "not sent again") {
		t.Fatalf("error %v", err)
	}
	if n := srv.count("invoke"); n != 1 {
		t.Fatalf("invoke seen %d times, want exactly 1", n)
	}

	if _, err := c.Post(ctx, []byte("warm2"), wsman.EffectRead); err != nil { // opens connection 2
		t.Fatal(err)
	}
	out, err := c.Post(ctx, []byte("get"), wsman.EffectRead)
	if err != nil || string(out) != soapReply {
		t.Fatalf("idempotent retry: %v", err)
	}
	if n := srv.count("get"); n != 2 {
		t.Fatalf("get seen %d times, want 2 (one drop, one retry)", n)
	}
	if s := c.Stats(); s.Dials != 3 {
		t.Fatalf("stats %+v, want 3 dials", s)
	}
}

func TestCancelAbortsPromptly(t *testing.T) {
	// The server never answers a "hang" (it waits until the client goes):
	// the first is cancelled once it is on the server, not after a timer
	// that could fire before it is sent on a loaded machine.
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	hangConns := map[int]bool{}
	okConn := 0
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		mu.Lock()
		defer mu.Unlock()
		switch string(body) {
		case "hang":
			if len(hangConns) == 0 {
				cancel()
			}
			hangConns[connN] = true
			return rawHang, 0, ""
		case "ok":
			okConn = connN
		}
		return rawReply, 200, soapReply
	})
	c, _ := New(srv.config(t))
	defer c.Close()

	posted := make(chan error, 1)
	go func() {
		_, err := c.Post(ctx, []byte("hang"), wsman.EffectRead)
		posted <- err
	}()
	// The hang is forever: a generous bound still tells it apart.
	var err error
	select {
	case err = <-posted:
	case <-time.After(30 * time.Second):
		t.Fatal("the cancelled Post had not returned 30 s after the cancel")
	}
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	if n := srv.count("hang"); n != 1 {
		t.Fatalf("cancelled request seen %d times", n)
	}

	ctx, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, err = c.Post(ctx, []byte("hang"), wsman.EffectRead)
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	// The client still works, on a new connection (the cancelled ones
	// were dropped). Which connection, not how many dials: on a loaded
	// machine the 100 ms deadline may pass before the second hang dials.
	if _, err := c.Post(context.Background(), []byte("ok"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	reused := hangConns[okConn]
	mu.Unlock()
	if reused || okConn == 0 {
		t.Fatalf("the request after the cancels went on connection %d (hangs on %v): cancelled connections must not be reused", okConn, hangConns)
	}

	// An already cancelled context sends nothing.
	ctx, cancel3 := context.WithCancel(context.Background())
	cancel3()
	before := srv.requests.Load()
	if _, err := c.Post(ctx, []byte("x"), wsman.EffectRead); !errors.Is(err, context.Canceled) {
		t.Fatalf("pre-cancelled: %v", err)
	}
	if srv.requests.Load() != before {
		t.Fatal("a pre-cancelled request was sent")
	}
}

func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h, p := hostPort(t, ln.Addr().String())
	ln.Close() // nothing listens there now
	c, _ := New(Config{Host: h, Port: p, Auth: AuthBasic, User: "u", Password: "pw-123", NoEncryption: true})
	_, err = c.Post(context.Background(), []byte("x"), wsman.EffectRead)
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryUnreachable || !strings.Contains(err.Error(), "connect to 127.0.0.1:") {
		t.Fatalf("err %v", err)
	}
	if strings.Contains(err.Error(), "pw-123") {
		t.Fatal("password in error")
	}
}

// The connect timeout bounds the dial: a loopback listener whose accept
// queue is full drops new SYNs, so the connection never completes.
func TestConnectTimeout(t *testing.T) {
	h, p := "127.0.0.1", wsmantest.BlackholePort(t)
	c, _ := New(Config{Host: h, Port: p, Auth: AuthBasic, User: "u", NoEncryption: true, ConnectTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := c.Post(context.Background(), []byte("x"), wsman.EffectRead)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("connect took %v with a 200ms timeout", d)
	}
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryTimeout || !strings.Contains(err.Error(), "no connection within 200ms") {
		t.Fatalf("err %v", err)
	}
}

func TestClose(t *testing.T) {
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		return rawReply, 200, soapReply
	})
	c, _ := New(srv.config(t))
	if _, err := c.Post(context.Background(), []byte("x"), wsman.EffectRead); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// The server sees the connection go away: nothing is left open.
	for deadline := time.Now().Add(2 * time.Second); srv.closed.Load() != srv.conns.Load(); {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d connections still open after Close", srv.conns.Load()-srv.closed.Load(), srv.conns.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := c.Post(context.Background(), []byte("x"), wsman.EffectRead); !errors.Is(err, ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
}

// Concurrent posts each hold a connection of their own.
func TestConcurrentPosts(t *testing.T) {
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		time.Sleep(5 * time.Millisecond)
		return rawReply, 200, string(body)
	})
	c, _ := New(srv.config(t))
	defer c.Close()
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func(i int) {
			body := strings.Repeat("x", i+1)
			out, err := c.Post(context.Background(), []byte(body), wsman.EffectRead)
			if err == nil && string(out) != body {
				err = errors.New("reply of another request: " + string(out))
			}
			errs <- err
		}(i)
	}
	for i := 0; i < 16; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if d := c.Stats().Dials; d > 16 {
		t.Fatalf("%d dials", d)
	}
}
