package e2e

import (
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// A selector's value may itself be an endpoint reference (PROTOCOL.md,
// Values): an association instance is addressed by its reference keys.
// Each one enumerated is found again by Get, the server reading nested
// EPRs in its selectors.
func TestGetByReferenceKeys(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		deps, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_DependentService"})
		if err != nil || len(deps) < 2 {
			t.Fatalf("Win32_DependentService: %d, %v", len(deps), err)
		}
		srv.ResetLog()
		for _, dep := range deps {
			got, err := s.GetInstance(ctx, dep, cim.Options{})
			if err != nil {
				t.Fatalf("Get of %v: %v", dep.Path(), err)
			}
			if !got.Equal(dep) {
				t.Errorf("Get of %v gave %v", dep.Path(), got.PropertyList())
			}
		}
		refs := 0
		for _, l := range srv.Requests() {
			for _, sel := range l.Selectors {
				if sel.Ref != nil && sel.Ref.ClassName == "Win32_Service" {
					if _, ok := sel.Ref.Selector("Name"); ok {
						refs++
					}
				}
			}
		}
		if refs != 2*len(deps) {
			t.Errorf("%d reference selectors read by the server for %d Gets", refs, len(deps))
		}
	})
}
