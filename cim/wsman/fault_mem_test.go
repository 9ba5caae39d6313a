package wsman_test

import (
	"context"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// hugeFault streams a SOAP fault whose reason text is n bytes long,
// without holding it: the server side of the test costs nothing but the
// copy buffer.
type hugeFault struct {
	head, tail string
	n, sent    int64 // the huge text's length, the bytes read
	fill       byte
}

// The parts of a fault around its huge text, by where the text is.
var hugeFaultParts = map[string][2]string{
	"reason": {`<s:Envelope xmlns:s="` + wsman.NsSOAP + `" xmlns:w="` + wsman.NsWSMan + `" xmlns:f="` + wsman.NsWSManFault + `"><s:Body><s:Fault>` +
		`<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">`,
		`</s:Text></s:Reason><s:Detail><f:WSManFault Code="2150858755" Machine="m"></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`},
	"message": {`<s:Envelope xmlns:s="` + wsman.NsSOAP + `" xmlns:w="` + wsman.NsWSMan + `" xmlns:f="` + wsman.NsWSManFault + `"><s:Body><s:Fault>` +
		`<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">short reason</s:Text></s:Reason><s:Detail><f:WSManFault Code="2150858755" Machine="m"><f:Message>`,
		`</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`},
	"provider": {`<s:Envelope xmlns:s="` + wsman.NsSOAP + `" xmlns:w="` + wsman.NsWSMan + `" xmlns:f="` + wsman.NsWSManFault + `"><s:Body><s:Fault>` +
		`<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">short reason</s:Text></s:Reason><s:Detail><f:WSManFault Code="2150858755" Machine="m"><f:Message><f:ProviderFault provider="p" path="x">`,
		`</f:ProviderFault></f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`},
	"html": {`<html><body><h1>Proxy error</h1><p>`, `</p></body></html>`},
}

func newHugeFault(where string, n int64) *hugeFault {
	parts := hugeFaultParts[where]
	return &hugeFault{head: parts[0], tail: parts[1], n: n, fill: 'x'}
}

func (h *hugeFault) Read(p []byte) (int, error) {
	total := int64(len(h.head)) + h.n + int64(len(h.tail))
	if h.sent >= total {
		return 0, io.EOF
	}
	w := 0
	for w < len(p) && h.sent < total {
		switch {
		case h.sent < int64(len(h.head)):
			c := copy(p[w:], h.head[h.sent:])
			w += c
			h.sent += int64(c)
		case h.sent < int64(len(h.head))+h.n:
			c := min(int64(len(p)-w), int64(len(h.head))+h.n-h.sent)
			for i := int64(0); i < c; i++ {
				p[w+int(i)] = h.fill
			}
			w += int(c)
			h.sent += c
		default:
			off := h.sent - int64(len(h.head)) - h.n
			c := copy(p[w:], h.tail[off:])
			w += c
			h.sent += int64(c)
		}
	}
	return w, nil
}

// heapPeak samples the heap in use while f runs and reports the peak
// above the heap before, and the bytes allocated by f (by the whole
// process: server and client).
func heapPeak(f func()) (peak, alloc uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var max atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > max.Load() {
				max.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > max.Load() {
		max.Store(after.HeapInuse)
	}
	p := max.Load()
	if p > before.HeapInuse {
		p -= before.HeapInuse
	} else {
		p = 0
	}
	return p, after.TotalAlloc - before.TotalAlloc
}

// getHugeFault has a Get answered with a fault whose text (where) is n
// bytes.
func getHugeFault(t *testing.T, where string, n int64) error {
	srv, c := newE2E(t, wsmantest.Windows, wsmantest.Options{}, wsman.Options{NoSchema: true})
	srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
		r.Status = 500
		r.Body = nil
		r.Stream = newHugeFault(where, n)
		if where == "html" {
			r.Header.Set("Content-Type", "text/html")
		}
	})
	_, err := c.Get(context.Background(), &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}})
	return err
}

// TestHugeFaultIsCapped: a 60 MB text in a fault (its reason, its
// WSManFault message, a provider's fault text, or a proxy's HTML page)
// becomes at most 4 KiB of error, ending in how much was cut, and the
// fault is read as a stream: the whole exchange allocates a fraction of
// the fault's size.
func TestHugeFaultIsCapped(t *testing.T) {
	n := int64(60 << 20)
	if raceDetector {
		n = 8 << 20
	}
	for _, where := range []string{"reason", "message", "provider", "html"} {
		t.Run(where, func(t *testing.T) {
			var err error
			peak, alloc := heapPeak(func() { err = getHugeFault(t, where, n) })
			t.Logf("%d MB %s: heap peak +%.1f MB, allocated %.1f MB, error %d bytes", n>>20, where, float64(peak)/(1<<20), float64(alloc)/(1<<20), len(err.Error()))
			f, ok := model.AsFault(err)
			if !ok || f.HTTPStatus != 500 {
				t.Fatalf("got %v", err)
			}
			text := map[string]string{"reason": f.Reason, "message": f.WSManMessage, "provider": f.WSManMessage, "html": f.Reason}[where]
			if where != "html" && (f.Subcode != "w:InternalError" || f.WSManCode != 2150858755) {
				t.Errorf("codes: %v", err)
			}
			if len(text) > wsman.MaxServerText {
				t.Errorf("text of %d bytes: %.100q", len(text), text)
			}
			if where != "html" {
				kept := strings.Count(text, "x")
				if want := "...(" + strconv.FormatInt(n-int64(kept), 10) + " bytes cut)"; !strings.HasPrefix(text, "xxxx") || !strings.HasSuffix(text, want) {
					t.Errorf("text ends %q, want %q", text[max(0, len(text)-40):], want)
				}
			}
			// A web page is not quoted at all: the server is not WS-Man.
			cut := " bytes cut)"
			if where == "html" {
				cut = "not a WS-Management endpoint (HTTP 500 from http://"
			}
			if !strings.Contains(err.Error(), cut) || len(err.Error()) > wsman.MaxServerText+200 {
				t.Errorf("error message of %d bytes: %.200q", len(err.Error()), err.Error())
			}
			if alloc > uint64(n/4) {
				t.Errorf("reading a %d MB fault allocated %d MB: it was held whole", n>>20, alloc>>20)
			}
		})
	}
}
