package dcom_test

import (
	"net"
	"reflect"
	"testing"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
)

// TestModifySendsChanges: set_instance with the changed properties
// named sends only those (and the keys) as a partial put; where the
// server refuses partial puts (as WMI and most providers do), the
// instance is read afresh and only the changes are applied to it. Either
// way a property another client changed meanwhile is not reverted to
// the caller's stale copy, which a whole put of that copy would do.
func TestModifySendsChanges(t *testing.T) {
	for _, noPartial := range []bool{false, true} {
		t.Run(map[bool]string{false: "partial put", true: "partial put refused"}[noPartial], func(t *testing.T) {
			s, err := dcomtest.Start(dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}, NoPartialPut: noPartial})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			host, _, _ := net.SplitHostPort(s.Addr())
			c := ctx(t)
			newProvider := func() *dcom.Provider {
				p, err := dcom.New(dcom.Config{Host: host, Port: s.Port(), User: user, Password: password, Level: rpc.LevelPrivacy, ComputerName: "DCOMTEST"})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { p.Close() })
				return p
			}
			a, b := newProvider(), newProvider()
			kinds := wsmantest.KindsValues()
			kinds.Set("Id", model.String("put"))
			if _, err := a.Create(c, &model.CreateRequest{Instance: kinds}); err != nil {
				t.Fatal(err)
			}
			stale, err := a.Get(c, &model.GetRequest{Path: kinds.Path()})
			if err != nil {
				t.Fatal(err)
			}
			// Another client changes S32 meanwhile.
			other := stale.Clone()
			other.Set("S32", model.Sint(model.TypeSint32, 7))
			if _, err := b.Modify(c, &model.ModifyRequest{Instance: other, Properties: []string{"S32"}}); err != nil {
				t.Fatal(err)
			}
			before := len(s.Puts())
			stale.Set("Str", model.String("changed"))
			got, err := a.Modify(c, &model.ModifyRequest{Instance: stale, Properties: []string{"str"}})
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := got.Get("Str"); v.Text() != "changed" {
				t.Fatalf("Str %v", v)
			}
			if v, _ := got.Get("S32"); v.Text() != "7" {
				t.Fatalf("S32 reverted to the stale copy's %v", v)
			}
			puts := s.Puts()[before:]
			if !noPartial {
				if len(puts) != 1 || !reflect.DeepEqual(puts[0].Partial, []string{"Str"}) || !reflect.DeepEqual(puts[0].Sent, []string{"Id", "Str"}) {
					t.Fatalf("puts: %+v", puts)
				}
				return
			}
			if len(puts) != 2 || !reflect.DeepEqual(puts[0].Sent, []string{"Id", "Str"}) || puts[1].Partial != nil || len(puts[1].Sent) < 20 {
				t.Fatalf("puts (a refused partial put, then the fresh instance whole): %+v", puts)
			}
		})
	}
}
