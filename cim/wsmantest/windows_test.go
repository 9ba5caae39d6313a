package wsmantest

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
)

const (
	wqlURI     = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*"
	wmiOSURI   = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem"
	wmiDiskURI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_LogicalDisk"
	dmtfSvcURI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Win32_Service"
)

// asFixtureMachine lists the replacements that turn the Windows captures
// into what the fixture serves: one machine, named WSMANTEST, with 4 GB
// and the fixture's processes (the captures come from two small EC2
// instances).
func asFixtureMachine() []string {
	n := strconv.Itoa
	return []string{
		">AMAZONA-SDFU7B1<", ">WSMANTEST<",
		"TotalVisibleMemorySize>629364<", "TotalVisibleMemorySize>" + n(fixtureMemoryKB) + "<",
		"TotalVirtualMemorySize>9017972<", "TotalVirtualMemorySize>" + n(fixtureMemoryKB+8388608) + "<",
		"NumberOfProcesses>38<", "NumberOfProcesses>5<",
	}
}

// asFixtureMemory adds the free memory of the select * capture.
func asFixtureMemory() []string {
	n := strconv.Itoa
	return append(asFixtureMachine(),
		"FreePhysicalMemory>43588<", "FreePhysicalMemory>"+n(fixtureFreeKB)+"<",
		"FreeVirtualMemory>8366496<", "FreeVirtualMemory>"+n(fixtureFreeKB+8382164)+"<")
}

func wqlRequest(t *testing.T, wql string) []byte {
	return readFixture(t, "request_template_enumerate_wql.xml",
		"{resource_uri}", wqlURI, "{envelope_size}", "512000", "{wql}", wql)
}

// The unauthenticated Identify answer is byte for byte the captured one.
func TestIdentifyUnauthenticatedMatchesCapture(t *testing.T) {
	s := NewServer(t, Options{BasicUsers: map[string]string{"u": "p"}})
	want := readFixture(t, "win_identify_response_unauthenticated.xml")
	want = bytes.TrimSpace(want[bytes.Index(want, []byte("-->"))+3:])
	r := post(t, s, []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`),
		"WSMANIDENTIFY", "unauthenticated")
	if r.status != 200 || !bytes.Equal(r.body, want) {
		t.Fatalf("HTTP %d\n got: %s\nwant: %s", r.status, r.body, want)
	}
	// Without the header the same request needs credentials.
	r = post(t, s, []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`))
	if r.status != 401 {
		t.Fatalf("Identify without credentials: HTTP %d, want 401", r.status)
	}
}

// A WQL select * enumeration answers exactly the captured Windows 2012
// envelope (message ids aside).
func TestEnumerateWQLStarMatchesCapture(t *testing.T) {
	s := NewServer(t, Options{})
	r := post(t, s, wqlRequest(t, "select * from Win32_OperatingSystem"))
	if r.status != 200 {
		t.Fatalf("HTTP %d: %s", r.status, r.body)
	}
	want, err := parseXML(readFixture(t, "win2012_enumerate_wql_star_Win32_OperatingSystem_response.xml", asFixtureMemory()...))
	if err != nil {
		t.Fatal(err)
	}
	got, want2 := canon(r.root, ignoreIDs()), canon(want, ignoreIDs())
	if got != want2 {
		t.Fatalf("shape differs from the capture at %s", diffLines(got, want2))
	}
}

// A WQL property list answers w:XmlFragment items like the capture.
func TestEnumerateWQLPropertyListMatchesCapture(t *testing.T) {
	s := NewServer(t, Options{})
	want, err := parseXML(readFixture(t, "win2012_enumerate_wql_proplist_Win32_OperatingSystem_response_xmlfragment.xml", asFixtureMachine()...))
	if err != nil {
		t.Fatal(err)
	}
	frag := items(t, want.child(nsSOAP, "Body").Children[0])[0]
	var names []string
	for _, c := range frag.Children {
		names = append(names, c.Name.Local)
	}
	r := post(t, s, wqlRequest(t, "select "+strings.Join(names, ", ")+" from Win32_OperatingSystem"))
	// The capture was taken a moment after the select * one: three
	// volatile values differ.
	ignore := ignoreIDs("FreePhysicalMemory", "FreeVirtualMemory", "LocalDateTime")
	got, w := canon(r.root, ignore), canon(want, ignore)
	if got != w {
		t.Fatalf("shape differs from the capture at %s", diffLines(got, w))
	}
}

// Win32_LogicalDisk one at a time: the Enumerate carries C: and a live
// context, the Pull carries D: with EndOfSequence, as captured on 2008.
func TestEnumeratePullMatchesCapture(t *testing.T) {
	s := NewServer(t, Options{})
	req := bytes.Replace(wqlRequest(t, "select * from Win32_LogicalDisk"), []byte("<w:MaxElements>32000</w:MaxElements>"), []byte("<w:MaxElements>1</w:MaxElements>"), 1)
	r := post(t, s, req)
	want, _ := parseXML(readFixture(t, "win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml", ">AMAZONA-Q2R281F<", ">WSMANTEST<"))
	ignore := ignoreIDs("EnumerationContext")
	if got, w := canon(r.root, ignore), canon(want, ignore); got != w {
		t.Fatalf("Enumerate differs from the capture at %s", diffLines(got, w))
	}
	ctx := r.bodyElem(t).child(nsEnumeration, "EnumerationContext").text()
	if !strings.HasPrefix(ctx, "uuid:") {
		t.Fatalf("EnumerationContext %q, want a live uuid", ctx)
	}
	if n := s.Counters().Enumerations; n != 1 {
		t.Fatalf("open enumerations %d, want 1", n)
	}
	pull := readFixture(t, "request_template_pull.xml", "{resource_uri}", wqlURI, "{envelope_size}", "512000", "{enumeration_context}", ctx)
	r = post(t, s, pull)
	want, _ = parseXML(readFixture(t, "win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml", ">AMAZONA-Q2R281F<", ">WSMANTEST<"))
	if got, w := canon(r.root, ignoreIDs()), canon(want, ignoreIDs()); got != w {
		t.Fatalf("Pull differs from the capture at %s", diffLines(got, w))
	}
	if n := s.Counters().Enumerations; n != 0 {
		t.Fatalf("open enumerations after EndOfSequence %d, want 0", n)
	}
	// The finished context is gone.
	r = post(t, s, pull)
	if r.status != 500 || r.subcode() != "n:InvalidEnumerationContext" {
		t.Fatalf("Pull on a finished context: HTTP %d %q", r.status, r.subcode())
	}
}

// The MS-WSMV Win32_Process Create example gets the documented answer.
func TestInvokeCreateMatchesSpecExample(t *testing.T) {
	s := NewServer(t, Options{})
	r := post(t, s, readFixture(t, "mswsmv_4.1.4_invoke_Win32_Process_Create_request.xml"))
	if r.status != 200 {
		t.Fatalf("HTTP %d: %s", r.status, r.body)
	}
	want, _ := parseXML(readFixture(t, "mswsmv_4.1.4_invoke_Win32_Process_Create_response.xml"))
	// The spec example has mustUnderstand attributes Windows does not
	// send, and no xsi or cim declarations; compare the meaningful parts.
	if got := r.headerText("Action"); got != want.child(nsSOAP, "Header").child(nsAddressing, "Action").text() {
		t.Fatalf("Action %q", got)
	}
	if got, w := canon(r.bodyElem(t), nil), canon(want.child(nsSOAP, "Body").Children[0], nil); got != w {
		t.Fatalf("body differs at %s", diffLines(got, w))
	}
	// The process exists now.
	r = post(t, s, wqlRequest(t, "select Name, CommandLine from Win32_Process where ProcessId = 4000"))
	it := items(t, r.bodyElem(t))
	if len(it) != 1 || propText(it[0], "CommandLine") != "notepad.exe" || propText(it[0], "Name") != "notepad.exe" {
		t.Fatalf("created process: %s", r.body)
	}
}

// Get by selectors: names and values match whatever their case, and the
// answer has the captured GetResponse shape with p:ActivityId.
func TestGetLogicalDiskShape(t *testing.T) {
	s := NewServer(t, Options{})
	r := post(t, s, envelope(actionGet, "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_logicaldisk", sel("DeviceId", "c:"), ""))
	if r.status != 200 {
		t.Fatalf("HTTP %d: %s", r.status, r.body)
	}
	want, _ := parseXML(readFixture(t, "win_get_Win32_LogicalDisk_response_with_ActivityId.xml"))
	// Values differ (another machine); compare names and nils.
	valueless := func(n *node) bool { return n.Name.Space != nsSOAP && len(n.Children) == 0 }
	if got, w := canon(r.root, valueless), canon(want, valueless); got != w {
		t.Fatalf("shape differs from the capture at %s", diffLines(got, w))
	}
	inst := r.bodyElem(t)
	if propText(inst, "DeviceID") != "C:" || propText(inst, "FreeSpace") != "9769496576" {
		t.Fatalf("wrong disk: %s", r.body)
	}
}

func TestWindowsFaults(t *testing.T) {
	s := NewServer(t, Options{ComputerName: "HOST1"})
	cases := []struct {
		name, subcode, action, wsmanCode, cimStatus string
		body                                        []byte
	}{
		{"no such class (spec example)", "a:DestinationUnreachable", actionFaultAddressing, "2150858752", "5",
			readFixture(t, "mswsmv_4.10_get_request_nosuchclass.xml")},
		{"bad WQL class", "n:CannotProcessFilter", actionFaultEnumeration, "2150858778", "5",
			wqlRequest(t, `Select * from Win32_Processa where name="sshd.exe"`)},
		{"WQL syntax", "n:CannotProcessFilter", actionFaultEnumeration, "2150858778", "15",
			wqlRequest(t, "select from where")},
		{"no such instance", "w:InvalidSelectors", actionFaultWSMan, "2150858843", "6",
			envelope(actionGet, dmtfSvcURI, sel("__cimnamespace", "root/cimv2")+sel("Name", "NoSuchService"), "")},
		{"unknown selector", "w:InvalidSelectors", actionFaultWSMan, "2150858843", "",
			envelope(actionGet, dmtfSvcURI, sel("__cimnamespace", "root/cimv2")+sel("Nom", "WinRM"), "")},
		{"default namespace is root/hardware", "a:DestinationUnreachable", actionFaultAddressing, "2150858752", "3",
			envelope(actionGet, dmtfSvcURI, sel("Name", "WinRM"), "")},
		{"unknown action", "a:ActionNotSupported", actionFaultAddressing, "2150858771", "",
			envelope("http://example.com/NoSuchAction", dmtfSvcURI, "", "")},
		{"unknown method", "a:ActionNotSupported", actionFaultAddressing, "2150858771", "17",
			envelope(dmtfSvcURI+"/Explode", dmtfSvcURI, sel("__cimnamespace", "root/cimv2")+sel("Name", "WinRM"), `<p:Explode_INPUT xmlns:p="`+dmtfSvcURI+`"/>`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, s, tc.body)
			if r.status != 500 || r.subcode() != tc.subcode || r.headerText("Action") != tc.action {
				t.Fatalf("HTTP %d subcode %q action %q: %s", r.status, r.subcode(), r.headerText("Action"), r.body)
			}
			detail := r.bodyElem(t).child(nsSOAP, "Detail")
			wf := detail.child(nsWSManFault, "WSManFault")
			if code, _ := wf.attr("", "Code"); code != tc.wsmanCode {
				t.Fatalf("WSManFault Code %q, want %s", code, tc.wsmanCode)
			}
			if m, _ := wf.attr("", "Machine"); m != "HOST1" {
				t.Fatalf("Machine %q", m)
			}
			status := "<missing>"
			if pf := wf.child(nsWSManFault, "Message").child(nsWSManFault, "ProviderFault"); pf != nil {
				status = propText(pf.child(nsWSManFault, "ExtendedError").child("", "MSFT_WmiError"), "CIMStatusCode")
			}
			if tc.cimStatus != "" && status != tc.cimStatus {
				t.Fatalf("CIMStatusCode %s, want %s: %s", status, tc.cimStatus, r.body)
			}
		})
	}
}

// Windows marks a NULL array IsNullArray="true" (in the Microsoft wsman
// namespace) for a client that asked for msftwinrm:UsePreciseArrays,
// as PowerShell and cimsh do in the DMTF form; otherwise a NULL array is
// one nil element, as for a scalar.
func TestWindowsIsNullArray(t *testing.T) {
	s := NewServer(t, Options{})
	precise := `<w:OptionSet><w:Option Name="msftwinrm:UsePreciseArrays" Type="xs:boolean">true</w:Option></w:OptionSet>`
	for _, tc := range []struct {
		headers []string
		marked  bool
	}{{nil, false}, {[]string{precise}, true}} {
		r := post(t, s, envelope(actionGet, kindsURI, cimv2Sel+sel("Id", "all"), "", tc.headers...))
		na := r.bodyElem(t).child("", "NullArray")
		if na == nil || !na.isNil() {
			t.Fatalf("NullArray: %s", r.body)
		}
		v, ok := na.attr(nsWSManMS, "IsNullArray")
		if marked := ok && v == "true"; marked != tc.marked {
			t.Errorf("UsePreciseArrays %v: IsNullArray %q (%v)", tc.marked, v, ok)
		}
		if ns := r.bodyElem(t).child("", "NullStr"); ns == nil || !ns.isNil() {
			t.Errorf("NullStr: %s", r.body)
		} else if _, ok := ns.attr(nsWSManMS, "IsNullArray"); ok {
			t.Errorf("a NULL scalar marked IsNullArray")
		}
	}
}
