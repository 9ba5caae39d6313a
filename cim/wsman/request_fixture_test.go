package wsman

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// Captured requests have no reply in the fixtures; an empty Body is
// enough for the client to finish.
const emptyReply = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body/></s:Envelope>`

// endReply ends an enumeration in one response.
const endReply = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Body><n:EnumerateResponse><n:EnumerationContext/><w:Items/><w:EndOfSequence/></n:EnumerateResponse></s:Body></s:Envelope>`

func psCanon() canonOpts { return canonOpts{drop: psVolatile, dropOption: miOption} }

func TestRequestShapesLikePowerShell(t *testing.T) {
	ctx := context.Background()
	t.Run("WQL enumeration with ObjectAndEPR (OMI test1)", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: []byte(endReply)}}}
		c := NewClient(rt, Options{Endpoint: "https://157.59.84.237:7779/wsman", NoSchema: true})
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{Common: model.Common{Namespace: "root/OMI"}, Query: "select * from OMI_Identify"})
		if err != nil {
			t.Fatal(err)
		}
		e.Close()
		compareEnvelopes(t, rt.requests()[0], fixture(t, "omi_posthttp_test1_request.xml"), psCanon())
	})
	t.Run("GetClass (Windows 2016 PowerShell capture)", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: []byte(`<s:Envelope xmlns:s="` + NsSOAP + `"><s:Body><CLASS NAME="Win32_DiskDrive"/></s:Body></s:Envelope>`)}}}
		c := NewClient(rt, Options{Endpoint: "http://smnnovmsfs01:5985/wsman"})
		cl, err := c.GetClass(ctx, &model.GetClassRequest{ClassName: "Win32_DiskDrive"})
		if err != nil || cl.Name != "Win32_DiskDrive" {
			t.Fatalf("GetClass: %v %v", cl, err)
		}
		compareEnvelopes(t, rt.requests()[0], fixture(t, "win2016_cimsession_03_Req_schema.xml"), psCanon())
	})
	t.Run("GetClass (OMI X_HugeNumber)", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: []byte(`<s:Envelope xmlns:s="` + NsSOAP + `"><s:Body><CLASS NAME="X_HugeNumber"/></s:Body></s:Envelope>`)}}}
		c := NewClient(rt, Options{Endpoint: "http://157.59.85.74:7778/wsman", MaxEnvelopeSize: 1048576})
		if _, err := c.GetClass(ctx, &model.GetClassRequest{Common: model.Common{Namespace: "test/cpp"}, ClassName: "X_HugeNumber"}); err != nil {
			t.Fatal(err)
		}
		compareEnvelopes(t, rt.requests()[0], fixture(t, "omi_getclass_cimxml_request_X_HugeNumber.xml"), psCanon())
	})
	t.Run("Get-CimAssociatedInstance", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: []byte(endReply)}}}
		c := NewClient(rt, Options{Endpoint: "http://localhost:9989/wsman", Locale: "en-GB", NoSchema: true})
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{
			Common: model.Common{Namespace: "root/cimv2", OperationTimeout: time.Second},
			Associated: &model.AssociationFilter{
				Source:           &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2"},
				AssociationClass: "Win32_DependentService", ResultClass: "Win32_Service",
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		e.Close()
		tmpl := string(fixture(t, "win_ps_Get-CimAssociatedInstance_request_TEMPLATE.xml"))
		// The header comment mentions ~A too: fill only the document.
		end := strings.Index(tmpl, "-->") + 3
		tmpl = tmpl[end:]
		for _, v := range []string{"root/cimv2", "Win32_Service", "root/cimv2", "Win32_DependentService", "Win32_Service"} {
			tmpl = strings.Replace(tmpl, "~A", v, 1)
		}
		compareEnvelopes(t, rt.requests()[0], []byte(tmpl), psCanon())
	})
	t.Run("Set-CimInstance (MI client Put with nil properties)", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: []byte(emptyReply)}}}
		c := NewClient(rt, Options{Endpoint: "https://157.59.85.210:7779/wsman", NoSchema: true})
		inst := model.NewInstance("MSFT_Person", "root/cimv2")
		inst.SetKey("Key", model.String("1"))
		inst.Set("Species", model.Null(model.TypeString))
		inst.Set("Last", model.String("Osama"))
		inst.Set("First", model.Null(model.TypeString))
		inst.Set("ExpensiveProperty", model.Null(model.TypeUnknown))
		if _, err := c.Modify(ctx, &model.ModifyRequest{Instance: inst}); err != nil {
			t.Fatal(err)
		}
		compareEnvelopes(t, rt.requests()[0], fixture(t, "omi_put_request_from_windows_MI_client_MSFT_Person_nil.xml"), psCanon())
		if rt.effects[0] != EffectChange {
			t.Errorf("Put was sent with effect %v", rt.effects[0])
		}
	})
	t.Run("Invoke (OMI test3)", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: fixture(t, "omi_posthttp_test3_response.xml")}}}
		c := NewClient(rt, Options{Endpoint: "https://157.59.84.237:7779/wsman", NoSchema: true})
		out, err := c.Invoke(ctx, &model.InvokeRequest{Common: model.Common{Namespace: "root/omi"},
			Target: &model.Reference{ClassName: "TestClass_AllDMTFTypes", Selectors: []model.Selector{{Name: "v_Key", Value: "0"}}},
			Method: "GetBoolValue"})
		if err != nil {
			t.Fatal(err)
		}
		wantText(t, out, "boolVal", "FALSE")
		compareEnvelopes(t, rt.requests()[0], fixture(t, "omi_posthttp_test3_request.xml"), psCanon())
		if rt.effects[0] != EffectChange {
			t.Errorf("Invoke was sent with effect %v", rt.effects[0])
		}
	})
}

// The MS-WSMV examples use the WMI form and send no locale headers.
func wsmvCanon() canonOpts {
	drop := map[string]bool{"Locale": true, "DataLocale": true}
	for k := range psVolatile {
		drop[k] = true
	}
	return canonOpts{drop: drop, dropOption: miOption}
}

func TestRequestShapesMSWSMV(t *testing.T) {
	ctx := context.Background()
	opts := Options{Endpoint: "http://server:80/wsman", URIForm: FormWMI, MaxEnvelopeSize: 51200, OperationTimeout: 60 * time.Second, NoSchema: true}
	t.Run("Get", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: fixture(t, "mswsmv_4.1.1_get_response_with_cim_Location.xml")}}}
		c := NewClient(rt, opts)
		inst, err := c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "myclass", Namespace: "root/mynamespace",
			Selectors: []model.Selector{{Name: "id", Value: "1"}}}})
		if err != nil {
			t.Fatal(err)
		}
		wantText(t, inst, "Data1", "Hello World")
		compareEnvelopes(t, rt.requests()[0], fixture(t, "mswsmv_4.1.1_get_request.xml"), wsmvCanon())
	})
	t.Run("Get of an unknown class", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{status: 500, body: fixture(t, "mswsmv_4.10_fault_DestinationUnreachable_ResourceNotFound.xml")}}}
		o := opts
		o.Endpoint = "http://localhost:80/wsman"
		c := NewClient(rt, o)
		_, err := c.Get(ctx, &model.GetRequest{Path: &model.Reference{ClassName: "win32_nosuchclass"}})
		if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryInvalidClass {
			t.Fatalf("err = %v", err)
		}
		compareEnvelopes(t, rt.requests()[0], fixture(t, "mswsmv_4.10_get_request_nosuchclass.xml"), wsmvCanon())
	})
	t.Run("Pull", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{
			{body: fixture(t, "mswsmv_4.1.2.2_enumerate_response.xml")},
			{body: fixture(t, "mswsmv_4.1.2.4_pull_response.xml")},
			{body: fixture(t, "mswsmv_4.1.2.6_pull_response_EndOfSequence.xml")},
		}}
		c := NewClient(rt, opts)
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{Common: model.Common{Namespace: "root/mynamespace"}, ClassName: "myclass", BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for e.Next(ctx) {
			ids = append(ids, prop(t, e.Instance(), "id").Text())
		}
		if err := e.Err(); err != nil {
			t.Fatal(err)
		}
		e.Close()
		if strings.Join(ids, ",") != "1,2" {
			t.Errorf("ids = %v", ids)
		}
		reqs := rt.requests()
		if len(reqs) != 3 {
			t.Fatalf("%d requests, want Enumerate + 2 Pulls (no Release after EndOfSequence)", len(reqs))
		}
		compareEnvelopes(t, reqs[1], fixture(t, "mswsmv_4.1.2.3_pull_request.xml"), wsmvCanon())
	})
	t.Run("Put", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: fixture(t, "mswsmv_4.1.3_put_response.xml")}}}
		c := NewClient(rt, opts)
		inst := decodeBodyInstance(t, fixture(t, "mswsmv_4.1.3_put_request.xml"), nil)
		inst.Set("Data1", model.String("Test Message"))
		if _, err := c.Modify(ctx, &model.ModifyRequest{Instance: inst}); err != nil {
			t.Fatal(err)
		}
		o := wsmvCanon()
		o.noXSIType = true
		// cimsh does not echo the instance's cim:Location in a Put: the
		// selectors address it.
		o.drop["Location"] = true
		compareEnvelopes(t, rt.requests()[0], fixture(t, "mswsmv_4.1.3_put_request.xml"), o)
	})
	t.Run("Invoke static Win32_Process.Create", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{{body: fixture(t, "mswsmv_4.1.4_invoke_Win32_Process_Create_response.xml")}}}
		c := NewClient(rt, opts)
		out, err := c.Invoke(ctx, &model.InvokeRequest{ClassName: "Win32_Process", Method: "Create", In: []model.Property{
			{Name: "CommandLine", Value: model.String("notepad.exe")}, {Name: "CurrentDirectory", Value: model.String(`C:\`)}}})
		if err != nil {
			t.Fatal(err)
		}
		wantText(t, out, "ProcessId", "4000")
		wantText(t, out, "ReturnValue", "0")
		o := wsmvCanon()
		o.noXSIType = true
		// The published example's input element says root/cim, a typo
		// for root/cimv2 (its Action and ResourceURI say root/cimv2).
		o.replace = [][2]string{{"wmi/root/cim/Win32_Process", "wmi/root/cimv2/Win32_Process"}}
		compareEnvelopes(t, rt.requests()[0], fixture(t, "mswsmv_4.1.4_invoke_Win32_Process_Create_request.xml"), o)
	})
	t.Run("txwinrm Pull template", func(t *testing.T) {
		rt := &replayTransport{replies: []reply{
			{body: fixture(t, "win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml")},
			{body: fixture(t, "win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml")},
		}}
		c := NewClient(rt, Options{Endpoint: "http://103040106:5985/wsman", URIForm: FormWMI, OperationTimeout: time.Minute, NoSchema: true})
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{Query: "select * from Win32_LogicalDisk"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for e.Next(ctx) {
			n++
		}
		e.Close()
		if n != 2 || e.Err() != nil {
			t.Fatalf("n=%d err=%v", n, e.Err())
		}
		tmpl := strings.NewReplacer("{resource_uri}", PrefixWMI+"root/cimv2/*", "{envelope_size}", "512000",
			"{enumeration_context}", "uuid:5BB9D3D1-8FF1-40FA-ADA2-BE91F7F050E6").Replace(string(fixture(t, "request_template_pull.xml")))
		compareEnvelopes(t, rt.requests()[1], []byte(tmpl), wsmvCanon())
	})
}
