package xmltok

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// A walk through one reply: names resolve by URI whatever the prefix,
// attribute values are unescaped, text views are exact, a self-closing
// element gives its end, and the tag stack gives depth.
func TestWalk(t *testing.T) {
	doc := []byte(`<e:Env xmlns:e="urn:env" xmlns="urn:dflt"><Body a="1&amp;2" e:b='x'><v>a&lt;b&#x1B;</v><n/></Body></e:Env>`)
	d := NewDecoder(doc)
	var got []string
	for {
		k, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		if k == EOF {
			break
		}
		switch k {
		case StartTag:
			s := fmt.Sprintf("<{%s}%s d=%d", d.Space(), d.Local(), d.Depth())
			for _, a := range d.Attrs() {
				s += fmt.Sprintf(" {%s}%s=%q", a.Space, a.Local, a.Value)
			}
			got = append(got, s+">")
		case EndTag:
			got = append(got, fmt.Sprintf("</{%s}%s d=%d>", d.Space(), d.Local(), d.Depth()))
		case Text:
			got = append(got, fmt.Sprintf("%q", d.Text()))
		}
	}
	want := `<{urn:env}Env d=1 {xmlns}e="urn:env" {}xmlns="urn:dflt">|<{urn:dflt}Body d=2 {}a="1&2" {urn:env}b="x">|<{urn:dflt}v d=3>|"a<b\x1b"|</{urn:dflt}v d=2>|<{urn:dflt}n d=3>|</{urn:dflt}n d=2>|</{urn:dflt}Body d=1>|</{urn:env}Env d=0>`
	if g := strings.Join(got, "|"); g != want {
		t.Fatalf("got  %s\nwant %s", g, want)
	}
}

func TestLookupPrefixFollowsScope(t *testing.T) {
	d := NewDecoder([]byte(`<a xmlns:p="urn:1"><b xmlns:p="urn:2"/><c/></a>`))
	var seen []string
	for {
		k, err := d.Next()
		if err != nil || k == EOF {
			break
		}
		if k == StartTag {
			uri, _ := d.LookupPrefix([]byte("p"))
			seen = append(seen, string(d.Local())+"="+uri)
		}
	}
	if s := strings.Join(seen, " "); s != "a=urn:1 b=urn:2 c=urn:1" {
		t.Fatalf("p resolved as %s", s)
	}
}

// AppendScope tells apart the places where some prefix resolves
// differently, in one document or two, and says the same for places that
// resolve every prefix alike.
func TestAppendScope(t *testing.T) {
	// The scope inside the innermost element <x> of doc.
	scope := func(doc string) string {
		d := NewDecoder([]byte(doc))
		for {
			k, err := d.Next()
			if err != nil || k == EOF {
				t.Fatalf("%s: no <x>: %v", doc, err)
			}
			if k == StartTag && string(d.Local()) == "x" {
				return string(d.AppendScope(nil))
			}
		}
	}
	base := scope(`<a xmlns:p="urn:1"><x/></a>`)
	for _, doc := range []string{
		`<a xmlns:p="urn:1"><x/></a>`,
		`<b xmlns:p="urn:1"><x/></b>`,                 // other names, same bindings
		`<a xmlns:p="urn:1"><b/><x/></a>`,             // the same depth does not matter, the bindings do
		`<a xmlns:p="urn:1"><b xmlns:q="u"/><x/></a>`, // a binding gone out of scope
	} {
		if got := scope(doc); got != base {
			t.Errorf("%s: scope %q, want %q", doc, got, base)
		}
	}
	for _, doc := range []string{
		`<a xmlns:p="urn:2"><x/></a>`,
		`<a xmlns:p="urn:1" xmlns:q="urn:1"><x/></a>`,
		`<a xmlns="urn:1"><x/></a>`,
		`<a xmlns:p="urn:1"><b xmlns:p="urn:2"><x/></b></a>`,
		`<a xmlns:p="urn:2"><b xmlns:p="urn:1"><x/></b></a>`, // resolves alike, says not (shadowed bindings count)
		`<a xmlns:pp="urn:1"><x/></a>`,
		`<a xmlns:p="urn:1" xmlns:q=""><x/></a>`,
	} {
		if got := scope(doc); got == base {
			t.Errorf("%s: the same scope as <a xmlns:p=\"urn:1\">", doc)
		}
	}
}

func TestEncodingDeclaration(t *testing.T) {
	doc := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`)
	if _, err := NewDecoder(doc).Next(); err == nil {
		t.Fatal("a non-UTF-8 declaration was accepted without Encoding")
	}
	d := NewDecoder(doc)
	d.Encoding = func(label string) bool { return strings.EqualFold(label, "iso-8859-1") }
	if k, err := d.Next(); err != nil || k != StartTag {
		t.Fatalf("with Encoding: %v %v", k, err)
	}
}

// pullPage is a Windows-shaped PullResponse of n Win32_Process items.
func pullPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Body><n:PullResponse><n:EnumerationContext>uuid:1</n:EnumerationContext><n:Items>`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<w:Item><p:Win32_Process xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Win32_Process" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xsi:type="p:Win32_Process_Type">`)
		for j, name := range []string{"Caption", "CommandLine", "CreationClassName", "CSName", "Description", "ExecutablePath", "Handle", "HandleCount", "KernelModeTime", "Name", "OSName", "PageFaults", "ProcessId", "ThreadCount", "VirtualSize", "WorkingSetSize"} {
			fmt.Fprintf(&b, `<p:%s>value %d of item %d, C:\Windows\system32\svchost.exe</p:%s>`, name, j, i, name)
		}
		fmt.Fprintf(&b, `<p:CreationDate><cim:Datetime>2024-03-01T10:11:12.%06d+00:00</cim:Datetime></p:CreationDate><p:Status xsi:nil="true"/></p:Win32_Process><a:EndpointReference><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address><a:ReferenceParameters><w:ResourceURI>http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Win32_Process</w:ResourceURI><w:SelectorSet><w:Selector Name="Handle">%d</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`, i, i)
	}
	b.WriteString(`</n:Items></n:PullResponse></s:Body></s:Envelope>`)
	return b.Bytes()
}

// BenchmarkTokenize compares this tokenizer with encoding/xml on a
// 200-item PullResponse.
func BenchmarkTokenize(b *testing.B) {
	page := pullPage(200)
	tokenize := func(leaf bool) func(b *testing.B) {
		return func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			d := NewDecoder(nil)
			for i := 0; i < b.N; i++ {
				d.Reset(page)
				for {
					if leaf && d.Leaf() {
						continue
					}
					k, err := d.Next()
					if err != nil {
						b.Fatal(err)
					}
					if k == EOF {
						break
					}
				}
			}
		}
	}
	b.Run("xmltok", tokenize(false))
	// Leaf tried before each Next, as property decoding does.
	b.Run("xmltok-leaf", tokenize(true))
	b.Run("encoding-xml", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			d := xml.NewDecoder(bytes.NewReader(page))
			for {
				if _, err := d.Token(); err != nil {
					break
				}
			}
		}
	})
}

// SkipContent lands where Skip does, past nested elements, comments,
// CDATA and quoted '>'.
func TestSkipContent(t *testing.T) {
	doc := []byte(`<r><items a="x>y"><i><![CDATA[</items>]]><!-- </items> --><j/></i><?p </items>?></items><after>t</after></r>`)
	for _, fast := range []bool{false, true} {
		d := NewDecoder(doc)
		var seen []string
		for {
			k, err := d.Next()
			if err != nil {
				t.Fatal(err)
			}
			if k == EOF {
				break
			}
			if k == StartTag {
				seen = append(seen, string(d.Local()))
				if string(d.Local()) == "items" {
					if fast {
						err = d.SkipContent()
					} else {
						err = d.Skip()
					}
					if err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		if s := strings.Join(seen, " "); s != "r items after" {
			t.Fatalf("fast=%v: saw %s", fast, s)
		}
	}
	d := NewDecoder([]byte(`<r><items><i>`))
	d.Next()
	d.Next()
	if err := d.SkipContent(); err == nil {
		t.Fatal("a truncated document skipped without error")
	}
}

// Intern returns one string for equal bytes, whichever way it finds it
// (its slots or its map), never a view of the bytes given.
func TestInternSharesOneString(t *testing.T) {
	d := NewDecoder(nil)
	words := []string{"Handle", "__cimnamespace", "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous", "a", "b", "i", "q", "Handle2", "x"}
	first := map[string]string{}
	for round := 0; round < 3; round++ {
		for _, w := range words {
			b := []byte(w)
			s := d.Intern(b)
			b[0] ^= 0xff // a view would change
			if s != w {
				t.Fatalf("Intern(%q) = %q", w, s)
			}
			if f, ok := first[w]; ok && unsafe.StringData(f) != unsafe.StringData(s) {
				t.Fatalf("Intern(%q) gave another string the second time", w)
			}
			first[w] = s
		}
	}
	if d.Intern(nil) != "" {
		t.Fatal("Intern(nil) is not empty")
	}
}
