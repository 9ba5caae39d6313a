package wsman

import (
	"bytes"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

func TestWin2016ClassSchema(t *testing.T) {
	d, se, ok, err := OpenBody(fixture(t, "win2016_cimsession_03_Res_schema.xml"))
	if err != nil || !ok || se.Name.Local != "CLASS" {
		t.Fatalf("OpenBody: %q %v %v", se.Name.Local, ok, err)
	}
	cl, err := DecodeClass(d, se)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Name != "Win32_DiskDrive" || cl.SuperClass != "CIM_DiskDrive" {
		t.Errorf("name/super = %q %q", cl.Name, cl.SuperClass)
	}
	if q, ok := cl.Qualifier("provider"); !ok || q.Value.Text() != "CIMWin32" {
		t.Errorf("provider qualifier = %v", q.Value)
	}
	if q, ok := cl.Qualifier("dynamic"); !ok || q.Value.Type() != model.TypeBoolean || q.Value.Text() != "true" {
		t.Errorf("dynamic qualifier = %v (%v)", q.Value, q.Value.Type())
	}
	if q, _ := cl.Qualifier("Locale"); q.Value.Type() != model.TypeSint32 || q.Value.Text() != "1033" {
		t.Errorf("Locale qualifier = %v", q.Value)
	}
	av := cl.Property("Availability")
	if av == nil || av.Type != model.TypeUint16 || av.Array || av.ClassOrigin != "CIM_LogicalDevice" {
		t.Fatalf("Availability = %+v", av)
	}
	var vm model.Value
	for _, q := range av.Qualifiers {
		if q.Name == "ValueMap" {
			vm = q.Value
		}
	}
	if !vm.IsArray() || vm.Len() != 21 || vm.Elems()[20].Text() != "21" {
		t.Errorf("ValueMap = %v", vm)
	}
	caps := cl.Property("Capabilities")
	if caps == nil || !caps.Array || caps.Type != model.TypeUint16 {
		t.Errorf("Capabilities = %+v", caps)
	}
	if keys := cl.KeyNames(); len(keys) != 1 || keys[0] != "DeviceID" {
		t.Errorf("keys = %v", keys)
	}
	if bps := cl.Property("BytesPerSector"); bps == nil || bps.Type != model.TypeUint32 || bps.ClassOrigin != "Win32_DiskDrive" {
		t.Errorf("BytesPerSector = %+v", bps)
	}
	sp := cl.Method("SetPowerState")
	if sp == nil || sp.ReturnType != model.TypeUint32 || len(sp.Parameters) != 2 {
		t.Fatalf("SetPowerState = %+v", sp)
	}
	if p := sp.Parameter("Time"); p == nil || p.Type != model.TypeDatetime || !p.In || p.Out {
		t.Errorf("SetPowerState.Time = %+v", p)
	}
	if m := cl.Method("Reset"); m == nil || len(m.Parameters) != 0 || m.Static {
		t.Errorf("Reset = %+v", m)
	}
	if len(cl.Properties) < 40 {
		t.Errorf("only %d properties", len(cl.Properties))
	}
}

func TestOMIClassFragment(t *testing.T) {
	body := fixture(t, "omi_getclass_cimxml_response_CLASS_fragment_X_HugeNumber.xml")
	d := NewDecoder(body)
	se, ok, err := findStart(d)
	if err != nil || !ok {
		t.Fatal(err)
	}
	cl, err := DecodeClass(d, se)
	if err != nil {
		t.Fatal(err)
	}
	if cl.Name != "X_HugeNumber" || cl.SuperClass != "X_Number" {
		t.Errorf("name/super = %q %q", cl.Name, cl.SuperClass)
	}
	tests := []struct {
		name     string
		typ      model.Type
		array    bool
		key      bool
		embedded string
	}{
		{"Description", model.TypeString, false, false, ""},
		{"Number", model.TypeUint64, false, true, ""},
		{"Magnitude", model.TypeUint32, false, false, ""},
		{"MagnitudeObj", model.TypeInstance, false, false, "X_SmallNumber"},
		{"Numbers123", model.TypeInstance, true, false, "X_SmallNumber"},
		{"Number0", model.TypeInstance, false, false, ""},
		{"TwoTestObjects", model.TypeInstance, true, false, ""},
		{"TestObject", model.TypeInstance, false, false, "X_TestObject"},
	}
	for _, tc := range tests {
		p := cl.Property(tc.name)
		if p == nil || p.Type != tc.typ || p.Array != tc.array || p.Key != tc.key || p.EmbeddedClass != tc.embedded {
			t.Errorf("%s = %+v, want %v array=%v key=%v embedded=%q", tc.name, p, tc.typ, tc.array, tc.key, tc.embedded)
		}
	}
	te := cl.Method("TestEmbedded")
	if te == nil || !te.Static || len(te.Parameters) != 4 {
		t.Fatalf("TestEmbedded = %+v", te)
	}
	p := te.Parameter("testObjectsArray")
	if p == nil || !p.Array || !p.In || !p.Out || p.Type != model.TypeInstance || p.EmbeddedClass != "X_TestObject" {
		t.Errorf("testObjectsArray = %+v", p)
	}
	if m := cl.Method("SpellMagnitude"); m == nil || m.ReturnType != model.TypeString || m.Static {
		t.Errorf("SpellMagnitude = %+v", m)
	}
	_, out := methodSchema(cl, "TestEmbedded")
	if out.Property("ReturnValue") == nil || out.Property("objectSingle") == nil {
		t.Errorf("out schema = %+v", out)
	}
}

func TestNestedEPRSelectors(t *testing.T) {
	d := NewDecoder(fixture(t, "openwsman_epr_selector_with_nested_EndpointReference.xml"))
	// The header's ResourceURI and SelectorSet describe an EPR.
	ref := &model.Reference{}
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if se.Name.Local == "ResourceURI" || se.Name.Local == "SelectorSet" {
			if err := decodeEPRChild(d, se, ref); err != nil {
				t.Fatal(err)
			}
		}
	}
	finishRef(ref)
	if ref.ClassName != "CIM_IndicationSubscription" || len(ref.Selectors) != 2 {
		t.Fatalf("ref = %+v", ref)
	}
	f, _ := ref.Selector("Filter")
	if f.Ref == nil || f.Ref.ClassName != "CIM_IndicationHandlerCIMXML" || len(f.Ref.Selectors) != 4 {
		t.Fatalf("Filter = %+v", f.Ref)
	}
	if s, _ := f.Ref.Selector("Name"); s.Value != "OperatingSystemHandler0" {
		t.Errorf("Filter.Name = %q", s.Value)
	}
	// Write it back and read it again: the nesting survives.
	out := AppendEPR(nil, ref, FormDMTF)
	d = NewDecoder(out)
	se, _, err := findStart(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeEPR(d, se)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(ref) || !bytes.Contains(out, []byte(`<w:Selector Name="Handler"><a:EndpointReference>`)) {
		t.Errorf("round trip: %+v\n%s", back, out)
	}
}
