package wsman

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// decodeBatch decodes an EnumerateResponse/PullResponse fixture, typing
// by the given schemas (nil: schema-less).
func decodeBatch(t *testing.T, body []byte, schemas map[string]*model.Class, fragClass string) *batch {
	t.Helper()
	d, se, ok, err := OpenBody(body)
	if err != nil || !ok {
		t.Fatalf("OpenBody: ok=%v err=%v", ok, err)
	}
	idec := &itemDecoder{namespace: "root/cimv2", fragClass: fragClass}
	if schemas != nil {
		idec.schema = func(class string) (*model.Class, error) { return schemas[strings.ToLower(class)], nil }
	}
	b, err := decodeEnumResponse(d, idec)
	if err != nil {
		t.Fatalf("decodeEnumResponse(%s): %v", se.Name.Local, err)
	}
	return b
}

// decodeBodyInstance decodes the first Body child of a fixture.
func decodeBodyInstance(t *testing.T, body []byte, schema *model.Class) *model.Instance {
	t.Helper()
	d, se, ok, err := OpenBody(body)
	if err != nil || !ok {
		t.Fatalf("OpenBody: ok=%v err=%v", ok, err)
	}
	inst, err := DecodeInstance(d, se, schema)
	if err != nil {
		t.Fatalf("DecodeInstance: %v", err)
	}
	return inst
}

func TestWin2008LogicalDiskPages(t *testing.T) {
	page0 := decodeBatch(t, fixture(t, "win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml"), nil, "")
	if page0.context != "uuid:5BB9D3D1-8FF1-40FA-ADA2-BE91F7F050E6" || page0.endOfSeq || len(page0.items) != 1 {
		t.Fatalf("page0: context %q end %v items %d", page0.context, page0.endOfSeq, len(page0.items))
	}
	c := page0.items[0]
	if c.ClassName != "Win32_LogicalDisk" || c.Namespace != "root/cimv2" ||
		c.ResourceURI != "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_LogicalDisk" {
		t.Errorf("class/ns/uri = %q %q %q", c.ClassName, c.Namespace, c.ResourceURI)
	}
	wantText(t, c, "DeviceID", "C:")
	wantText(t, c, "FreeSpace", "9769496576")
	wantText(t, c, "Size", "32210153472")
	wantText(t, c, "VolumeName", "")
	wantText(t, c, "VolumeSerialNumber", "E0E8D7AA")
	wantNull(t, c, "Availability")
	wantNull(t, c, "InstallDate")
	// Schema-less: untyped text, NULL of unknown type.
	wantType(t, c, "FreeSpace", model.TypeUnknown, false)
	if c.Len() != 39 {
		t.Errorf("page0 has %d properties, want 39", c.Len())
	}

	page1 := decodeBatch(t, fixture(t, "win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml"), nil, "")
	if !page1.endOfSeq || page1.hasContext || len(page1.items) != 1 {
		t.Fatalf("page1: end %v hasContext %v items %d", page1.endOfSeq, page1.hasContext, len(page1.items))
	}
	d := page1.items[0]
	wantText(t, d, "DeviceID", "D:")
	wantText(t, d, "VolumeName", "New Volume")
	wantText(t, d, "Size", "53683941376")
}

// win32LogicalDiskSchema is a hand-written slice of the class.
func win32LogicalDiskSchema() *model.Class {
	return &model.Class{Name: "Win32_LogicalDisk", Namespace: "root/cimv2", Properties: []model.PropertyDecl{
		{Name: "DeviceID", Type: model.TypeString, Key: true},
		{Name: "FreeSpace", Type: model.TypeUint64},
		{Name: "Size", Type: model.TypeUint64},
		{Name: "Access", Type: model.TypeUint16},
		{Name: "Compressed", Type: model.TypeBoolean},
		{Name: "DriveType", Type: model.TypeUint32},
		{Name: "InstallDate", Type: model.TypeDatetime},
		{Name: "Availability", Type: model.TypeUint16},
		{Name: "PowerManagementCapabilities", Type: model.TypeUint16, Array: true},
	}}
}

func TestWinGetLogicalDiskWithSchema(t *testing.T) {
	inst := decodeBodyInstance(t, fixture(t, "win_get_Win32_LogicalDisk_response_with_ActivityId.xml"), win32LogicalDiskSchema())
	if u, ok := prop(t, inst, "FreeSpace").AsUint(); !ok || u != 840649814016 {
		t.Errorf("FreeSpace = %v, want uint64 840649814016", prop(t, inst, "FreeSpace"))
	}
	if u, ok := prop(t, inst, "Size").AsUint(); !ok || u != 999650488320 {
		t.Errorf("Size = %v", prop(t, inst, "Size"))
	}
	if b, ok := prop(t, inst, "Compressed").AsBool(); !ok || b {
		t.Errorf("Compressed = %v, want false", prop(t, inst, "Compressed"))
	}
	wantType(t, inst, "DriveType", model.TypeUint32, false)
	wantType(t, inst, "Availability", model.TypeUint16, false)
	wantNull(t, inst, "Availability")
	wantText(t, inst, "SystemName", "HYPERB")
	wantText(t, inst, "DeviceID", "c:")
	if keys := inst.Keys(); len(keys) != 1 || keys[0].Name != "DeviceID" {
		t.Errorf("keys = %v, want DeviceID", keys)
	}
	if got := inst.String(); got != `Win32_LogicalDisk (DeviceID = "c:")` {
		t.Errorf("String() = %q", got)
	}
}

func TestWin2012OperatingSystem(t *testing.T) {
	b := decodeBatch(t, fixture(t, "win2012_enumerate_wql_star_Win32_OperatingSystem_response.xml"), nil, "")
	// Windows sends an empty context element with EndOfSequence.
	if !b.endOfSeq || b.context != "" || !b.hasContext || len(b.items) != 1 {
		t.Fatalf("end %v context %q items %d", b.endOfSeq, b.context, len(b.items))
	}
	os := b.items[0]
	wantText(t, os, "Caption", "Microsoft Windows Server 2012 Standard")
	wantText(t, os, "BootDevice", `\Device\HarddiskVolume1`)
	wantText(t, os, "MaxNumberOfProcesses", "4294967295")
	wantText(t, os, "Locale", "0409")
	wantNull(t, os, "CSDVersion")
	// cim:Datetime is typed even without a schema.
	wantType(t, os, "LastBootUpTime", model.TypeDatetime, false)
	dt, _ := prop(t, os, "LastBootUpTime").AsDatetime()
	want := time.Date(2013, 4, 15, 16, 28, 43, 488171000, time.UTC)
	if !dt.Time.Equal(want) || dt.Text != "2013-04-15T16:28:43.488171Z" {
		t.Errorf("LastBootUpTime = %v (%q), want %v", dt.Time, dt.Text, want)
	}
	wantText(t, os, "InstallDate", "2013-03-09T02:57:32Z")
	wantText(t, os, "LocalDateTime", "2013-04-15T20:28:20.913Z")
}

func TestWin2012XmlFragment(t *testing.T) {
	schema := &model.Class{Name: "Win32_OperatingSystem", Namespace: "root/cimv2", Properties: []model.PropertyDecl{
		{Name: "BuildNumber", Type: model.TypeString},
		{Name: "FreePhysicalMemory", Type: model.TypeUint64},
		{Name: "MUILanguages", Type: model.TypeString, Array: true},
		{Name: "Debug", Type: model.TypeBoolean},
		{Name: "CurrentTimeZone", Type: model.TypeSint16},
		{Name: "Name", Type: model.TypeString, Key: true},
	}}
	b := decodeBatch(t, fixture(t, "win2012_enumerate_wql_proplist_Win32_OperatingSystem_response_xmlfragment.xml"),
		map[string]*model.Class{"win32_operatingsystem": schema}, "Win32_OperatingSystem")
	if len(b.items) != 1 || !b.endOfSeq {
		t.Fatalf("items %d end %v", len(b.items), b.endOfSeq)
	}
	frag := b.items[0]
	if frag.ClassName != "Win32_OperatingSystem" || frag.Namespace != "root/cimv2" {
		t.Errorf("class/ns = %q %q", frag.ClassName, frag.Namespace)
	}
	wantText(t, frag, "CSName", "AMAZONA-SDFU7B1")
	wantText(t, frag, "SerialNumber", "00184-30000-00001-AA420")
	if u, ok := prop(t, frag, "FreePhysicalMemory").AsUint(); !ok || u != 58472 {
		t.Errorf("FreePhysicalMemory = %v", prop(t, frag, "FreePhysicalMemory"))
	}
	// One element, array by schema.
	mui := prop(t, frag, "MUILanguages")
	if !mui.IsArray() || mui.Len() != 1 || mui.Elems()[0].Text() != "en-US" {
		t.Errorf("MUILanguages = %v, want {en-US} array", mui)
	}
	wantType(t, frag, "CurrentTimeZone", model.TypeSint16, false)
	// Unqualified <Datetime> inside the fragment.
	wantType(t, frag, "LastBootUpTime", model.TypeDatetime, false)
	wantText(t, frag, "LastBootUpTime", "2013-04-15T16:28:43.488171Z")
	wantNull(t, frag, "TotalSwapSpaceSize")
	if keys := frag.Keys(); len(keys) != 1 || keys[0].Name != "Name" {
		t.Errorf("keys = %v", keys)
	}
}

func TestMSWSMVEnumerationExchange(t *testing.T) {
	e := decodeBatch(t, fixture(t, "mswsmv_4.1.2.2_enumerate_response.xml"), nil, "")
	if e.context != "uuid:22EB9809-5543-4020-A75C-FD95FF06217B" || e.endOfSeq || len(e.items) != 0 {
		t.Errorf("enumerate: context %q end %v items %d", e.context, e.endOfSeq, len(e.items))
	}
	p := decodeBatch(t, fixture(t, "mswsmv_4.1.2.4_pull_response.xml"), nil, "")
	if p.context != "uuid:2504CA0D-94B9-4F91-B2F7-9F4CD9A2A96C" || p.endOfSeq || len(p.items) != 1 {
		t.Fatalf("pull: context %q end %v items %d", p.context, p.endOfSeq, len(p.items))
	}
	inst := p.items[0]
	if inst.ClassName != "myclass" || inst.Namespace != "root/mynamespace" {
		t.Errorf("class/ns = %q %q", inst.ClassName, inst.Namespace)
	}
	wantText(t, inst, "Data1", "Test Message")
	wantText(t, inst, "id", "1")
	// cim:Location is the instance's EPR, and marks id as the key.
	if inst.Ref == nil || inst.Ref.ClassName != "myclass" || inst.Ref.Address != AnonymousAddress {
		t.Fatalf("Ref = %+v", inst.Ref)
	}
	if s, ok := inst.Ref.Selector("id"); !ok || s.Value != "1" {
		t.Errorf("Ref selector id = %+v", s)
	}
	if inst.Len() != 2 || !inst.IsKey("id") {
		t.Errorf("properties %v, id key %v", inst.Names(), inst.IsKey("id"))
	}
	last := decodeBatch(t, fixture(t, "mswsmv_4.1.2.6_pull_response_EndOfSequence.xml"), nil, "")
	if !last.endOfSeq || last.hasContext || len(last.items) != 1 {
		t.Fatalf("last: end %v ctx %v items %d", last.endOfSeq, last.hasContext, len(last.items))
	}
	wantText(t, last.items[0], "Data1", `"Hello again"`)
	wantText(t, last.items[0], "id", "2")
}

func TestMSWSMVGetPutInvokeResponses(t *testing.T) {
	for _, f := range []string{"mswsmv_4.1.1_get_response_with_cim_Location.xml", "mswsmv_4.1.3_put_response.xml"} {
		inst := decodeBodyInstance(t, fixture(t, f), nil)
		want := "Hello World"
		if strings.Contains(f, "put") {
			want = "Test Message"
		}
		wantText(t, inst, "Data1", want)
		wantText(t, inst, "id", "1")
		if inst.Ref == nil || inst.Ref.ResourceURI != "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/mynamespace/myclass" {
			t.Errorf("%s: Ref = %+v", f, inst.Ref)
		}
		if p := inst.Path(); p.String() != `myclass.id="1"` {
			t.Errorf("%s: Path = %s", f, p)
		}
	}
	out := decodeBodyInstance(t, fixture(t, "mswsmv_4.1.4_invoke_Win32_Process_Create_response.xml"), &model.Class{
		Name: "Create_OUTPUT", Properties: []model.PropertyDecl{{Name: "ProcessId", Type: model.TypeUint32}, {Name: "ReturnValue", Type: model.TypeUint32}}})
	if out.ClassName != "Create_OUTPUT" {
		t.Errorf("ClassName = %q", out.ClassName)
	}
	if u, ok := prop(t, out, "ProcessId").AsUint(); !ok || u != 4000 {
		t.Errorf("ProcessId = %v", prop(t, out, "ProcessId"))
	}
	if u, ok := prop(t, out, "ReturnValue").AsUint(); !ok || u != 0 {
		t.Errorf("ReturnValue = %v", prop(t, out, "ReturnValue"))
	}
}

func TestOMIIdentifyObjectAndEPR(t *testing.T) {
	b := decodeBatch(t, fixture(t, "omi_posthttp_test1_response.xml"), nil, "")
	// OMI sends a (dead) context with EndOfSequence.
	if !b.endOfSeq || b.context != "NNNN" || len(b.items) != 1 {
		t.Fatalf("end %v ctx %q items %d", b.endOfSeq, b.context, len(b.items))
	}
	id := b.items[0]
	if id.ClassName != "OMI_Identify" || id.ResourceURI != PrefixDMTFClass+"OMI_Identify" || id.Namespace != "root/cimv2" {
		t.Errorf("class/uri/ns = %q %q %q", id.ClassName, id.ResourceURI, id.Namespace)
	}
	wantText(t, id, "ProductName", "OMI")
	wantText(t, id, "ProductVendor", "Microsoft")
	wantText(t, id, "Platform", "LINUX_IX86_GNU")
	ns := prop(t, id, "ConfigNameSpaces")
	if !ns.IsArray() || ns.Len() != 12 || ns.Elems()[0].Text() != "oop#user#test#cpp" || ns.Elems()[11].Text() != "test#c" {
		t.Errorf("ConfigNameSpaces = %v", ns)
	}
	if id.Ref == nil || id.Ref.ClassName != "OMI_Identify" {
		t.Fatalf("Ref = %+v", id.Ref)
	}
	if s, _ := id.Ref.Selector("InstanceID"); s.Value != "2FDB5542-5896-45D5-9BE9-DC04430AAABE" {
		t.Errorf("Ref InstanceID = %q", s.Value)
	}
	if !id.IsKey("InstanceID") || id.IsKey("ProductName") {
		t.Errorf("keys from the EPR: %v", id.Keys())
	}
}

func TestOMIDatetimesBareBySchema(t *testing.T) {
	body := fixture(t, "omi_posthttp_test2_response.xml")
	// Schema-less: everything untyped, repeated elements are arrays.
	b := decodeBatch(t, body, nil, "")
	if len(b.items) != 1 {
		t.Fatalf("items %d", len(b.items))
	}
	dt := b.items[0]
	wantNull(t, dt, "Key")
	wantType(t, dt, "interval", model.TypeUnknown, false)
	wantType(t, dt, "timestamps", model.TypeUnknown, true)
	schema := &model.Class{Name: "OMI_Datetime", Properties: []model.PropertyDecl{
		{Name: "Key", Type: model.TypeString, Key: true},
		{Name: "timestamp", Type: model.TypeDatetime},
		{Name: "interval", Type: model.TypeDatetime},
		{Name: "timestamps", Type: model.TypeDatetime, Array: true},
		{Name: "intervals", Type: model.TypeDatetime, Array: true},
		{Name: "mixed", Type: model.TypeDatetime, Array: true},
	}}
	// "2001-25-00" (month 25, as OMI's test provider writes it) is not a
	// datetime: typed by the schema, the reply is refused, naming the
	// class, property, value and type.
	d, _, ok, err := OpenBody(body)
	if err != nil || !ok {
		t.Fatalf("OpenBody: %v", err)
	}
	idec := &itemDecoder{schema: func(string) (*model.Class, error) { return schema, nil }}
	_, err = decodeEnumResponse(d, idec)
	var ve *ValueError
	if !errors.As(err, &ve) || ve.Class != "OMI_Datetime" || ve.Property != "timestamp" || ve.Value != "2001-25-00" || ve.Type != "datetime" {
		t.Fatalf("invalid datetime by schema: %v", err)
	}
	body = bytes.ReplaceAll(body, []byte("2001-25-00"), []byte("2001-12-25"))
	b = decodeBatch(t, body, map[string]*model.Class{"omi_datetime": schema}, "")
	dt = b.items[0]
	wantType(t, dt, "Key", model.TypeString, false)
	wantNull(t, dt, "Key")
	// The bare interval is typed by the schema.
	iv, ok := prop(t, dt, "interval").AsDatetime()
	if !ok || !iv.IsInterval() || iv.Duration != 366*24*time.Hour+time.Hour {
		t.Errorf("interval = %v", prop(t, dt, "interval"))
	}
	// A bare date is a datetime when the schema says so.
	ts := prop(t, dt, "timestamp")
	if d, ok := ts.AsDatetime(); !ok || d.Kind != model.DateOnly || d.Time.Month() != 12 {
		t.Errorf("timestamp = %v (%v)", ts, ts.Type())
	}
	ivs := prop(t, dt, "intervals")
	if !ivs.IsArray() || ivs.Len() != 2 || ivs.Type() != model.TypeDatetime {
		t.Errorf("intervals = %v (%v)", ivs, ivs.Type())
	}
	mixed := prop(t, dt, "mixed")
	if mixed.Len() != 2 || mixed.Elems()[1].Type() != model.TypeDatetime || mixed.Elems()[0].Type() != model.TypeDatetime {
		t.Errorf("mixed = %v", mixed)
	}
}

func TestOMIInvokeOutputUppercaseBoolean(t *testing.T) {
	body := fixture(t, "omi_posthttp_test3_response.xml")
	out := decodeBodyInstance(t, body, &model.Class{Name: "GetBoolValue_OUTPUT", Properties: []model.PropertyDecl{
		{Name: "ReturnValue", Type: model.TypeUint32}, {Name: "boolVal", Type: model.TypeBoolean}}})
	if b, ok := prop(t, out, "boolVal").AsBool(); !ok || b {
		t.Errorf("boolVal = %v, want false", prop(t, out, "boolVal"))
	}
	if u, ok := prop(t, out, "ReturnValue").AsUint(); !ok || u != 0 {
		t.Errorf("ReturnValue = %v", prop(t, out, "ReturnValue"))
	}
	if out.ClassName != "GetBoolValue_OUTPUT" {
		t.Errorf("ClassName = %q", out.ClassName)
	}
}

func TestIdentifyFixture(t *testing.T) {
	id, err := DecodeIdentify(fixture(t, "win_identify_response_unauthenticated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if id.ProtocolVersion != NsWSMan || id.ProductVendor != "Microsoft Corporation" || id.ProductVersion != "OS: 0.0.0 SP: 0.0 Stack: 3.0" {
		t.Errorf("identity = %+v", id)
	}
	// OMI answers in the SOAP envelope namespace.
	omi := `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"><SOAP-ENV:Header/><SOAP-ENV:Body><SOAP-ENV:IdentifyResponse><SOAP-ENV:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</SOAP-ENV:ProtocolVersion><SOAP-ENV:ProductVendor>Microsoft</SOAP-ENV:ProductVendor><SOAP-ENV:ProductVersion>1.6.8-1</SOAP-ENV:ProductVersion><SOAP-ENV:SecurityProfiles><SOAP-ENV:SecurityProfileName>http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic</SOAP-ENV:SecurityProfileName></SOAP-ENV:SecurityProfiles></SOAP-ENV:IdentifyResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	id, err = DecodeIdentify([]byte(omi))
	if err != nil {
		t.Fatal(err)
	}
	if id.ProductVendor != "Microsoft" || id.ProductVersion != "1.6.8-1" || len(id.SecurityProfiles) != 1 {
		t.Errorf("OMI identity = %+v", id)
	}
}

func TestEventLogSubscriptionResponses(t *testing.T) {
	b := decodeBatch(t, fixture(t, "win_subscribe_eventlog_pull_response_01.xml"), nil, "")
	if b.context != "uuid:05071354-C4AD-4745-AA80-1127029F660E" || len(b.items) != 1 {
		t.Fatalf("ctx %q items %d", b.context, len(b.items))
	}
	ev := b.items[0]
	if ev.ClassName != "Event" || ev.ResourceURI != "http://schemas.microsoft.com/win/2004/08/events/event" {
		t.Errorf("class/uri = %q %q", ev.ClassName, ev.ResourceURI)
	}
	sys, ok := prop(t, ev, "System").AsInstance()
	if !ok {
		t.Fatalf("System = %v, want an embedded instance", prop(t, ev, "System"))
	}
	wantText(t, sys, "EventRecordID", "3847")
	wantText(t, sys, "Computer", "AMAZONA-Q2R281F")
	data, _ := prop(t, ev, "EventData").AsInstance()
	wantText(t, data, "Data", "test_from_gilroy_cmd_003")

	b = decodeBatch(t, fixture(t, "win_subscribe_eventlog_pull_response_02.xml"), nil, "")
	if b.context != "uuid:F31A07AC-3B61-4ECC-A489-1B492FA1E7D6" || len(b.items) != 0 || b.endOfSeq {
		t.Errorf("empty pull: ctx %q items %d end %v", b.context, len(b.items), b.endOfSeq)
	}

	// The SubscribeResponse: its manager EPR uses ReferenceProperties.
	d, se, ok, err := OpenBody(fixture(t, "win_subscribe_eventlog_response.xml"))
	if err != nil || !ok || se.Name.Local != "SubscribeResponse" {
		t.Fatalf("OpenBody: %v %v %v", se.Name.Local, ok, err)
	}
	mgr, _, err := findStart(d)
	if err != nil || mgr.Name.Local != "SubscriptionManager" {
		t.Fatalf("manager: %v %v", mgr.Name.Local, err)
	}
	ref, err := DecodeEPR(d, mgr)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Address != "http://gilroy:5985/wsman" || ref.ResourceURI != "http://schemas.microsoft.com/wbem/wsman/1/windows/EventLog" {
		t.Errorf("manager = %+v", ref)
	}
}
