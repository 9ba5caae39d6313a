package wsmantest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

const kindsURI = prefixDMTFClass + "Cimsh_ValueKinds"

var cimv2Sel = sel("__cimnamespace", "root/cimv2")

// decodeBody decodes the instance in a reply with the server's schema.
func decodeBody(t *testing.T, s *Server, r reply, class string) *model.Instance {
	t.Helper()
	inst, err := s.decodeInstance(context.Background(), r.bodyElem(t), s.class(context.Background(), "root/cimv2", class), "root/cimv2", 0)
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, r.body)
	}
	return inst
}

// Every value kind survives Get, and Put of the very bytes Get sent
// leaves the instance byte for byte the same, in both dialects.
func TestValueKindsRoundTrip(t *testing.T) {
	for _, d := range []Dialect{Windows, OMI} {
		t.Run(d.String(), func(t *testing.T) {
			s := NewServer(t, Options{Dialect: d})
			get := envelope(actionGet, kindsURI, cimv2Sel+sel("Id", "all"), "")
			r := post(t, s, get, "User-Agent", winrmUserAgent)
			if r.status != 200 {
				t.Fatalf("HTTP %d: %s", r.status, r.body)
			}
			got := decodeBody(t, s, r, "Cimsh_ValueKinds")
			want := KindsValues()
			for _, p := range want.All() {
				v, ok := got.Get(p.Name)
				if p.Name == "EmptyArray" {
					if ok {
						t.Errorf("an empty array was sent: %v", v)
					}
					continue
				}
				if !ok || !model.Equal(v, p.Value) {
					t.Errorf("%s: got %v (%v), want %v", p.Name, v, ok, p.Value)
				}
			}
			for _, lit := range []string{">18446744073709551615<", ">-9223372036854775808<", ">65<", "&lt;tag attr=\"v\"&gt; &amp; 'quotes' Grüße ✓"} {
				if !bytes.Contains(r.body, []byte(lit)) {
					t.Errorf("body lacks %s", lit)
				}
			}
			if d == OMI && !bytes.Contains(r.body, []byte(`xsi:type="cim:cimBase64Binary">AAEC/v8=<`)) {
				t.Errorf("OMI octets not base64: %s", r.body)
			}
			// Put back what Get sent (for OMI without the line breaks
			// it writes between elements, which it refuses in a Put).
			body := r.body[bytes.Index(r.body, []byte("<p:Cimsh_ValueKinds")) : bytes.LastIndex(r.body, []byte("</p:Cimsh_ValueKinds>"))+len("</p:Cimsh_ValueKinds>")]
			if d == OMI {
				body = omiUnbroken(body)
			}
			put := envelope(actionPut, kindsURI, cimv2Sel+sel("Id", "all"), string(body))
			if d == OMI {
				// OMI declares xsi and cim on its envelope.
				put = bytes.Replace(put, []byte("<s:Envelope "), []byte(`<s:Envelope xmlns:xsi="`+nsXSI+`" xmlns:cim="`+nsCIMCommon+`" xmlns:wsa="`+nsAddressing+`" xmlns:wsman="`+nsWSMan+`" `), 1)
			}
			pr := post(t, s, put, "User-Agent", winrmUserAgent)
			if pr.status != 200 || pr.headerText("Action") != nsTransfer+"/PutResponse" {
				t.Fatalf("Put: HTTP %d: %s", pr.status, pr.body)
			}
			r2 := post(t, s, get, "User-Agent", winrmUserAgent)
			b2 := r2.body[bytes.Index(r2.body, []byte("<p:Cimsh_ValueKinds")):]
			if d == OMI {
				b2 = omiUnbroken(b2)
			}
			if !bytes.Equal(body, b2[:len(body)]) {
				t.Fatalf("instance changed by its own Put:\n%s\n%s", body, b2)
			}
		})
	}
}

func TestPutLogicalDiskVolumeName(t *testing.T) {
	s := NewServer(t, Options{})
	get := envelope(actionGet, wmiDiskURI, sel("DeviceID", "D:"), "")
	r := post(t, s, get)
	body := strings.Replace(string(r.body[bytes.Index(r.body, []byte("<p:Win32_LogicalDisk")):bytes.Index(r.body, []byte("</s:Body>"))]),
		"<p:VolumeName>New Volume</p:VolumeName>", "<p:VolumeName>Data &amp; Logs</p:VolumeName>", 1)
	r = post(t, s, envelope(actionPut, wmiDiskURI, sel("DeviceID", "D:"), body))
	if r.status != 200 || propText(r.bodyElem(t), "VolumeName") != "Data & Logs" {
		t.Fatalf("Put: HTTP %d %s", r.status, r.body)
	}
	r = post(t, s, get)
	if propText(r.bodyElem(t), "VolumeName") != "Data & Logs" {
		t.Fatalf("after Put: %s", r.body)
	}
	// A read-only property cannot change.
	bad := strings.Replace(body, "<p:DriveType>3</p:DriveType>", "<p:DriveType>5</p:DriveType>", 1)
	r = post(t, s, envelope(actionPut, wmiDiskURI, sel("DeviceID", "D:"), bad))
	if r.status != 500 || r.subcode() != "w:AccessDenied" {
		t.Fatalf("read-only Put: HTTP %d %q", r.status, r.subcode())
	}
	// A malformed value is an InvalidRepresentation.
	bad = strings.Replace(body, "<p:DriveType>3</p:DriveType>", "<p:DriveType>three</p:DriveType>", 1)
	r = post(t, s, envelope(actionPut, wmiDiskURI, sel("DeviceID", "D:"), bad))
	if r.subcode() != "w:InvalidRepresentation" {
		t.Fatalf("bad value: %q", r.subcode())
	}
}

func TestCreateDelete(t *testing.T) {
	s := NewServer(t, Options{})
	body := `<p:Cimsh_ValueKinds xmlns:p="` + kindsURI + `"><p:Id>new</p:Id><p:U64>18446744073709551615</p:U64></p:Cimsh_ValueKinds>`
	r := post(t, s, envelope(actionCreate, kindsURI, cimv2Sel, body))
	rc := r.bodyElem(t)
	if r.status != 200 || !rc.is(nsTransfer, "ResourceCreated") {
		t.Fatalf("Create: HTTP %d %s", r.status, r.body)
	}
	ref, err := parseEPR(rc, 0)
	if err != nil || ref.ResourceURI != kindsURI || ref.Namespace != "root/cimv2" || len(ref.Selectors) != 1 || ref.Selectors[0].Value != "new" {
		t.Fatalf("ResourceCreated EPR %+v %v", ref, err)
	}
	r = post(t, s, envelope(actionCreate, kindsURI, cimv2Sel, body))
	if r.subcode() != "w:AlreadyExists" {
		t.Fatalf("second Create: %q", r.subcode())
	}
	r = post(t, s, envelope(actionDelete, kindsURI, cimv2Sel+sel("Id", "new"), ""))
	if r.status != 200 || r.headerText("Action") != nsTransfer+"/DeleteResponse" {
		t.Fatalf("Delete: HTTP %d %s", r.status, r.body)
	}
	r = post(t, s, envelope(actionGet, kindsURI, cimv2Sel+sel("Id", "new"), ""))
	if r.subcode() != "w:InvalidSelectors" {
		t.Fatalf("Get after Delete: %q", r.subcode())
	}
}

func TestServiceMethodsChangeState(t *testing.T) {
	s := NewServer(t, Options{})
	uri := prefixDMTFClass + "Win32_Service"
	call := func(method, name string) string {
		r := post(t, s, envelope(uri+"/"+method, uri, cimv2Sel+sel("Name", name), `<p:`+method+`_INPUT xmlns:p="`+uri+`"/>`))
		if r.status != 200 || r.headerText("Action") != uri+"/"+method+"Response" {
			t.Fatalf("%s: HTTP %d %s", method, r.status, r.body)
		}
		return propText(r.bodyElem(t), "ReturnValue")
	}
	state := func() string {
		r := post(t, s, envelope(actionGet, uri, cimv2Sel+sel("Name", "w32time"), ""))
		return propText(r.bodyElem(t), "State")
	}
	if rv := call("StartService", "W32Time"); rv != "0" || state() != "Running" {
		t.Fatalf("StartService %s, state %s", rv, state())
	}
	if rv := call("StartService", "W32Time"); rv != "10" {
		t.Fatalf("second StartService %s, want 10", rv)
	}
	if rv := call("StopService", "w32TIME"); rv != "0" || state() != "Stopped" {
		t.Fatalf("StopService %s, state %s", rv, state())
	}
	// An instance method without selectors is refused.
	r := post(t, s, envelope(uri+"/StopService", uri, cimv2Sel, `<p:StopService_INPUT xmlns:p="`+uri+`"/>`))
	if r.subcode() != "w:InvalidSelectors" {
		t.Fatalf("instance method without selectors: %q", r.subcode())
	}
}

func TestRegistryMethods(t *testing.T) {
	s := NewServer(t, Options{})
	uri := prefixWMI + "root/default/StdRegProv"
	call := func(method, args string) *node {
		r := post(t, s, envelope(uri+"/"+method, uri, "", `<p:`+method+`_INPUT xmlns:p="`+uri+`">`+args+`</p:`+method+`_INPUT>`))
		if r.status != 200 {
			t.Fatalf("%s: HTTP %d %s", method, r.status, r.body)
		}
		return r.bodyElem(t)
	}
	out := call("GetStringValue", `<p:hDefKey>2147483650</p:hDefKey><p:sSubKeyName>SOFTWARE\Microsoft\Windows NT\CurrentVersion</p:sSubKeyName><p:sValueName>ProductName</p:sValueName>`)
	if out.Name.Local != "GetStringValue_OUTPUT" || propText(out, "sValue") != "Windows Server 2012 Standard" || out.Children[len(out.Children)-1].Name.Local != "ReturnValue" {
		t.Fatalf("GetStringValue: %+v", propText(out, "sValue"))
	}
	out = call("EnumKey", `<p:sSubKeyName>SOFTWARE\Microsoft</p:sSubKeyName>`)
	names := out.childrenNamed("", "sNames")
	if len(names) != 2 || names[0].text() != "Windows" || names[1].text() != "Windows NT" {
		t.Fatalf("EnumKey: %d names", len(names))
	}
	call("SetStringValue", `<p:sSubKeyName>SOFTWARE\cimsh\Test</p:sSubKeyName><p:sValueName>Mood</p:sValueName><p:sValue>&lt;calm&gt;</p:sValue>`)
	out = call("GetStringValue", `<p:sSubKeyName>software\CIMSH\test</p:sSubKeyName><p:sValueName>mood</p:sValueName>`)
	if propText(out, "sValue") != "<calm>" || propText(out, "ReturnValue") != "0" {
		t.Fatalf("after SetStringValue: %q", propText(out, "sValue"))
	}
	out = call("GetStringValue", `<p:sSubKeyName>SOFTWARE\none</p:sSubKeyName><p:sValueName>x</p:sValueName>`)
	if propText(out, "ReturnValue") != "1" || out.child("", "sValue") != nil && !out.child("", "sValue").isNil() {
		t.Fatalf("missing value: %s", canon(out, nil))
	}
	// Unknown parameter.
	r := post(t, s, envelope(uri+"/EnumKey", uri, "", `<p:EnumKey_INPUT xmlns:p="`+uri+`"><p:Bogus>1</p:Bogus></p:EnumKey_INPUT>`))
	if r.status != 500 || r.subcode() != "w:InternalError" {
		t.Fatalf("unknown parameter: HTTP %d %q", r.status, r.subcode())
	}
}

func TestGetClassCIMXML(t *testing.T) {
	s := NewServer(t, Options{})
	req := readFixture(t, "win2016_cimsession_03_Req_schema.xml", "Win32_DiskDrive", "Win32_Service")
	r := post(t, s, req)
	cl := r.bodyElem(t)
	if r.status != 200 || cl.Name.Local != "CLASS" || cl.Name.Space != "" {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	if n, _ := cl.attr("", "NAME"); n != "Win32_Service" {
		t.Fatalf("NAME %q", n)
	}
	if d, _ := cl.attr("", "DERIVATION"); d != "Win32_BaseService" {
		t.Fatalf("DERIVATION %q", d)
	}
	var nameProp, started *node
	for _, p := range cl.childrenNamed("", "PROPERTY") {
		switch n, _ := p.attr("", "NAME"); n {
		case "Name":
			nameProp = p
		case "Started":
			started = p
		}
	}
	if nameProp == nil || started == nil {
		t.Fatalf("properties missing: %s", r.body)
	}
	if o, _ := started.attr("", "CLASSORIGIN"); o != "Win32_BaseService" {
		t.Fatalf("CLASSORIGIN %q", o)
	}
	if ty, _ := started.attr("", "TYPE"); ty != "boolean" {
		t.Fatalf("TYPE %q", ty)
	}
	q := nameProp.child("", "QUALIFIER")
	if n, _ := q.attr("", "NAME"); n != "key" || q.child("", "VALUE").text() != "TRUE" {
		t.Fatalf("key qualifier: %s", canon(nameProp, nil))
	}
	if len(cl.childrenNamed("", "METHOD")) != 3 {
		t.Fatalf("methods: %s", r.body)
	}
	// Class enumeration on the same URI.
	r = post(t, s, envelope(actionEnumerate, classSchemaURI, sel("__cimnamespace", "root/default"),
		`<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>100</w:MaxElements></n:Enumerate>`))
	its := items(t, r.bodyElem(t))
	if len(its) != 1 || its[0].Name.Local != "CLASS" {
		t.Fatalf("class enumeration: %s", r.body)
	}
	// Unknown class.
	r = post(t, s, readFixture(t, "win2016_cimsession_03_Req_schema.xml", "Win32_DiskDrive", "Win32_Nope"))
	if r.subcode() != "a:DestinationUnreachable" {
		t.Fatalf("unknown class: %q", r.subcode())
	}
}

// The classes the bundled inventory scripts read answer their queries.
func TestInventoryQueries(t *testing.T) {
	s := NewServer(t, Options{})
	cases := []struct {
		query, prop, want string
	}{
		{"SELECT * FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled = TRUE", "MACAddress", "0A:1B:2C:3D:4E:5F"},
		{"SELECT Name, DisplayName, State, StartMode, ExitCode FROM Win32_Service WHERE StartMode = 'Auto' AND State <> 'Running'", "Name", "MapsBroker"},
		{"SELECT * FROM Win32_BIOS", "SMBIOSBIOSVersion", "1.0"},
		{"SELECT * FROM Win32_ComputerSystemProduct", "Vendor", "Amazon EC2"},
		{"SELECT * FROM Win32_Processor", "NumberOfLogicalProcessors", "2"},
		{"SELECT * FROM Win32_LogicalDisk WHERE DriveType = 3 AND DeviceID = 'D:'", "VolumeName", "New Volume"},
		{"SELECT HotFixID FROM Win32_QuickFixEngineering WHERE HotFixID = 'KB3172729'", "HotFixID", "KB3172729"},
		{"SELECT Name, Vendor FROM Win32_Product WHERE Name LIKE '7-Zip%'", "Vendor", "Igor Pavlov"},
		{"SELECT Name FROM Win32_ComputerSystem", "Name", "WSMANTEST"},
	}
	for _, tc := range cases {
		q := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(tc.query)
		r := post(t, s, envelope(actionEnumerate, wqlURI, "", enumBody(100, `<w:Filter Dialect="`+dialectWQL+`">`+q+`</w:Filter>`)))
		if r.status != 200 {
			t.Errorf("%s: HTTP %d %s", tc.query, r.status, r.subcode())
			continue
		}
		its := items(t, r.bodyElem(t))
		if len(its) != 1 || propText(its[0], tc.prop) != tc.want {
			t.Errorf("%s: %d items, %s = %q", tc.query, len(its), tc.prop, propText(its[0], tc.prop))
		}
	}
	nic := post(t, s, envelope(actionEnumerate, wqlURI, "", enumBody(100, `<w:Filter Dialect="`+dialectWQL+`">SELECT * FROM Win32_NetworkAdapterConfiguration WHERE IPEnabled = TRUE</w:Filter>`)))
	if ips := items(t, nic.bodyElem(t))[0].childrenNamed("", "IPAddress"); len(ips) != 2 {
		t.Errorf("IPAddress elements %d", len(ips))
	}
	// Win32_InstalledWin32Program is missing, so the script falls back.
	r := post(t, s, envelope(actionEnumerate, wqlURI, "", enumBody(100, `<w:Filter Dialect="`+dialectWQL+`">SELECT * FROM Win32_InstalledWin32Program</w:Filter>`)))
	if r.subcode() != "n:CannotProcessFilter" {
		t.Errorf("Win32_InstalledWin32Program: %q", r.subcode())
	}
}
