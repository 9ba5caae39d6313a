package wsman

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unsafe"

	"github.com/cimsh/cimsh/cim/model"
)

// A decoder keeps its shapes from page to page (itemshape.go) only while
// the namespace bindings in scope at the items are the same: the same
// markup under other bindings means other things. The pages below declare
// on their envelope the prefixes their items use, and change what one of
// them means between pages; each page must decode as a decoder that never
// saw the pages before reads it token by token.

// scopePage is a reply of three items alike, whose p:, xsi: and cim:
// prefixes are bound on the envelope to pURI, xsiURI and NsCIMCommon.
func scopePage(pURI, xsiURI, extra string) []byte {
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `" xmlns:a="` + NsAddressing +
		`" xmlns:p="` + pURI + `" xmlns:xsi="` + xsiURI + `" xmlns:cim="` + NsCIMCommon + `"` + extra + `><s:Header/><s:Body><n:PullResponse><n:EnumerationContext>uuid:1</n:EnumerationContext><n:Items>`)
	for i := range 3 {
		fmt.Fprintf(&b, `<w:Item><p:X_Leaf><p:Name>n%d</p:Name><p:U8>%d</p:U8><p:S16 xsi:nil="true"/><p:T><cim:Datetime>2024-03-0%dT10:11:12Z</cim:Datetime></p:T></p:X_Leaf>`+
			`<a:EndpointReference><a:Address>`+AnonymousAddress+`</a:Address><a:ReferenceParameters><w:ResourceURI>`+PrefixDMTFClass+`X_Leaf</w:ResourceURI>`+
			`<w:SelectorSet><w:Selector Name="Name">n%d</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`, i, i+1, i+1, i)
	}
	b.WriteString(`</n:Items></n:PullResponse></s:Body></s:Envelope>`)
	return []byte(b.String())
}

// cachedLeafSchema looks classes up in leafSchema once, as the client's
// cache does: the same class, the same *model.Class.
func cachedLeafSchema() func(string) (*model.Class, error) {
	seen := map[string]*model.Class{}
	return func(class string) (*model.Class, error) {
		k := strings.ToLower(class)
		if _, ok := seen[k]; !ok {
			seen[k] = leafSchema(class)
		}
		return seen[k], nil
	}
}

// dumpPage decodes an enumeration reply with idec and renders it, and
// the error that stopped it.
func dumpPage(t *testing.T, idec *itemDecoder, body []byte) string {
	t.Helper()
	d, _, ok, err := OpenBody(body)
	if err != nil || !ok {
		t.Fatalf("open: %v %v", ok, err)
	}
	bt, err := decodeEnumResponse(d, idec)
	var b strings.Builder
	dumpItems(&b, bt.items)
	fmt.Fprintf(&b, "error: %v", err)
	return b.String()
}

func TestShapesFollowNamespaceScope(t *testing.T) {
	classA, classB := PrefixDMTFClass+"X_Leaf", PrefixDMTFClass+"Y_Leaf"
	pages := []struct {
		name  string
		body  []byte
		taken bool // the decoder takes a shape on this page (it has none for these bindings)
	}{
		{"first", scopePage(classA, NsXSI, ""), true},
		{"same bindings", scopePage(classA, NsXSI, ""), false},
		// Another resource URI for the same markup.
		{"p bound elsewhere", scopePage(classB, NsXSI, ""), true},
		{"back", scopePage(classA, NsXSI, ""), true},
		// xsi:nil in another namespace is no NULL: S16's empty text is
		// then no sint16, an error at the first item (a shape of the
		// pages before would read it as NULL).
		{"xsi bound elsewhere", scopePage(classA, "urn:not-xsi", ""), false},
		// One more binding, nothing the items use: still not the same
		// scope (the rule is the bindings, not what the items use).
		{"extra binding", scopePage(classA, NsXSI, ` xmlns:q="urn:q"`), true},
		{"extra again", scopePage(classA, NsXSI, ` xmlns:q="urn:q"`), false},
	}
	schema := cachedLeafSchema()
	idec := &itemDecoder{namespace: "root/cimv2", schema: schema}
	for _, p := range pages {
		noShape.Store(true)
		want := dumpPage(t, &itemDecoder{namespace: "root/cimv2", schema: schema}, p.body)
		noShape.Store(false)
		got := dumpPage(t, idec, p.body)
		// The transport reads the next reply into the same buffer.
		for i := range p.body {
			p.body[i] = '#'
		}
		if got != want {
			t.Errorf("%s: decoded with the shapes of the pages before:\n%s\ntoken by token:\n%s", p.name, got, want)
		}
		if taken := idec.shapes.records > 0; taken != p.taken {
			t.Errorf("%s: a shape taken: %v, want %v", p.name, taken, p.taken)
		}
	}
	if idec.shapes.read == 0 {
		t.Error("no item was read by shape")
	}
}

// Items read by one shape whose string has the same text from item to
// item (a computer's name) share one string; strings that change are
// each item's own.
func TestRepeatedStringsShared(t *testing.T) {
	body := regexp.MustCompile(`<p:CSName>[^<]*</p:CSName>`).ReplaceAll(pullResponse(40), []byte(`<p:CSName>BENCH-SRV01</p:CSName>`))
	d, _, ok, err := OpenBody(body)
	if err != nil || !ok {
		t.Fatalf("open: %v %v", ok, err)
	}
	idec := &itemDecoder{namespace: "root/cimv2", schema: func(class string) (*model.Class, error) { return leafSchema(class), nil }}
	bt, err := decodeEnumResponse(d, idec)
	if err != nil || len(bt.items) != 40 {
		t.Fatalf("decoded %d items: %v", len(bt.items), err)
	}
	data := func(i int, name string) *byte {
		v, _ := bt.items[i].Get(name)
		s, _ := v.AsString()
		return unsafe.StringData(s)
	}
	shared := data(len(bt.items)-1, "CSName")
	for i := 1; i < len(bt.items); i++ {
		if v, _ := bt.items[i].Get("CSName"); v.Text() != "BENCH-SRV01" {
			t.Fatalf("item %d: CSName %q", i, v.Text())
		}
		if data(i, "CSName") != shared {
			t.Errorf("item %d: CSName is a string of its own", i)
		}
		if i > 2 && data(i, "Caption") == data(i-1, "Caption") {
			t.Errorf("items %d and %d share a Caption that differs", i-1, i)
		}
	}
	// Item 0 came by the token path, with a string of its own.
	if shared == data(0, "CSName") {
		t.Error("the shared CSName is item 0's")
	}
}

// The client's cache of schemas is shared: a query beside an enumeration
// can fill it between two pages. The items of the next page are then
// typed by the schema, as the token path types them, not read by shapes
// taken without it (nor, the other way, by shapes taken with a schema
// the lookup no longer gives).
func TestShapesFollowSchema(t *testing.T) {
	known := false
	cached := cachedLeafSchema()
	schema := func(class string) (*model.Class, error) {
		if !known {
			return nil, nil
		}
		return cached(class)
	}
	idec := &itemDecoder{namespace: "root/cimv2", schema: schema}
	for i, k := range []bool{false, true, true, false} {
		known = k
		body := scopePage(PrefixDMTFClass+"X_Leaf", NsXSI, "")
		noShape.Store(true)
		want := dumpPage(t, &itemDecoder{namespace: "root/cimv2", schema: schema}, body)
		noShape.Store(false)
		if got := dumpPage(t, idec, body); got != want {
			t.Errorf("page %d (schema known: %v): decoded with the shapes of the pages before:\n%s\ntoken by token:\n%s", i, k, got, want)
		}
	}
}
