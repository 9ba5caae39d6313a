package e2e

import (
	"sort"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// References decoded from one reply address objects in the next request:
// a reference property is followed with Get, and key-only association
// results are completed with Get.
func TestFollowReferences(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		all, err := s.GetInstance(ctx, ref("Cimsh_ValueKinds", "root/cimv2", "Id", "all"), cim.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := all.Get("Service")
		r, ok := v.AsReference()
		if !ok || r.ClassName != "Win32_Service" {
			t.Fatalf("Service is %v (%s), not a reference to a Win32_Service", v, v.Type())
		}
		target := &model.Instance{ClassName: r.ClassName, Namespace: r.Namespace, ResourceURI: r.ResourceURI, Ref: r}
		svc, err := s.GetInstance(ctx, target, cim.Options{})
		if err != nil {
			t.Fatalf("following the reference: %v", err)
		}
		if text(svc, "Name") != "WinRM" || text(svc, "State") != "Running" {
			t.Fatalf("followed to %s (%s)", text(svc, "Name"), text(svc, "State"))
		}

		keys, err := s.GetAssociatedInstances(ctx, cim.AssociatedQuery{Input: svc, Association: "Win32_DependentService",
			ResultClassName: "Win32_Service", Role: "Dependent", KeyOnly: true})
		if err != nil {
			t.Fatalf("key-only associators: %v", err)
		}
		var deps []string
		for _, k := range keys {
			full, err := s.GetInstance(ctx, k, cim.Options{})
			if err != nil {
				t.Fatalf("Get of key-only %v: %v", k, err)
			}
			deps = append(deps, text(full, "Name")+"="+text(full, "State"))
		}
		sort.Strings(deps)
		// WinRM depends on RpcSs and nsi.
		if strings.Join(deps, ",") != "RpcSs=Running,nsi=Running" {
			t.Fatalf("WinRM's antecedents: %v", deps)
		}
	})
}

// WQL ASSOCIATORS OF, the other way to ask for associations.
func TestAssociatorsOfQuery(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{})
		s := basicSession(t, srv)
		got, err := s.GetInstances(testCtx(t), cim.InstanceQuery{Query: "ASSOCIATORS OF {Win32_Service.Name='RpcSs'} WHERE AssocClass = Win32_DependentService ResultClass = Win32_Service"})
		if err != nil {
			t.Fatalf("ASSOCIATORS OF: %v", err)
		}
		var list []string
		for _, inst := range got {
			list = append(list, text(inst, "Name"))
		}
		sort.Strings(list)
		if strings.Join(list, ",") != "BITS,Spooler,WinRM,nsi" {
			t.Fatalf("associators of RpcSs: %v", list)
		}
	})
}

// Large messages through NTLM sealing: a 120 KB property goes out sealed
// in a Create and comes back sealed in a Get, intact.
func TestNTLMSealedLargeMessages(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := wsmantest.NewServer(t, wsmantest.Options{Dialect: d, NTLMUsers: ntlmUsers})
		s := open(t, config(srv, cim.AuthNegotiate, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}))
		ctx := testCtx(t)
		var b strings.Builder
		for b.Len() < 120<<10 { // OMI caps a response near 256000 bytes, escapes included
			b.WriteString("sealed <payload> & line ✓ ")
		}
		big := b.String()
		inst := model.NewInstance("Cimsh_ValueKinds", "root/cimv2")
		inst.SetKey("Id", model.String("big-sealed"))
		inst.Set("Str", model.String(big))
		if _, err := s.NewInstance(ctx, inst, cim.Options{}); err != nil {
			t.Fatalf("sealed 120 KB Create: %v", err)
		}
		back, err := s.GetInstance(ctx, ref("Cimsh_ValueKinds", "root/cimv2", "Id", "big-sealed"), cim.Options{})
		if err != nil {
			t.Fatalf("sealed 120 KB Get: %v", err)
		}
		if text(back, "Str") != big {
			t.Fatalf("the 120 KB string came back as %d bytes", len(text(back, "Str")))
		}
		if c := srv.Counters(); c.Handshakes != 1 {
			t.Errorf("%d handshakes", c.Handshakes)
		}
	})
}
