package wsman

import (
	"context"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

const win32ServiceClassReply = `<s:Envelope xmlns:s="` + NsSOAP + `"><s:Body><CLASS NAME="Win32_Service" SUPERCLASS="Win32_BaseService">` +
	`<PROPERTY NAME="Name" TYPE="string"><QUALIFIER NAME="key" TYPE="boolean"><VALUE>true</VALUE></QUALIFIER></PROPERTY>` +
	`<PROPERTY NAME="ProcessId" TYPE="uint32"></PROPERTY>` +
	`<PROPERTY.ARRAY NAME="Tags" TYPE="string"></PROPERTY.ARRAY>` +
	`<METHOD NAME="StopService" TYPE="uint32"></METHOD>` +
	`<METHOD NAME="Change" TYPE="uint32"><PARAMETER NAME="DesktopInteract" TYPE="boolean"><QUALIFIER NAME="in" TYPE="boolean"><VALUE>true</VALUE></QUALIFIER></PARAMETER>` +
	`<PARAMETER NAME="ErrorControl" TYPE="uint8"><QUALIFIER NAME="in" TYPE="boolean"><VALUE>true</VALUE></QUALIFIER></PARAMETER>` +
	`<PARAMETER.ARRAY NAME="Codes" TYPE="uint16"><QUALIFIER NAME="out" TYPE="boolean"><VALUE>true</VALUE></QUALIFIER></PARAMETER.ARRAY></METHOD>` +
	`</CLASS></s:Body></s:Envelope>`

func TestSchemaFetchedOnceAndUsed(t *testing.T) {
	rt := &replayTransport{replies: []reply{
		{body: []byte(win32ServiceClassReply)},
		{body: enumReply(false, "", true, "a", "b")},
		{body: enumReply(false, "", true, "c")},
	}}
	c := NewClient(rt, Options{Endpoint: "http://h/wsman"})
	for round := 0; round < 2; round++ {
		e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatal(err)
		}
		for e.Next(context.Background()) {
			inst := e.Instance()
			if u, ok := prop(t, inst, "ProcessId").AsUint(); !ok || u != 42 {
				t.Errorf("ProcessId = %v (%v), want uint32 42", prop(t, inst, "ProcessId"), prop(t, inst, "ProcessId").Type())
			}
			if !inst.IsKey("Name") {
				t.Errorf("Name is not a key")
			}
		}
		if e.Err() != nil {
			t.Fatal(e.Err())
		}
		e.Close()
	}
	if got := strings.Join(actions(rt.requests()), ","); got != "Get,Enumerate,Enumerate" {
		t.Errorf("actions = %s (schema must be fetched once, before the Enumerate)", got)
	}
	if c.Schema("ROOT/CIMV2", "win32_service") == nil {
		t.Errorf("schema not cached")
	}
}

func TestSchemaUnavailableDegrades(t *testing.T) {
	rt := &replayTransport{replies: []reply{
		{status: 500, body: faultReply("Sender", "a:ActionNotSupported", "no cim-xml here")},
		{body: enumReply(false, "", true, "a")},
		{body: enumReply(false, "", true, "b")},
	}}
	c := NewClient(rt, Options{Endpoint: "http://h/wsman"})
	for round := 0; round < 2; round++ {
		e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for e.Next(context.Background()) {
			n++
			wantType(t, e.Instance(), "ProcessId", model.TypeUnknown, false)
			wantText(t, e.Instance(), "ProcessId", "42")
		}
		if e.Err() != nil || n != 1 {
			t.Fatalf("n=%d err=%v", n, e.Err())
		}
	}
	if got := strings.Join(actions(rt.requests()), ","); got != "Get,Enumerate,Enumerate" {
		t.Errorf("actions = %s (a refused schema is asked for once)", got)
	}
}

func TestInvokeConvertsArgumentsBySchema(t *testing.T) {
	out := `<s:Envelope xmlns:s="` + NsSOAP + `"><s:Body><p:Change_OUTPUT xmlns:p="` + PrefixDMTFClass + `Win32_Service"><p:Codes>1</p:Codes><p:ReturnValue>0</p:ReturnValue></p:Change_OUTPUT></s:Body></s:Envelope>`
	rt := &replayTransport{replies: []reply{{body: []byte(win32ServiceClassReply)}, {body: []byte(out)}}}
	c := NewClient(rt, Options{Endpoint: "http://h/wsman"})
	res, err := c.Invoke(context.Background(), &model.InvokeRequest{
		Target: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}},
		Method: "Change",
		In:     []model.Property{{Name: "DesktopInteract", Value: model.Real(model.TypeReal64, 1)}, {Name: "ErrorControl", Value: model.String("2")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Out array of one element stays an array; ReturnValue typed.
	codes := prop(t, res, "Codes")
	if !codes.IsArray() || codes.Len() != 1 || codes.Type() != model.TypeUint16 {
		t.Errorf("Codes = %v (%v)", codes, codes.Type())
	}
	wantType(t, res, "ReturnValue", model.TypeUint32, false)
	req := string(rt.requests()[1])
	for _, want := range []string{
		`<a:Action s:mustUnderstand="true">` + PrefixDMTFClass + `Win32_Service/Change</a:Action>`,
		`<w:Selector Name="__cimnamespace">root/cimv2</w:Selector><w:Selector Name="Name">WinRM</w:Selector>`,
		`<p:Change_INPUT xmlns:p="` + PrefixDMTFClass + `Win32_Service"`,
		`<p:DesktopInteract>true</p:DesktopInteract><p:ErrorControl>2</p:ErrorControl>`,
	} {
		if !strings.Contains(req, want) {
			t.Errorf("request lacks %s\n%s", want, req)
		}
	}
}

func TestCreateResourceCreated(t *testing.T) {
	created := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:x="` + NsTransfer + `" xmlns:a="` + NsAddressing + `" xmlns:w="` + NsWSMan + `"><s:Body><x:ResourceCreated><a:Address>` + AnonymousAddress +
		`</a:Address><a:ReferenceParameters><w:ResourceURI>` + PrefixDMTFClass + `MSFT_Person</w:ResourceURI><w:SelectorSet><w:Selector Name="__cimnamespace">root/cimv2</w:Selector><w:Selector Name="Key">7</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated></s:Body></s:Envelope>`
	rt := &replayTransport{replies: []reply{{body: []byte(created)}}}
	c := NewClient(rt, Options{Endpoint: "http://h/wsman", NoSchema: true})
	inst := model.NewInstance("MSFT_Person", "")
	inst.Set("Last", model.String("Osama"))
	got, err := c.Create(context.Background(), &model.CreateRequest{Instance: inst})
	if err != nil {
		t.Fatal(err)
	}
	if got.Ref == nil || got.Ref.Namespace != "root/cimv2" || !got.IsKey("Key") || got.Path().String() != `MSFT_Person.Key="7"` {
		t.Errorf("created = %+v ref %+v", got, got.Ref)
	}
	req := string(rt.requests()[0])
	if !strings.Contains(req, `<p:Last xsi:type="cim:cimString">Osama</p:Last>`) || rt.effects[0] != EffectChange {
		t.Errorf("create request:\n%s (effect %v)", req, rt.effects[0])
	}
}

func TestEnumerateClassesDerived(t *testing.T) {
	reply1 := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Body><n:EnumerateResponse><n:EnumerationContext>uuid:c</n:EnumerationContext><w:Items>` +
		`<CLASS NAME="CIM_ManagedElement"/><CLASS NAME="CIM_Service" SUPERCLASS="CIM_ManagedElement"/></w:Items></n:EnumerateResponse></s:Body></s:Envelope>`
	reply2 := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Body><n:PullResponse><n:Items>` +
		`<CLASS NAME="Win32_BaseService" SUPERCLASS="CIM_Service"/><CLASS NAME="Win32_Process" SUPERCLASS="CIM_Process"/></n:Items><n:EndOfSequence/></n:PullResponse></s:Body></s:Envelope>`
	rt := &replayTransport{replies: []reply{{body: []byte(reply1)}, {body: []byte(reply2)}}}
	c := NewClient(rt, Options{Endpoint: "http://h/wsman"})
	classes, err := c.EnumerateClasses(context.Background(), &model.EnumerateClassesRequest{ClassName: "CIM_Service"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cl := range classes {
		names = append(names, cl.Name)
	}
	if strings.Join(names, ",") != "CIM_Service,Win32_BaseService" {
		t.Errorf("classes = %v", names)
	}
	if got := strings.Join(actions(rt.requests()), ","); got != "Enumerate,Pull" {
		t.Errorf("actions = %s", got)
	}
	if c.Schema("root/cimv2", "Win32_Process") == nil {
		t.Errorf("enumerated classes not cached")
	}
}
