package wsmantest

import (
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// myclassProvider serves the MS-WSMV examples' root/mynamespace myclass.
func myclassProvider() model.Provider {
	p := memprov.New(model.Identity{}, "SPEC")
	cl := &model.Class{Name: "myclass", Properties: []model.PropertyDecl{prop("Data1", ty.Str), key("id", ty.U32)}}
	var list []*model.Instance
	for _, row := range []struct {
		data string
		id   uint64
	}{{"Hello World", 1}, {`"Hello again"`, 2}} {
		list = append(list, instance(cl, "root/mynamespace", "Data1", str(row.data), "id", u32(row.id)))
	}
	p.Register("root/mynamespace", memprov.ClassDef{Class: cl,
		List: func(context.Context) ([]*model.Instance, error) { return cloneAll(list), nil },
		Modify: func(_ context.Context, inst *model.Instance) (*model.Instance, error) {
			for i, cur := range list {
				if keysMatchFold(cur, inst.Path()) {
					list[i] = inst.Clone()
					return inst.Clone(), nil
				}
			}
			return nil, model.NewFault(model.CIMNotFound, "no %s", inst.Path())
		}})
	return p
}

// specShape parses a spec example and drops what real Windows traffic
// does not carry: cim:Location EPRs inside instances and mustUnderstand
// attributes on response headers.
func specShape(t *testing.T, name string) *node {
	t.Helper()
	n, err := parseXML(readFixture(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var clean func(*node)
	clean = func(n *node) {
		var kids []*node
		for _, c := range n.Children {
			if c.is(nsCIMCommon, "Location") {
				continue
			}
			clean(c)
			kids = append(kids, c)
		}
		n.Children = kids
		var attrs = n.Attr[:0:0]
		for _, a := range n.Attr {
			if a.Name.Local != "mustUnderstand" {
				attrs = append(attrs, a)
			}
		}
		n.Attr = attrs
	}
	clean(n)
	return n
}

// The MS-WSMV section 4.1 exchange, requests sent verbatim (line breaks
// around every value included) to a server serving their example class.
func TestMSWSMVExamplesVerbatim(t *testing.T) {
	s := NewServer(t, Options{Provider: myclassProvider()})
	check := func(r reply, fixture string, ignore ...string) {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("HTTP %d: %s", r.status, r.body)
		}
		// Windows adds p:ActivityId to Get responses; the spec does not.
		h := r.root.child(nsSOAP, "Header")
		var kept []*node
		for _, c := range h.Children {
			if c.Name.Local != "ActivityId" {
				kept = append(kept, c)
			}
		}
		h.Children = kept
		// and xsi:type to instances, which the spec leaves out.
		var untype func(*node)
		untype = func(n *node) {
			attrs := n.Attr[:0:0]
			for _, a := range n.Attr {
				if !(a.Name.Space == nsXSI && a.Name.Local == "type") {
					attrs = append(attrs, a)
				}
			}
			n.Attr = attrs
			for _, c := range n.Children {
				untype(c)
			}
		}
		untype(r.root)
		got, want := canon(r.root, ignoreIDs(ignore...)), canon(specShape(t, fixture), ignoreIDs(ignore...))
		if got != want {
			t.Fatalf("%s differs at %s", fixture, diffLines(got, want))
		}
	}
	check(post(t, s, readFixture(t, "mswsmv_4.1.1_get_request.xml")), "mswsmv_4.1.1_get_response_with_cim_Location.xml")

	// Put returns the instance as changed.
	put := readFixture(t, "mswsmv_4.1.3_put_request.xml")
	check(post(t, s, put), "mswsmv_4.1.3_put_response.xml")
	r := post(t, s, readFixture(t, "mswsmv_4.1.1_get_request.xml"))
	if got := propText(r.bodyElem(t), "Data1"); got != "Test Message" {
		t.Fatalf("Data1 after Put %q", got)
	}
	// Enumerate without optimization: a context only; then Pull one at
	// a time (the first instance as the Put left it).
	r = post(t, s, readFixture(t, "mswsmv_4.1.2.1_enumerate_request.xml"))
	check(r, "mswsmv_4.1.2.2_enumerate_response.xml", "EnumerationContext")
	ctx := r.bodyElem(t).child(nsEnumeration, "EnumerationContext").text()
	pull := func() reply {
		return post(t, s, readFixture(t, "mswsmv_4.1.2.3_pull_request.xml", "uuid:22EB9809-5543-4020-A75C-FD95FF06217B", ctx))
	}
	check(pull(), "mswsmv_4.1.2.4_pull_response.xml", "EnumerationContext")
	// The second Pull's answer is the spec's end-of-sequence example.
	check(pull(), "mswsmv_4.1.2.6_pull_response_EndOfSequence.xml")

	if !strings.Contains(string(put), "\n") {
		t.Fatal("the spec request lost its line breaks")
	}
}
