package wmi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// windowsFault is the WS-Man fault Windows sends for a WMI error: the
// HRESULT in MSFT_WmiError's error_Code (as in TestWMIFaultDetail's
// capture-shaped body), the subcode saying nothing more.
func windowsFault(hr uint32) []byte {
	return fmt.Appendf(nil, `<s:Envelope xmlns:s="%s" xmlns:w="%s"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:InternalError</s:Value></s:Subcode></s:Code>`+
		`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request.</s:Text></s:Reason><s:Detail>`+
		`<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:b="http://schemas.microsoft.com/wbem/wsman/1/cim/Binding" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError" xmlns:cim="%s" xmlns:xsi="%s" xsi:type="p:MSFT_WmiError_Type">`+
		`<p:Message xsi:type="cim:cimString">failed</p:Message><p:MessageID xsi:type="cim:cimString">HRESULT 0x%08X</p:MessageID><p:error_Code xsi:type="cim:cimUnsignedInt">%d</p:error_Code></p:MSFT_WmiError></s:Detail></s:Fault></s:Body></s:Envelope>`,
		wsman.NsSOAP, wsman.NsWSMan, wsman.NsCIMCommon, wsman.NsXSI, hr, hr)
}

// TestHRESULTCategories: every WMI HRESULT this package names gets the
// category a WS-Man fault carrying the same HRESULT gets, where the
// WS-Man side decides one from the HRESULT (one exception, below); the
// HRESULT is kept in the fault and its message.
func TestHRESULTCategories(t *testing.T) {
	decided := 0
	for hr, info := range hresults {
		f := Fault("GetObject", hr, "")
		if f.ErrorCode != hr || f.CIMStatus != info.status || f.MessageID != fmt.Sprintf("HRESULT 0x%08X", hr) {
			t.Errorf("0x%08X: %+v", hr, f)
		}
		if want := fmt.Sprintf("0x%08x", hr); !strings.Contains(strings.ToLower(f.Error()), want) {
			t.Errorf("0x%08X: message %q lacks the HRESULT", hr, f.Error())
		}
		ws := wsman.DecodeFault(500, windowsFault(hr))
		if ws.ErrorCode != hr {
			t.Fatalf("0x%08X: the WS-Man fault decoded as %+v", hr, ws)
		}
		if ws.Category == model.CategoryFailed || ws.Category == model.CategoryProtocol {
			continue // WS-Man decides nothing from this HRESULT
		}
		if hr == EInvalidQueryType {
			// WS-Man's table says invalid_query, its subcode for the
			// same refusal (FilterDialectRequestedUnavailable) and CIM
			// status 14 say not_supported, as DCOM does.
			if f.Category != model.CategoryNotSupported {
				t.Errorf("WBEM_E_INVALID_QUERY_TYPE: %s", f.Category)
			}
			continue
		}
		decided++
		if f.Category != ws.Category {
			t.Errorf("0x%08X %s: category %s over DCOM, %s over WS-Man", hr, info.name, f.Category, ws.Category)
		}
	}
	if decided < 10 {
		t.Fatalf("only %d HRESULTs compared", decided)
	}
}
