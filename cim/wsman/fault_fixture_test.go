package wsman

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

func TestDecodeFaultFixtures(t *testing.T) {
	tests := []struct {
		file     string
		code     string
		subcode  string
		reason   string // prefix
		detail   string
		wsman    uint32
		machine  string
		message  string // prefix of WSManMessage
		category model.Category
		errCode  uint32
	}{
		{
			file: "fault_InvalidSelectors_UnexpectedSelectors_FaultDetail.xml", code: "s:Sender", subcode: "w:InvalidSelectors",
			reason: "The WS-Management service cannot process the request because the request contained invalid selectors for the resource.",
			detail: "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
			wsman:  2150858843, machine: "windows-host",
			message:  "The request for the Windows Remote Shell with ShellId B387C9DF-58ED-4E97-AE80-4117D8D12116 failed",
			category: model.CategoryInvalidParameter,
		},
		{
			file: "fault_enumerate_CannotProcessFilter_v1_wsmanfault_providerfault.xml", code: "s:Sender", subcode: "n:CannotProcessFilter",
			reason: "The data source could not process the filter.", wsman: 2150858778,
			message:  "The specified class does not exist in the given namespace.",
			category: model.CategoryInvalidClass,
		},
		{
			file: "fault_enumerate_CannotProcessFilter_v2_extendedstatus.xml", code: "s:Sender", subcode: "n:CannotProcessFilter",
			reason: "The data source could not process the filter.", wsman: 2150858778, machine: "localhost",
			message:  "The specified class does not exist in the given namespace.",
			category: model.CategoryInvalidClass,
		},
		{
			file: "fault_max_concurrent_operations_InternalError.xml", code: "s:Receiver", subcode: "w:InternalError",
			reason: "The WS-Management service cannot process the request. The maximum number of concurrent operations",
			wsman:  2150859174, machine: "103040106",
			message:  "The WS-Management service cannot process the request. This user is allowed a maximum number of 15 concurrent operations",
			category: model.CategoryQuota,
		},
		{
			file: "mswsmv_4.10_fault_DestinationUnreachable_ResourceNotFound.xml", code: "s:Sender", subcode: "a:DestinationUnreachable",
			reason: "The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors.",
			detail: "wsman:faultDetail/ResourceNotFound", wsman: 32768, machine: "http://localhost:80/wsman",
			message:  "The WS-Management service cannot process the request. The service cannot find the resource",
			category: model.CategoryInvalidClass,
		},
		{
			file: "omi_fault_InternalError_get_instance.xml", code: "s:Receiver", subcode: "w:InternalError",
			reason:   "get-instance: instance name parameter is missing",
			category: model.CategoryFailed,
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			f := DecodeFault(500, fixture(t, tc.file))
			if f.HTTPStatus != 500 || f.Code != tc.code || f.Subcode != tc.subcode {
				t.Errorf("status/code/subcode = %d %q %q, want 500 %q %q", f.HTTPStatus, f.Code, f.Subcode, tc.code, tc.subcode)
			}
			if !strings.HasPrefix(f.Reason, tc.reason) {
				t.Errorf("Reason = %q, want prefix %q", f.Reason, tc.reason)
			}
			if f.Detail != tc.detail {
				t.Errorf("Detail = %q, want %q", f.Detail, tc.detail)
			}
			if f.WSManCode != tc.wsman || f.Machine != tc.machine {
				t.Errorf("WSManCode/Machine = %d %q, want %d %q", f.WSManCode, f.Machine, tc.wsman, tc.machine)
			}
			if !strings.HasPrefix(f.WSManMessage, tc.message) {
				t.Errorf("WSManMessage = %q, want prefix %q", f.WSManMessage, tc.message)
			}
			if f.Category != tc.category {
				t.Errorf("Category = %q, want %q", f.Category, tc.category)
			}
			if f.ErrorCode != tc.errCode {
				t.Errorf("ErrorCode = %#x, want %#x", f.ErrorCode, tc.errCode)
			}
		})
	}
}

// The v2 fault carries __ExtendedStatus (WinMgmt, ExecQuery) inside the
// provider fault; its fields must not be lost and the hex code shows.
func TestDecodeFaultExtendedStatusAndError(t *testing.T) {
	f := DecodeFault(500, fixture(t, "fault_enumerate_CannotProcessFilter_v2_extendedstatus.xml"))
	msg := f.Error()
	for _, want := range []string{"The specified class does not exist in the given namespace.", "HTTP 500", "n:CannotProcessFilter", "WS-Man 2150858778 (0x8033801A)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Error() = %q, missing %q", msg, want)
		}
	}
	f = DecodeFault(500, fixture(t, "fault_max_concurrent_operations_InternalError.xml"))
	if !strings.Contains(f.Error(), "0x803381A6") {
		t.Errorf("Error() = %q, want the hex WS-Man code", f.Error())
	}
}
