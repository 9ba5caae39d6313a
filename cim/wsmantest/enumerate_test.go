package wsmantest

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func enumBody(maxElements int, extra string) string {
	return `<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>` + itoa(maxElements) + `</w:MaxElements>` + extra + `</n:Enumerate>`
}

func itemNames(t *testing.T, its []*node, prop string) []string {
	var out []string
	for _, it := range its {
		if it.Name.Local == "Item" {
			it = it.Children[0]
		}
		out = append(out, propText(it, prop))
	}
	return out
}

// The OMI test1 request (EnumerateObjectAndEPR over wscim/1/* with WQL)
// gets w:Item elements holding the instance and its EPR.
func TestEnumerateObjectAndEPR(t *testing.T) {
	for _, d := range []Dialect{Windows, OMI} {
		t.Run(d.String(), func(t *testing.T) {
			s := NewServer(t, Options{Dialect: d})
			req := readFixture(t, "omi_posthttp_test1_request.xml", "root/OMI", "root/cimv2",
				"select * from OMI_Identify", "select * from Win32_Service where State = 'Running'")
			r := post(t, s, req)
			its := items(t, r.bodyElem(t))
			if len(its) != 5 {
				t.Fatalf("%d items: %s", len(its), r.body)
			}
			for _, it := range its {
				if !it.is(nsWSMan, "Item") || len(it.Children) != 2 || !it.Children[1].is(nsAddressing, "EndpointReference") {
					t.Fatalf("item shape: %s", canon(it, nil))
				}
				ref, err := parseEPR(it.Children[1], 0)
				if err != nil || ref.ResourceURI != prefixDMTFClass+"Win32_Service" || ref.Namespace != "root/cimv2" ||
					len(ref.Selectors) != 1 || ref.Selectors[0].Value != propText(it.Children[0], "Name") {
					t.Fatalf("EPR %+v %v", ref, err)
				}
			}
		})
	}
}

func TestEnumerateEPROnly(t *testing.T) {
	s := NewServer(t, Options{})
	r := post(t, s, envelope(actionEnumerate, wmiDiskURI, "", enumBody(10, `<w:EnumerationMode>EnumerateEPR</w:EnumerationMode>`)))
	its := items(t, r.bodyElem(t))
	if len(its) != 2 || !its[0].is(nsAddressing, "EndpointReference") {
		t.Fatalf("%s", r.body)
	}
	ref, _ := parseEPR(its[1], 0)
	if ref.ResourceURI != wmiDiskURI || ref.Selectors[0].Name != "DeviceID" || ref.Selectors[0].Value != "D:" {
		t.Fatalf("EPR %+v", ref)
	}
}

// The MS-WSMV selector filter example, for stopped manual services.
func TestSelectorFilter(t *testing.T) {
	s := NewServer(t, Options{})
	req := readFixture(t, "mswsmv_4.9_enumerate_SelectorFilter_Win32_Service_request.xml", ">Auto<", ">manual<",
		"<wsen:Enumerate>", "<wsen:Enumerate><wsman:OptimizeEnumeration/><wsman:MaxElements>20</wsman:MaxElements>")
	r := post(t, s, req)
	got := strings.Join(itemNames(t, items(t, r.bodyElem(t)), "Name"), ",")
	if got != "BITS,W32Time" {
		t.Fatalf("selector filter gave %q: %s", got, r.body)
	}
}

// PowerShell's Get-CimAssociatedInstance request, filled in.
func TestAssociationFilter(t *testing.T) {
	s := NewServer(t, Options{})
	tmpl := string(readFixture(t, "win_ps_Get-CimAssociatedInstance_request_TEMPLATE.xml"))
	tmpl = tmpl[strings.Index(tmpl, "-->")+3:] // the comment mentions ~A too
	for _, v := range []string{"root/cimv2", "Win32_Service", "root/cimv2", "Win32_DependentService", "Win32_Service"} {
		tmpl = strings.Replace(tmpl, "~A", v, 1)
	}
	tmpl = strings.Replace(tmpl, `root/cimv2</w:Selector></w:SelectorSet></a:ReferenceParameters></b:Object>`,
		`root/cimv2</w:Selector><w:Selector Name="Name">RpcSs</w:Selector></w:SelectorSet></a:ReferenceParameters></b:Object>`, 1)
	r := post(t, s, []byte(tmpl))
	got := strings.Join(itemNames(t, items(t, r.bodyElem(t)), "Name"), ",")
	if got != "BITS,nsi,Spooler,WinRM" {
		t.Fatalf("associated services %q: %s", got, r.body)
	}
	// The same through WQL, and the association instances themselves.
	r = post(t, s, envelope(actionEnumerate, wqlURI, "", enumBody(100,
		`<w:Filter Dialect="`+dialectWQL+`">ASSOCIATORS OF {Win32_Service.Name="WinRM"} WHERE AssocClass = Win32_DependentService Role = Dependent</w:Filter>`)))
	if got := strings.Join(itemNames(t, items(t, r.bodyElem(t)), "Name"), ","); got != "RpcSs,nsi" {
		t.Fatalf("ASSOCIATORS OF gave %q: %s", got, r.body)
	}
	r = post(t, s, envelope(actionEnumerate, allClassesDMTF, cimv2Sel, enumBody(100, `<w:Filter Dialect="`+dialectAssociation+
		`"><b:AssociationInstances><b:Object><a:Address>`+anonymous+`</a:Address><a:ReferenceParameters><w:ResourceURI>`+dmtfSvcURI+
		`</w:ResourceURI><w:SelectorSet>`+cimv2Sel+sel("Name", "WinRM")+`</w:SelectorSet></a:ReferenceParameters></b:Object>`+
		`<b:ResultClassName>Win32_SystemServices</b:ResultClassName></b:AssociationInstances></w:Filter>`)))
	its := items(t, r.bodyElem(t))
	if len(its) != 1 || its[0].Name.Local != "Win32_SystemServices" {
		t.Fatalf("AssociationInstances: %s", r.body)
	}
	part, err := parseEPR(its[0].child("", "PartComponent"), 0)
	if err != nil || part.ClassName != "Win32_Service" || part.Selectors[0].Value != "WinRM" {
		t.Fatalf("PartComponent %+v %v", part, err)
	}
}

// Paging: the batch is the smaller of MaxElements, MaxBatch and what fits
// in the envelope; an item that alone does not fit is an EncodingLimit.
func TestPagingByBatchAndEnvelope(t *testing.T) {
	s := NewServer(t, Options{MaxBatch: 3})
	r := post(t, s, envelope(actionEnumerate, dmtfSvcURI, cimv2Sel, enumBody(100, "")))
	if n := len(items(t, r.bodyElem(t))); n != 3 {
		t.Fatalf("MaxBatch 3 gave %d items", n)
	}

	// Each service is about 1.3 KB: an envelope of 5000 bytes holds few.
	s = NewServer(t, Options{MaxEnvelopeSize: 5000})
	r = post(t, s, envelope(actionEnumerate, dmtfSvcURI, cimv2Sel, enumBody(100, "")))
	if r.status != 200 {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	resp := r.bodyElem(t)
	first := len(items(t, resp))
	if first < 1 || first >= 8 || len(r.body) > 5000 {
		t.Fatalf("%d items in %d bytes", first, len(r.body))
	}
	total := first
	ctx := resp.child(nsEnumeration, "EnumerationContext").text()
	for i := 0; i < 10 && ctx != ""; i++ {
		r = post(t, s, envelope(actionPull, dmtfSvcURI, cimv2Sel, `<n:Pull><n:EnumerationContext>`+ctx+`</n:EnumerationContext><n:MaxElements>100</n:MaxElements></n:Pull>`))
		if len(r.body) > 5000 {
			t.Fatalf("Pull response of %d bytes", len(r.body))
		}
		resp = r.bodyElem(t)
		total += len(items(t, resp))
		ctx = resp.child(nsEnumeration, "EnumerationContext").text()
	}
	if total != 8 {
		t.Fatalf("paged %d services, want 8", total)
	}
	// Win32_OperatingSystem does not fit in 4000 bytes at all.
	s = NewServer(t, Options{MaxEnvelopeSize: 4000})
	r = post(t, s, envelope(actionEnumerate, wmiOSURI, "", enumBody(1, "")))
	if r.status != 500 || r.subcode() != "w:EncodingLimit" {
		t.Fatalf("HTTP %d %q", r.status, r.subcode())
	}
	r = post(t, s, envelope(actionGet, wmiOSURI, sel("Name", `Microsoft Windows Server 2012 Standard|C:\Windows|\Device\Harddisk0\Partition2`), ""))
	if r.subcode() != "w:EncodingLimit" {
		t.Fatalf("Get over the limit: %q", r.subcode())
	}
	// A request MaxEnvelopeSize below 8192 is refused outright.
	small := bytes.Replace(envelope(actionGet, wmiDiskURI, sel("DeviceID", "C:"), ""), []byte(">512000<"), []byte(">4096<"), 1)
	if r = post(t, NewServer(t, Options{}), small); r.subcode() != "w:EncodingLimit" {
		t.Fatalf("MaxEnvelopeSize 4096: %q", r.subcode())
	}
}

func TestEnumerationContextLifecycle(t *testing.T) {
	s := NewServer(t, Options{EnumerationTimeout: 100 * time.Millisecond})
	start := func() string {
		r := post(t, s, envelope(actionEnumerate, dmtfSvcURI, cimv2Sel, enumBody(1, "")))
		return r.bodyElem(t).child(nsEnumeration, "EnumerationContext").text()
	}
	pull := func(ctx string) reply {
		return post(t, s, envelope(actionPull, dmtfSvcURI, cimv2Sel, `<n:Pull><n:EnumerationContext>`+ctx+`</n:EnumerationContext></n:Pull>`))
	}
	// Release ends it.
	ctx := start()
	r := post(t, s, envelope(actionRelease, dmtfSvcURI, cimv2Sel, `<n:Release><n:EnumerationContext>`+ctx+`</n:EnumerationContext></n:Release>`))
	if r.status != 200 || r.headerText("Action") != nsEnumeration+"/ReleaseResponse" {
		t.Fatalf("Release: HTTP %d %s", r.status, r.body)
	}
	if r = pull(ctx); r.subcode() != "n:InvalidEnumerationContext" {
		t.Fatalf("Pull after Release: %q", r.subcode())
	}
	// The log tells a request for a context the server holds from one
	// for a context it no longer does.
	log := s.Requests()
	if rel, late := log[len(log)-2], log[len(log)-1]; !rel.IsOperation("Release") || rel.UnknownContext || !late.IsOperation("Pull") || !late.UnknownContext {
		t.Fatalf("Release (unknown %v), then Pull (unknown %v)", rel.UnknownContext, late.UnknownContext)
	}
	// Idle contexts expire.
	ctx = start()
	if s.Counters().Enumerations != 1 {
		t.Fatal("context not counted")
	}
	time.Sleep(150 * time.Millisecond)
	if r = pull(ctx); r.subcode() != "n:InvalidEnumerationContext" {
		t.Fatalf("Pull after expiry: %q", r.subcode())
	}
	// And can be expired at will.
	ctx = start()
	if n := s.ExpireEnumerations(); n != 1 {
		t.Fatalf("ExpireEnumerations %d", n)
	}
	if r = pull(ctx); r.subcode() != "n:InvalidEnumerationContext" {
		t.Fatalf("Pull after ExpireEnumerations: %q", r.subcode())
	}
}

// Enumerating a class includes its subclasses' instances; a Shallow-less
// DMTF enumeration of an unknown class is DestinationUnreachable.
func TestEnumerateClassHierarchyAndErrors(t *testing.T) {
	s := NewServer(t, Options{})
	r := post(t, s, envelope(actionEnumerate, prefixDMTFClass+"Win32_BaseService", cimv2Sel, enumBody(100, "")))
	its := items(t, r.bodyElem(t))
	if len(its) != 8 || its[0].Name.Local != "Win32_Service" {
		t.Fatalf("base class enumeration: %d items", len(its))
	}
	r = post(t, s, envelope(actionEnumerate, prefixDMTFClass+"Win32_Nope", cimv2Sel, enumBody(100, "")))
	if r.subcode() != "a:DestinationUnreachable" {
		t.Fatalf("unknown class: %q", r.subcode())
	}
	r = post(t, s, envelope(actionEnumerate, wqlURI, "", enumBody(100, "")))
	if r.subcode() != "n:CannotProcessFilter" {
		t.Fatalf("/* without a filter: %q", r.subcode())
	}
	r = post(t, s, envelope(actionEnumerate, wqlURI, "", enumBody(100, `<w:Filter Dialect="http://example.com/xpath">x</w:Filter>`)))
	if r.subcode() != "w:UnsupportedFeature" {
		t.Fatalf("unknown dialect: %q", r.subcode())
	}
}
