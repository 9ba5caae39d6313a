package wsman_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestE2EEnvelopeBelowMinimum: below 8192 bytes of MaxEnvelopeSize
// Windows and OMI answer EncodingLimit to every request (PROTOCOL.md).
// Fewer elements cannot cure that: the enumeration fails on its first
// Enumerate, with the server's fault, instead of asking again and again
// for smaller batches.
func TestE2EEnvelopeBelowMinimum(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{MaxEnvelopeSize: 4096, NoSchema: true})
		ctx := context.Background()
		_, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
		f, ok := model.AsFault(err)
		if !ok || !strings.HasSuffix(f.Subcode, ":EncodingLimit") {
			t.Fatalf("Enumerate with a 4096-byte envelope: %v", err)
		}
		if ops := srv.Operations(); len(ops) != 1 {
			t.Errorf("requests %v: one Enumerate, refused for its envelope size, is enough", ops)
		}
		// At the minimum, the same enumeration pages through.
		_, c = newE2E(t, d, wsmantest.Options{}, wsman.Options{MaxEnvelopeSize: wsman.MinEnvelopeSize, NoSchema: true})
		if got := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})); len(got) != 8 {
			t.Fatalf("%d services in 8192-byte envelopes", len(got))
		}
	})
}
