package wsman

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// Properties are read whole by xmltok.Leaf where it can (decode_instance.go),
// items by comparing their bytes with an item's shape (itemshape.go), and
// token by token otherwise. The test below decodes each reply with both
// and with neither (noLeaf, noShape), and with both by a decoder that read
// the reply before (its shapes kept), and requires the same instances, or
// the same error.

// decodeDump decodes body as the client does (an enumeration reply, or a
// Get's instance) with the schemas of leafSchema, or none, and renders
// what came out. With again, an enumeration reply is decoded twice by one
// decoder (as if a page came twice), and the second time rendered: the
// shapes of the first are then there from the first item.
func decodeDump(body []byte, leaves, schemas, again bool) string {
	noLeaf.Store(!leaves)
	noShape.Store(!leaves)
	defer noLeaf.Store(false)
	defer noShape.Store(false)
	var schema func(string) (*model.Class, error)
	if schemas {
		schema = cachedLeafSchema()
	}
	d, se, ok, err := OpenBody(body)
	if err != nil || !ok {
		return fmt.Sprintf("open: %v %v", ok, err)
	}
	var b strings.Builder
	if strings.HasSuffix(se.Name.Local, "Response") && se.Name.Space == NsEnumeration {
		idec := &itemDecoder{namespace: "root/cimv2", fragClass: "C", schema: schema}
		if again {
			// The first page in a buffer the transport then reads
			// another reply into.
			first := bytes.Clone(body)
			if d, _, ok, err := OpenBody(first); err == nil && ok {
				decodeEnumResponse(d, idec)
			}
			for i := range first {
				first[i] = '#'
			}
		}
		bt, err := decodeEnumResponse(d, idec)
		if bt != nil {
			fmt.Fprintf(&b, "context %q %v eos %v count %d\n", bt.context, bt.hasContext, bt.endOfSeq, bt.count)
			dumpItems(&b, bt.items)
		}
		fmt.Fprintf(&b, "error: %v", err)
		return b.String()
	}
	var sch *model.Class
	if schemas {
		sch = leafSchema(se.Name.Local)
	}
	inst, err := DecodeInstanceWith(d, se, sch, func(class string) *model.Class { return leafSchema(class) })
	if inst != nil {
		dumpInstance(&b, inst)
	}
	fmt.Fprintf(&b, "\nerror: %v", err)
	return b.String()
}

// leafSchema is the schema of the classes in the test's replies: every
// kind of property, arrays and embedded instances.
func leafSchema(class string) *model.Class {
	switch strings.ToLower(class) {
	case "win32_process":
		return win32ProcessSchema()
	case "c", "x_leaf":
		return &model.Class{Name: "X_Leaf", Namespace: "root/test", Properties: []model.PropertyDecl{
			{Name: "Name", Type: model.TypeString, Key: true},
			{Name: "U8", Type: model.TypeUint8},
			{Name: "S16", Type: model.TypeSint16},
			{Name: "U64", Type: model.TypeUint64},
			{Name: "S64", Type: model.TypeSint64},
			{Name: "B", Type: model.TypeBoolean},
			{Name: "R", Type: model.TypeReal64},
			{Name: "C16", Type: model.TypeChar16},
			{Name: "T", Type: model.TypeDatetime},
			{Name: "Arr", Type: model.TypeUint32, Array: true},
			{Name: "SArr", Type: model.TypeString, Array: true},
			{Name: "Oct", Type: model.TypeUint8, Array: true, Qualifiers: []model.Qualifier{{Name: "OctetString", Value: model.Bool(true)}}},
			{Name: "Emb", Type: model.TypeInstance, EmbeddedClass: "X_Leaf"},
			{Name: "Ref", Type: model.TypeReference},
		}}
	}
	return nil
}

// dumpItems renders a page's instances, one a line.
func dumpItems(b *strings.Builder, items []*model.Instance) {
	for _, inst := range items {
		dumpInstance(b, inst)
		b.WriteByte('\n')
	}
}

func dumpInstance(b *strings.Builder, inst *model.Instance) {
	fmt.Fprintf(b, "{class %q ns %q uri %q ref ", inst.ClassName, inst.Namespace, inst.ResourceURI)
	dumpRef(b, inst.Ref)
	fmt.Fprintf(b, " props %v", inst.Len() == 0)
	for _, p := range inst.All() {
		fmt.Fprintf(b, " %q key %v = ", p.Name, p.Key)
		dumpValue(b, p.Value)
	}
	b.WriteString("}")
}

func dumpRef(b *strings.Builder, r *model.Reference) {
	if r == nil {
		b.WriteString("nil")
		return
	}
	fmt.Fprintf(b, "(%q %q %q %q", r.Address, r.ResourceURI, r.ClassName, r.Namespace)
	for _, s := range r.Selectors {
		fmt.Fprintf(b, " %q=%q ", s.Name, s.Value)
		dumpRef(b, s.Ref)
	}
	b.WriteString(")")
}

func dumpValue(b *strings.Builder, v model.Value) {
	fmt.Fprintf(b, "%v/%v/%v:", v.Type(), v.IsArray(), v.IsNull())
	switch {
	case v.IsNull():
	case v.IsArray():
		b.WriteString("[")
		for _, e := range v.Elems() {
			dumpValue(b, e)
			b.WriteString(" ")
		}
		b.WriteString("]")
	default:
		if inst, ok := v.AsInstance(); ok {
			dumpInstance(b, inst)
		} else if r, ok := v.AsReference(); ok {
			dumpRef(b, r)
		} else {
			fmt.Fprintf(b, "%#v", v.Interface())
		}
	}
}

// leafReplies are generated replies with what Leaf reads and what it
// leaves to Next side by side: plain text, references, CRLF, multi-byte
// characters, NULLs, arrays, IsNullArray, embedded instances, values that
// do not fit their types, white space between properties, comments.
func leafReplies() [][]byte {
	const xsi = `xmlns:xsi="` + NsXSI + `"`
	inst := func(props string) string {
		return `<w:Item><p:X_Leaf xmlns:p="` + PrefixDMTFClass + `X_Leaf" ` + xsi + ` xmlns:cim="` + NsCIMCommon + `">` + props + `</p:X_Leaf><a:EndpointReference><a:Address>` + AnonymousAddress + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + PrefixDMTFClass + `X_Leaf</w:ResourceURI><w:SelectorSet><w:Selector Name="Name">n</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`
	}
	instSel := func(props, sel string) string {
		return `<w:Item><p:X_Leaf xmlns:p="` + PrefixDMTFClass + `X_Leaf" ` + xsi + ` xmlns:cim="` + NsCIMCommon + `">` + props + `</p:X_Leaf><a:EndpointReference><a:Address>` + AnonymousAddress + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + PrefixDMTFClass + `X_Leaf</w:ResourceURI><w:SelectorSet>` + sel + `<w:Selector Name="__cimnamespace">root/test</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`
	}
	reply := func(items ...string) []byte {
		return []byte(`<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `" xmlns:a="` + NsAddressing + `"><s:Header/><s:Body><n:PullResponse><n:EnumerationContext>uuid:1</n:EnumerationContext><n:Items>` + strings.Join(items, "") + `</n:Items></n:PullResponse></s:Body></s:Envelope>`)
	}
	// Pages of items alike but for their text (read by shape), then one
	// that differs.
	props := func(name, u8, t, s16 string) string {
		return `<p:Name>` + name + `</p:Name><p:U8>` + u8 + `</p:U8><p:U64>18446744073709551615</p:U64><p:S64>-9223372036854775808</p:S64><p:B>TRUE</p:B><p:R>1.5e3</p:R><p:C16>65</p:C16><p:T><cim:Datetime>` + t + `</cim:Datetime></p:T>` + s16
	}
	const nilS16 = `<p:S16 xsi:nil="true"/>`
	sel := func(v string) string { return `<w:Selector Name="Name">` + v + `</w:Selector>` }
	first := instSel(props("a", "1", "2024-03-01T10:11:12Z", nilS16), sel("a"))
	page := func(last ...string) []byte {
		items := []string{first, instSel(props("bb", "200", " 2024-03-02T10:11:12.5-07:00 ", nilS16), sel(" bb "))}
		return reply(append(items, last...)...)
	}
	shaped := [][]byte{
		page(instSel(props("c", "3", "2024-03-03T10:11:12Z", nilS16), sel("c"))),
		page(instSel(props("c", "256", "2024-03-03T10:11:12Z", nilS16), sel("c"))),
		page(instSel(props("c", "3", "yesterday", nilS16), sel("c"))),
		page(instSel(props("a&amp;b", "3", "2024-03-03T10:11:12Z", nilS16), sel("a&amp;b"))),
		page(instSel(props("a\r\nb", "3", "2024-03-03T10:11:12Z", nilS16), sel("c"))),
		page(instSel(props("a]]>b", "3", "2024-03-03T10:11:12Z", nilS16), sel("c"))),
		page(instSel(props("a\xffb", "3", "2024-03-03T10:11:12Z", nilS16), sel("c"))),
		page(instSel(props("c<!-- c -->d", "3", "2024-03-03T10:11:12Z", nilS16), sel("c"))),
		page(instSel(props("c", "3", "2024-03-03T10:11:12Z", `<p:S16>-5</p:S16>`), sel("c"))),
		page(instSel(props("c", "3", "2024-03-03T10:11:12Z", `<p:S16 xsi:nil="true"/><p:Name>again</p:Name>`), sel("c"))),
		page(instSel(`<p:Name>c</p:Name><p:U8>1</p:U9>`, sel("c"))),
		page(instSel(props("", "", "", nilS16), sel(""))),
		page(instSel(props("c", "3", "2024-03-03T10:11:12Z", nilS16), `<w:Selector Name="Other">c</w:Selector>`)),
		page(instSel(props("c", "3", "2024-03-03T10:11:12Z", nilS16), sel(`<a:EndpointReference><a:Address>x</a:Address></a:EndpointReference>`))),
		page(first, first, instSel(props("c", "3", "2024-03-03T10:11:12Z", nilS16), sel("c")), first),
		// Two datetimes in a property: the token path reads the first.
		reply(instSel(`<p:T><cim:Datetime>2024-01-01T00:00:00Z</cim:Datetime><cim:Datetime>2024-01-01T00:00:00Z</cim:Datetime></p:T>`, sel("a")),
			instSel(`<p:T><cim:Datetime>2024-01-01T00:00:00Z</cim:Datetime><cim:Datetime>2025-01-01T00:00:00Z</cim:Datetime></p:T>`, sel("a")),
			instSel(`<p:T><cim:Datetime>2024-01-01T00:00:00Z</cim:Datetime><cim:Datetime>2025-01-01T00:00:00Z</cim:Datetime></p:T>`, sel("a"))),
		pullResponse(12),
		mixedPullResponse(40, 6), // more shapes than a page keeps
		mixedPullResponse(40, 0), // a shape an item: the page gives up
	}
	return append(shaped,
		pullResponse(3),
		reply(inst(`<p:Name>a&amp;b</p:Name><p:U8>255</p:U8><p:S16>-32768</p:S16><p:U64>18446744073709551615</p:U64><p:S64>-9223372036854775808</p:S64><p:B>TRUE</p:B><p:R>1.5e3</p:R><p:C16>65</p:C16><p:T>20240301101112.000000+060</p:T>`)),
		reply(inst("\n  <p:Name>caf\u00e9 \u20ac</p:Name>\r\n  <p:U8>\r\n7</p:U8>\n\t<p:Arr>1</p:Arr><p:Arr>2</p:Arr><p:Arr xsi:nil=\"true\"/><p:SArr>x</p:SArr>\n")),
		reply(inst(`<p:Name/><p:SArr></p:SArr><p:Name></p:Name>`)),
		reply(inst(`<p:U8></p:U8>`)),
		reply(inst(`<p:Arr xsi:nil="true" xmlns:m="`+NsWSManMS+`" m:IsNullArray="true"/><p:Oct>AQID</p:Oct><p:Name xsi:type="xs:string">t</p:Name><p:Other>1</p:Other><p:Other>2</p:Other><p:other>3</p:other><p:NAME>dup</p:NAME>`)),
		reply(inst(`<p:Emb xsi:type="p:X_Leaf_Type"><p:Name>inner</p:Name><p:U8>1</p:U8></p:Emb><p:Emb><p:Name>bare</p:Name></p:Emb><p:Emb xsi:type="p:Y_Type">text</p:Emb>`)),
		reply(inst(`<p:Ref><a:Address>x</a:Address><a:ReferenceParameters><w:ResourceURI>`+PrefixDMTFClass+`X_Leaf</w:ResourceURI></a:ReferenceParameters></p:Ref><cim:Location>nothing</cim:Location><p:T><cim:Datetime>2024-03-01T10:11:12Z</cim:Datetime></p:T>`)),
		reply(inst(`<p:Name><!-- c -->x</p:Name><p:U64><![CDATA[12]]></p:U64><p:S16>1<!-- c --></p:S16><p:Name >y</p:Name ><p:U8 >3</p:U8>`)),
		reply(inst(`<p:U8>256</p:U8>`)),
		reply(inst(`<p:S16>12a</p:S16>`)),
		reply(inst(`<p:B>maybe</p:B>`)),
		reply(inst(`<p:T>yesterday</p:T>`)),
		reply(inst(`<p:Name>x</p:Name><p:U8>1</p:U9>`)),
		reply(inst(`<p:Name>a]]>b</p:Name>`)),
		reply(inst("<p:Name>a\xffb</p:Name>")),
		reply(inst(`<p:Name>&bogus;</p:Name>`)),
		reply(inst(`<q:Name xmlns:q="`+PrefixDMTFClass+`X_Leaf">declared on the element</q:Name><p:U8>2</p:U8>`)),
		// A Get's reply: the instance alone, its cim:Location kept.
		[]byte(`<s:Envelope xmlns:s="`+NsSOAP+`"><s:Body><p:X_Leaf xmlns:p="`+PrefixDMTFClass+`X_Leaf" xmlns:cim="`+NsCIMCommon+`"><p:Name>x</p:Name><cim:Location>text only</cim:Location><p:U8>1</p:U8></p:X_Leaf></s:Body></s:Envelope>`),
	)
}

func TestLeafDecodesAsTokens(t *testing.T) {
	for i, body := range leafReplies() {
		if diff := leafDiff(body); diff != "" {
			t.Errorf("generated reply %d: %s\n%.400q", i, diff, body)
		}
	}
	files, _ := filepath.Glob(filepath.Join(testenv.Fixtures(t), "*.xml"))
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if diff := leafDiff(body); diff != "" {
			t.Errorf("%s: %s", filepath.Base(name), diff)
		}
	}
}

// leafDiff decodes body with and without Leaf, with schemas and without.
func leafDiff(body []byte) string {
	for _, schemas := range []bool{true, false} {
		want := decodeDump(body, false, schemas, false)
		if got := decodeDump(body, true, schemas, false); got != want {
			return fmt.Sprintf("schemas %v: with Leaf\n%s\ntoken by token\n%s", schemas, got, want)
		}
		if got := decodeDump(body, true, schemas, true); got != want {
			return fmt.Sprintf("schemas %v: with Leaf, the second time\n%s\ntoken by token\n%s", schemas, got, want)
		}
	}
	return ""
}

func FuzzLeafDecodesAsTokens(f *testing.F) {
	addFixtureSeeds(f, func(b []byte) { f.Add(b) })
	for _, b := range leafReplies() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if diff := leafDiff(body); diff != "" {
			t.Fatal(diff)
		}
	})
}

// Items after the first of a page of alike items are read by shape, not
// token by token; an item that differs is read token by token and gives
// its shape to the items like it.
func TestShapesReadAlikeItems(t *testing.T) {
	schema := func(class string) (*model.Class, error) { return leafSchema(class), nil }
	read := func(body []byte) (int, int) {
		d, _, ok, err := OpenBody(body)
		if err != nil || !ok {
			t.Fatalf("open: %v %v", ok, err)
		}
		idec := &itemDecoder{namespace: "root/cimv2", schema: schema}
		bt, err := decodeEnumResponse(d, idec)
		if err != nil {
			t.Fatal(err)
		}
		return len(bt.items), idec.shapes.read
	}
	if n, byShape := read(pullResponse(50)); n != 50 || byShape != 49 {
		t.Errorf("50 alike items: %d decoded, %d by shape; want 50, 49", n, byShape)
	}
	// Two shapes (the fourth item has a NULL where the others have a
	// value), then the first again.
	body := pullResponse(6)
	i := bytes.Index(body, []byte(`<p:Win32_Process `))
	for k := 0; k < 3; k++ {
		i += 1 + bytes.Index(body[i+1:], []byte(`<p:Win32_Process `))
	}
	j := i + bytes.Index(body[i:], []byte(`<p:Caption>`))
	e := j + bytes.Index(body[j:], []byte(`</p:Caption>`)) + len(`</p:Caption>`)
	body = append(append(append([]byte(nil), body[:j]...), `<p:Caption xsi:nil="true"/>`...), body[e:]...)
	if n, byShape := read(body); n != 6 || byShape != 4 {
		t.Errorf("6 items of two shapes: %d decoded, %d by shape; want 6, 4", n, byShape)
	}
	if diff := leafDiff(body); diff != "" {
		t.Error(diff)
	}
}

// A property read as part of a shape's markup takes the first item's
// value; values that can be changed through an item (embedded instances)
// are never shared that way: each item has its own.
func TestShapesShareNoEmbeddedInstance(t *testing.T) {
	item := `<w:Item><p:X_Leaf xmlns:p="` + PrefixDMTFClass + `X_Leaf" xmlns:xsi="` + NsXSI + `"><p:Name>n</p:Name><p:Emb xsi:type="p:X_Leaf_Type"><p:Name>inner</p:Name></p:Emb></p:X_Leaf><a:EndpointReference><a:Address>` + AnonymousAddress + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + PrefixDMTFClass + `X_Leaf</w:ResourceURI><w:SelectorSet><w:Selector Name="Name">n</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`
	body := []byte(`<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `" xmlns:a="` + NsAddressing + `"><s:Body><n:PullResponse><n:Items>` + item + item + item + `</n:Items></n:PullResponse></s:Body></s:Envelope>`)
	d, _, ok, err := OpenBody(body)
	if err != nil || !ok {
		t.Fatalf("open: %v %v", ok, err)
	}
	idec := &itemDecoder{schema: func(class string) (*model.Class, error) { return leafSchema(class), nil }}
	bt, err := decodeEnumResponse(d, idec)
	if err != nil || len(bt.items) != 3 {
		t.Fatalf("%d items, %v", len(bt.items), err)
	}
	seen := map[*model.Instance]bool{}
	for _, inst := range bt.items {
		emb, ok := inst.ValueAt(1).AsInstance()
		if !ok || seen[emb] {
			t.Fatalf("embedded instance %p shared (or missing: %v)", emb, ok)
		}
		seen[emb] = true
	}
}
