package wsmantest

import (
	"bytes"
	"strings"
	"testing"
)

const omiServiceRequest = `<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>5000</w:MaxElements></n:Enumerate>`

func TestOMIIdentifyInSOAPNamespace(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	r := post(t, s, []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`))
	b := r.bodyElem(t)
	if !b.is(nsSOAP, "IdentifyResponse") || b.child(nsIdentity, "ProductVendor").text() != "Microsoft" {
		t.Fatalf("OMI Identify: %s", r.body)
	}
}

// OMI's enumeration quirks: a dead context beside EndOfSequence, the
// omi test2 request shape, TRUE/FALSE, bare datetimes.
func TestOMIEnumerateQuirks(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	req := readFixture(t, "omi_posthttp_test2_request.xml",
		"http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/OMI_Datetime", "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/Win32_Service")
	r := post(t, s, req)
	if r.status != 200 {
		t.Fatalf("HTTP %d: %s", r.status, r.body)
	}
	want, _ := parseXML(readFixture(t, "omi_posthttp_test2_response.xml"))
	// Envelope, header and response element shapes as OMI's own test
	// oracle, instances aside.
	top := func(n *node) bool {
		return n.Name.Local == "Items" || n.Name.Local == "MessageID" || n.Name.Local == "EnumerationContext"
	}
	if got, w := canon(r.root, top), canon(want, top); got != w {
		t.Fatalf("shape differs from OMI's at %s", diffLines(got, w))
	}
	resp := r.bodyElem(t)
	ctx := resp.child(nsEnumeration, "EnumerationContext").text()
	if ctx == "" || resp.child(nsWSMan, "EndOfSequence") == nil {
		t.Fatalf("want a context beside EndOfSequence: %s", r.body)
	}
	its := items(t, resp)
	if len(its) != 8 || its[0].Name.Space != prefixDMTFClass+"Win32_Service" {
		t.Fatalf("%d items in %q", len(its), its[0].Name.Space)
	}
	if got := propText(its[0], "Started"); got != "FALSE" { // BITS is stopped
		t.Fatalf("Started %q, want FALSE", got)
	}
	// The context is dead.
	r = post(t, s, envelope(actionPull, dmtfSvcURI, "", `<n:Pull><n:EnumerationContext>`+ctx+`</n:EnumerationContext></n:Pull>`))
	if r.status != 500 || r.subcode() != "wsen:InvalidEnumerationContext" {
		t.Fatalf("Pull on the dead context: HTTP %d %q", r.status, r.subcode())
	}
	if s.Counters().Enumerations != 0 {
		t.Fatal("a context stayed open")
	}
}

func TestOMIDatetimesWrappedOnlyForWinRM(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	get := envelope(actionGet, prefixDMTFClass+"Win32_OperatingSystem", sel("__cimnamespace", "root/cimv2")+
		sel("Name", `Microsoft Windows Server 2012 Standard|C:\Windows|\Device\Harddisk0\Partition2`), "")
	r := post(t, s, get)
	lb := r.bodyElem(t).child("", "LastBootUpTime")
	if lb == nil || len(lb.Children) != 0 || lb.text() != "2013-04-15T16:28:43.488171Z" {
		t.Fatalf("bare datetime expected: %s", r.body)
	}
	r = post(t, s, get, "User-Agent", "Microsoft WinRM Client")
	lb = r.bodyElem(t).child("", "LastBootUpTime")
	if lb.child(nsCIMCommon, "Datetime").text() != "2013-04-15T16:28:43.488171Z" {
		t.Fatalf("wrapped datetime expected: %s", r.body)
	}
	if got := propText(r.bodyElem(t), "Primary"); got != "TRUE" {
		t.Fatalf("Primary %q", got)
	}
}

// Without OptimizeEnumeration OMI answers empty Items and a live
// context; without MaxElements it sends one item at a time.
func TestOMIUnoptimizedAndDefaultBatch(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	nsSel := sel("__cimnamespace", "root/cimv2")
	r := post(t, s, envelope(actionEnumerate, dmtfSvcURI, nsSel, `<n:Enumerate/>`))
	resp := r.bodyElem(t)
	ctx := resp.child(nsEnumeration, "EnumerationContext").text()
	if resp.child(nsWSMan, "Items") == nil || len(items(t, resp)) != 0 || ctx == "" {
		t.Fatalf("want empty Items and a context: %s", r.body)
	}
	seen := 0
	for i := 0; i < 20; i++ {
		r = post(t, s, envelope(actionPull, dmtfSvcURI, nsSel, `<n:Pull><n:EnumerationContext>`+ctx+`</n:EnumerationContext></n:Pull>`))
		resp = r.bodyElem(t)
		if n := len(items(t, resp)); n != 1 {
			t.Fatalf("Pull without MaxElements gave %d items", n)
		}
		seen++
		if resp.child(nsEnumeration, "EndOfSequence") != nil {
			break
		}
		ctx = resp.child(nsEnumeration, "EnumerationContext").text()
	}
	if seen != 8 {
		t.Fatalf("pulled %d services, want 8", seen)
	}
	r = post(t, s, envelope(actionEnumerate, dmtfSvcURI, nsSel, `<n:Enumerate><w:OptimizeEnumeration/></n:Enumerate>`))
	if n := len(items(t, r.bodyElem(t))); n != 1 {
		t.Fatalf("optimized Enumerate without MaxElements gave %d items, want 1", n)
	}
}

// OMI repeats the request's Action, names the output after the method and
// lists ReturnValue first.
func TestOMIInvokeShape(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	uri := prefixDMTFClass + "Win32_Process"
	r := post(t, s, envelope(uri+"/Create", uri, sel("__cimnamespace", "root/cimv2"),
		`<p0:Create_INPUT xmlns:p0="`+uri+`"><p0:CommandLine>calc.exe</p0:CommandLine></p0:Create_INPUT>`))
	if r.headerText("Action") != uri+"/Create" {
		t.Fatalf("Action %q", r.headerText("Action"))
	}
	out := r.bodyElem(t)
	if out.Name.Local != "Create" || out.Name.Space != uri || len(out.Children) != 2 ||
		out.Children[0].Name.Local != "ReturnValue" || propText(out, "ProcessId") != "4000" {
		t.Fatalf("output: %s", r.body)
	}
	if !bytes.Contains(r.body, []byte("\n>\n<p:ReturnValue>0</p:ReturnValue>\n")) {
		t.Fatalf("OMI line breaks missing: %s", r.body)
	}
}

func TestOMIFaultShape(t *testing.T) {
	s := NewServer(t, Options{Dialect: OMI})
	r := post(t, s, envelope(actionGet, dmtfSvcURI, sel("__cimnamespace", "root/cimv2")+sel("Name", "nope"), ""))
	want, _ := parseXML(readFixture(t, "omi_fault_InternalError_get_instance.xml"))
	if r.status != 500 || r.subcode() != "wsman:InvalidSelectors" {
		t.Fatalf("HTTP %d %q", r.status, r.subcode())
	}
	if r.headerText("Action") != want.child(nsSOAP, "Header").child(nsAddressing, "Action").text() {
		t.Fatalf("fault Action %q", r.headerText("Action"))
	}
	oe := r.bodyElem(t).child(nsSOAP, "Detail").child("", "OMI_Error")
	if propText(oe, "CIMStatusCode") != "6" {
		t.Fatalf("OMI_Error: %s", r.body)
	}
	// OMI writes control characters as character references.
	r = post(t, s, envelope(actionGet, prefixDMTFClass+"Cimsh_ValueKinds", sel("__cimnamespace", "root/cimv2")+sel("Id", "control"), ""))
	if !bytes.Contains(r.body, []byte("bell&#7; escape&#27; end")) {
		t.Fatalf("control characters: %s", r.body)
	}
	s2 := NewServer(t, Options{})
	r = post(t, s2, envelope(actionGet, prefixDMTFClass+"Cimsh_ValueKinds", sel("__cimnamespace", "root/cimv2")+sel("Id", "control"), ""))
	if !strings.Contains(string(r.body), "bell? escape? end") {
		t.Fatalf("Windows control characters: %s", r.body)
	}
}

// omiUnbroken drops the line breaks OMI writes between the elements of
// an instance ("\n>\n" after a start tag's attributes, "\n" between
// elements): markup a client would send back without them.
func omiUnbroken(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\n>\n"), []byte(">"))
	return bytes.ReplaceAll(b, []byte(">\n<"), []byte("><"))
}

// OMI cannot parse indentation inside Create and Put bodies or an
// association filter: HTTP 500 with no body (indent.go). It accepts it
// in the OptionSet, the Enumerate body and the Invoke body, as its own
// protocol tests send them. Windows accepts it everywhere.
func TestOMIRefusesIndentation(t *testing.T) {
	instance := func(indent string) string {
		return indent + `<p:Cimsh_ValueKinds xmlns:p="` + kindsURI + `">` + indent + `<p:Id>indented</p:Id>` +
			indent + `<p:Str>x</p:Str>` + "\n" + `</p:Cimsh_ValueKinds>` + "\n"
	}
	assocFilter := func(indent string) string {
		return enumBody(100, `<w:Filter Dialect="`+dialectAssociation+`">`+indent+`<b:AssociatedInstances>`+indent+`<b:Object><a:Address>`+anonymous+
			`</a:Address><a:ReferenceParameters><w:ResourceURI>`+dmtfSvcURI+`</w:ResourceURI><w:SelectorSet>`+cimv2Sel+sel("Name", "RpcSs")+
			`</w:SelectorSet></a:ReferenceParameters></b:Object>`+indent+`<b:AssociationClassName>Win32_DependentService</b:AssociationClassName>`+
			indent+`</b:AssociatedInstances>`+indent+`</w:Filter>`)
	}
	indentedOptions := "<w:OptionSet>\n  <w:Option Name=\"msftwinrm:UsePreciseArrays\" Type=\"xs:boolean\">true</w:Option>\n</w:OptionSet>"
	cases := []struct {
		name, where string
		req         []byte
	}{
		{"create", "the Create body", envelope(actionCreate, kindsURI, cimv2Sel, instance("\n  "))},
		{"put", "the Put body", envelope(actionPut, kindsURI, cimv2Sel+sel("Id", "all"),
			instance("\n")[1:])}, // line breaks inside only
		{"association filter", "the association filter", envelope(actionEnumerate, allClassesDMTF, cimv2Sel, assocFilter("\n    "))},
		{"option set", "", envelope(actionGet, dmtfSvcURI, cimv2Sel+sel("Name", "WinRM"), "", indentedOptions)},
		{"enumerate body", "", envelope(actionEnumerate, dmtfSvcURI, cimv2Sel,
			"\n<n:Enumerate>\n  <w:OptimizeEnumeration/>\n  <w:MaxElements>100</w:MaxElements>\n</n:Enumerate>\n")},
		{"invoke body", "", envelope(prefixDMTFClass+"Win32_Process/Create", prefixDMTFClass+"Win32_Process", cimv2Sel,
			"\n<p0:Create_INPUT xmlns:p0=\""+prefixDMTFClass+"Win32_Process\">\n  <p0:CommandLine>calc.exe</p0:CommandLine>\n</p0:Create_INPUT>\n")},
	}
	for _, d := range []Dialect{Windows, OMI} {
		for _, tc := range cases {
			t.Run(d.String()+"/"+tc.name, func(t *testing.T) {
				s := NewServer(t, Options{Dialect: d})
				if tc.name == "put" {
					// The instance to replace exists: the fixture's "all".
					tc.req = bytes.Replace(tc.req, []byte("<p:Id>indented</p:Id>"), []byte("<p:Id>all</p:Id>"), 1)
				}
				r := post(t, s, tc.req)
				l := s.Requests()
				refused := d == OMI && tc.where != ""
				if refused {
					if r.status != 500 || len(r.body) != 0 || l[0].Refused != "indentation in "+tc.where {
						t.Fatalf("HTTP %d %q, logged %q: want an empty 500 for indentation in %s", r.status, r.body, l[0].Refused, tc.where)
					}
					// The same request without the indentation passes.
					flat := bytes.ReplaceAll(bytes.ReplaceAll(tc.req, []byte("\n    "), nil), []byte("\n  "), nil)
					flat = bytes.ReplaceAll(flat, []byte("\n"), nil)
					if r := post(t, s, flat); r.status != 200 {
						t.Fatalf("unindented: HTTP %d %s", r.status, r.body)
					}
					return
				}
				if r.status != 200 || l[0].Refused != "" {
					t.Fatalf("HTTP %d (refused %q): %s", r.status, l[0].Refused, r.body)
				}
			})
		}
	}
}

// The OMI dialect names an Invoke's output as Options.OMIInvokeOutput
// says, with the request's Action repeated in every case.
func TestOMIInvokeOutputNames(t *testing.T) {
	uri := prefixDMTFClass + "Win32_Process"
	for o, want := range map[OMIOutput]string{OMIOutputMethod: "Create", OMIOutputMethodOUTPUT: "Create_OUTPUT", OMIOutputClassOUTPUT: "Win32_Process_OUTPUT"} {
		s := NewServer(t, Options{Dialect: OMI, OMIInvokeOutput: o})
		r := post(t, s, envelope(uri+"/Create", uri, cimv2Sel,
			`<p0:Create_INPUT xmlns:p0="`+uri+`"><p0:CommandLine>calc.exe</p0:CommandLine></p0:Create_INPUT>`))
		out := r.bodyElem(t)
		if r.headerText("Action") != uri+"/Create" || out.Name.Local != want || out.Name.Space != uri || propText(out, "ProcessId") != "4000" {
			t.Fatalf("output %d: want %s: %s", o, want, r.body)
		}
	}
}
