package wsman

import "testing"

func TestResourceURIs(t *testing.T) {
	tests := []struct {
		form          URIForm
		ns, class     string
		uri           string
		wantNS, wantC string
		nsSelector    bool
	}{
		{FormDMTF, "root/cimv2", "Win32_Service", PrefixDMTFClass + "Win32_Service", "", "Win32_Service", true},
		{FormWMI, "root/cimv2", "Win32_Service", PrefixWMI + "root/cimv2/Win32_Service", "root/cimv2", "Win32_Service", false},
		{FormWMI, `root\standardcimv2`, "MSFT_NetAdapter", PrefixWMI + "root/standardcimv2/MSFT_NetAdapter", "root/standardcimv2", "MSFT_NetAdapter", false},
		{FormWMI, "", "*", PrefixWMI + "root/cimv2/*", "root/cimv2", "*", false},
		{FormDMTF, "root/cimv2", "*", AllClassesDMTF, "", "*", true},
	}
	for _, tc := range tests {
		if got := ResourceURI(tc.form, tc.ns, tc.class); got != tc.uri {
			t.Errorf("ResourceURI(%v, %q, %q) = %q, want %q", tc.form, tc.ns, tc.class, got, tc.uri)
		}
		ns, c := ParseResourceURI(tc.uri)
		if ns != tc.wantNS || c != tc.wantC {
			t.Errorf("ParseResourceURI(%q) = %q, %q", tc.uri, ns, c)
		}
		if needsNamespaceSelector(tc.uri) != tc.nsSelector {
			t.Errorf("needsNamespaceSelector(%q) = %v", tc.uri, !tc.nsSelector)
		}
	}
	for uri, want := range map[string]bool{
		"http://schemas.microsoft.com/wbem/wsman/1/config":                             false,
		"http://schemas.microsoft.com/wbem/wsman/1/windows/EventLog":                   false,
		"http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/OMI_Datetime":          true,
		"http://schema.omc-project.org/wbem/wscim/1/cim-schema/2/CIM_IndicationFilter": true,
		ClassSchemaURI: true,
	} {
		if needsNamespaceSelector(uri) != want {
			t.Errorf("needsNamespaceSelector(%q) != %v", uri, want)
		}
	}
	if _, c := ParseResourceURI(PrefixDMTFClass + "CIM_X?__cimnamespace=root/x"); c != "CIM_X" {
		t.Errorf("query not stripped: %q", c)
	}
}
