package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
)

// The decode row: cimsh's WS-Man client enumerating replies recorded
// from the server, replayed from memory, so that the time is decoding
// alone (the enumerator, the XML, the values), no network.

// exchange is one recorded request's action and its reply.
type exchange struct {
	Action string
	Reply  []byte
}

// recorder records what a transport carries.
type recorder struct {
	wsman.Transport
	mu  sync.Mutex
	log []exchange
}

func (r *recorder) Post(ctx context.Context, body []byte, effect wsman.Effect) ([]byte, error) {
	reply, err := r.Transport.Post(ctx, body, effect)
	if err == nil {
		r.mu.Lock()
		r.log = append(r.log, exchange{Action: elementText(body, "Action"), Reply: bytes.Clone(reply)})
		r.mu.Unlock()
	}
	return reply, err
}

// record enumerates ns's Win32_Process through cimsh's client and keeps
// the replies, written to path.
func record(endpoint, pass, ns, path string, want int) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	port, _ := strconv.Atoi(u.Port())
	tr, err := transport.New(transport.Config{Host: u.Hostname(), Port: port, Auth: transport.AuthBasic, User: benchUser, Password: pass, NoEncryption: true})
	if err != nil {
		return err
	}
	rec := &recorder{Transport: tr}
	c := wsman.NewClient(rec, wsman.Options{Endpoint: endpoint, MaxEnvelopeSize: envelopeKB * 1024})
	defer c.Close()
	n, err := enumerateAll(context.Background(), c, ns)
	if err != nil {
		return err
	}
	if n != want {
		return fmt.Errorf("recording: %d instances, want %d", n, want)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(rec.log); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func enumerateAll(ctx context.Context, c *wsman.Client, ns string) (int, error) {
	e, err := c.Enumerate(ctx, &model.EnumerateRequest{Common: model.Common{Namespace: ns}, ClassName: "Win32_Process"})
	if err != nil {
		return 0, err
	}
	defer e.Close()
	n := 0
	for e.Next(ctx) {
		n++
	}
	return n, e.Err()
}

// replay answers each request with the next recorded reply to the same
// action, its RelatesTo set to the request's MessageID, in a fresh
// buffer as a network read would give.
type replay struct {
	byAction map[string][]exchange
	next     map[string]int
	bytes    int
}

func newReplay(log []exchange) *replay {
	r := &replay{byAction: map[string][]exchange{}, next: map[string]int{}}
	for _, x := range log {
		r.byAction[x.Action] = append(r.byAction[x.Action], x)
	}
	return r
}

func (r *replay) rewind() {
	clear(r.next)
	r.bytes = 0
}

func (r *replay) Post(_ context.Context, body []byte, _ wsman.Effect) ([]byte, error) {
	action := elementText(body, "Action")
	list := r.byAction[action]
	k := r.next[action]
	if k >= len(list) {
		return nil, fmt.Errorf("replay: no recorded reply left for %s", action)
	}
	r.next[action] = k + 1
	reply := relate(list[k].Reply, elementText(body, "MessageID"))
	r.bytes += len(reply)
	return reply, nil
}

func (r *replay) Close() error { return nil }

// relate returns a copy of reply whose RelatesTo text is id.
func relate(reply []byte, id string) []byte {
	i := bytes.Index(reply, []byte("RelatesTo>"))
	if i < 0 || id == "" {
		return bytes.Clone(reply)
	}
	start := i + len("RelatesTo>")
	end := bytes.IndexByte(reply[start:], '<')
	if end < 0 {
		return bytes.Clone(reply)
	}
	end += start
	out := make([]byte, 0, len(reply)-(end-start)+len(id))
	out = append(out, reply[:start]...)
	out = append(out, id...)
	return append(out, reply[end:]...)
}

// elementText returns the text of the first element whose qualified
// name ends in ":"+local (attributes allowed), up to the next '<'.
func elementText(b []byte, local string) string {
	tag := []byte(":" + local)
	for {
		i := bytes.Index(b, tag)
		if i < 0 {
			return ""
		}
		b = b[i+len(tag):]
		if len(b) == 0 || (b[0] != '>' && b[0] != ' ') {
			continue
		}
		gt := bytes.IndexByte(b, '>')
		if gt < 0 {
			return ""
		}
		b = b[gt+1:]
		j := bytes.IndexByte(b, '<')
		if j < 0 {
			return ""
		}
		return string(b[:j])
	}
}

// decodeResult is what the decode child prints.
type decodeResult struct {
	Seconds   float64 `json:"seconds"`
	Bytes     int     `json:"bytes"`
	Instances int     `json:"instances"`
	Mallocs   uint64  `json:"mallocs"`
	CPU       float64 `json:"cpu"` // user and system seconds of the measured pass
}

// runDecode is the decode child: "bench decode -pages FILE -ns NS":
// one pass to warm up (the schema is fetched and cached, as in a
// session), then one measured pass.
func runDecode(args []string) error {
	fs := flag.NewFlagSet("decode", flag.ContinueOnError)
	pages := fs.String("pages", "", "recorded replies")
	ns := fs.String("ns", nsMain, "namespace")
	passes := fs.Int("passes", 1, "measured passes (instruction counts difference runs with different counts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*pages)
	if err != nil {
		return err
	}
	var log []exchange
	err = gob.NewDecoder(f).Decode(&log)
	f.Close()
	if err != nil {
		return err
	}
	r := newReplay(log)
	c := wsman.NewClient(r, wsman.Options{Endpoint: "http://replay/wsman", MaxEnvelopeSize: envelopeKB * 1024})
	ctx := context.Background()
	if _, err := enumerateAll(ctx, c, *ns); err != nil {
		return err
	}
	// The measured pass reuses the client (its schema cache); the
	// schema replies are not asked for again.
	r.rewind()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu := selfCPU()
	start := time.Now()
	var n int
	bytes := 0
	for i := 0; i < *passes && err == nil; i++ {
		r.rewind()
		n, err = enumerateAll(ctx, c, *ns)
		bytes += r.bytes
	}
	elapsed := time.Since(start)
	cpu = selfCPU() - cpu
	runtime.ReadMemStats(&after)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(decodeResult{Seconds: elapsed.Seconds(), Bytes: bytes, Instances: n * *passes, Mallocs: after.Mallocs - before.Mallocs, CPU: cpu})
}
