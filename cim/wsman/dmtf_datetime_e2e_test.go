package wsman_test

import (
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestE2EDMTFDatetimes: older servers write datetimes and intervals in
// the DMTF string form (20130415162843.488171+000, offsets in minutes;
// 00000001020304.500000:000). Over real HTTP, in both dialects'
// wrappings, they decode to the same instants and durations, and a Put
// of what was read changes nothing.
func TestE2EDMTFDatetimes(t *testing.T) {
	dmtfText := regexp.MustCompile(`>\d{14}\.\d{6}[+-]\d{3}<|>\d{14}\.\d{6}:000<`)
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv, c := newE2E(t, d, wsmantest.Options{DMTFDatetimes: true}, wsman.Options{})
		var mu sync.Mutex
		forms := 0
		srv.RewriteReplies(func(l *wsmantest.LoggedRequest) bool { return l.Operation == "Get" && l.Selectors != nil }, -1,
			func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
				mu.Lock()
				forms += len(dmtfText.FindAll(r.Body, -1))
				mu.Unlock()
			})
		ctx := context.Background()
		path := &model.Reference{ClassName: "Cimsh_ValueKinds", Selectors: []model.Selector{{Name: "Id", Value: "all"}}}
		got, err := c.Get(ctx, &model.GetRequest{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"When", "Span", "Whens", "Inner"} {
			want, _ := wsmantest.KindsValues().Get(name)
			if v := get(t, got, name); !model.Equal(v, want) {
				t.Errorf("%s = %v, want %v", name, v, want)
			}
		}
		putGetsBack(ctx, t, c, path, got)
		mu.Lock()
		defer mu.Unlock()
		if forms < 2*5 { // When, Span, two Whens, Inner's When; twice
			t.Errorf("%d DMTF datetimes in the replies", forms)
		}
	})
}
