package wsman

import (
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// WS-Management error codes (f:WSManFault Code) with a meaning of their own.
const (
	CodeDestinationUnreachable = 0x80338000 // 2150858752
	CodeCannotProcessFilter    = 0x8033801A // 2150858778
	CodeInvalidSelectors       = 0x8033805B // 2150858843
	CodeTimedOut               = 0x80338029 // 2150858793
	CodeMaxConcurrentOps       = 0x803381A6 // 2150859174
)

// WMI error codes (HRESULTs) that decide a category.
var wmiCategories = map[uint32]model.Category{
	0x80041002: model.CategoryNotFound,         // WBEM_E_NOT_FOUND
	0x80041003: model.CategoryAccessDenied,     // WBEM_E_ACCESS_DENIED
	0x80041005: model.CategoryInvalidParameter, // WBEM_E_TYPE_MISMATCH
	0x80041008: model.CategoryInvalidParameter, // WBEM_E_INVALID_PARAMETER
	0x8004100C: model.CategoryNotSupported,     // WBEM_E_NOT_SUPPORTED
	0x8004100E: model.CategoryInvalidNamespace, // WBEM_E_INVALID_NAMESPACE
	0x80041010: model.CategoryInvalidClass,     // WBEM_E_INVALID_CLASS
	0x80041017: model.CategoryInvalidQuery,     // WBEM_E_INVALID_QUERY
	0x80041018: model.CategoryInvalidQuery,     // WBEM_E_INVALID_QUERY_TYPE
	0x80041019: model.CategoryAlreadyExists,    // WBEM_E_ALREADY_EXISTS
	0x80041024: model.CategoryNotSupported,     // WBEM_E_PROVIDER_NOT_CAPABLE
	0x80041055: model.CategoryMethodNotFound,   // WBEM_E_METHOD_NOT_IMPLEMENTED
	0x80041032: model.CategoryTimeout,          // WBEM_E_CALL_CANCELLED
}

// Subcodes (local names) and their categories.
var subcodeCategories = map[string]model.Category{
	"AccessDenied":                      model.CategoryAccessDenied,
	"TimedOut":                          model.CategoryTimeout,
	"QuotaLimit":                        model.CategoryQuota,
	"EncodingLimit":                     model.CategoryQuota,
	"CannotProcessFilter":               model.CategoryInvalidQuery,
	"FilteringNotSupported":             model.CategoryNotSupported,
	"FilterDialectRequestedUnavailable": model.CategoryNotSupported,
	"InvalidSelectors":                  model.CategoryInvalidParameter,
	"SchemaValidationError":             model.CategoryInvalidParameter,
	"InvalidParameter":                  model.CategoryInvalidParameter,
	"InvalidOptions":                    model.CategoryInvalidParameter,
	"InvalidValue":                      model.CategoryInvalidParameter,
	"InvalidRepresentation":             model.CategoryInvalidParameter,
	"UnsupportedFeature":                model.CategoryNotSupported,
	"ActionNotSupported":                model.CategoryNotSupported,
	"AlreadyExists":                     model.CategoryAlreadyExists,
	"DestinationUnreachable":            model.CategoryInvalidClass,
	"EndpointUnavailable":               model.CategoryUnreachable,
	"InvalidEnumerationContext":         model.CategoryFailed,
	"InvalidMessageInformationHeader":   model.CategoryProtocol,
	"MessageInformationHeaderRequired":  model.CategoryProtocol,
	"InvalidMessage":                    model.CategoryProtocol,
}

// categorize gives a fault its stable category: the CIM status when the
// provider gave one, then the WMI error code, then the WS-Man subcode
// (refined by the WS-Man code and message), then the HTTP status.
func categorize(f *model.Fault) model.Category {
	if f.HTTPStatus == 401 {
		return model.CategoryAccessDenied
	}
	if f.CIMStatus != 0 {
		if c := f.CIMStatus.Category(); c != model.CategoryFailed {
			return c
		}
	}
	if c, ok := wmiCategories[f.ErrorCode]; ok {
		return c
	}
	msg := strings.ToLower(f.WSManMessage + " " + f.CIMMessage + " " + f.Reason)
	local := f.Subcode
	if i := strings.IndexByte(local, ':'); i >= 0 {
		local = local[i+1:]
	}
	switch local {
	case "InternalError":
		if f.WSManCode == CodeMaxConcurrentOps || strings.Contains(msg, "concurrent operations") {
			return model.CategoryQuota
		}
		return model.CategoryFailed
	case "DestinationUnreachable", "CannotProcessFilter":
		if strings.Contains(msg, "invalid namespace") || strings.Contains(msg, "namespace does not exist") ||
			strings.Contains(msg, "namespace is invalid") {
			return model.CategoryInvalidNamespace
		}
		if strings.Contains(msg, "class does not exist") || strings.Contains(msg, "invalid class") {
			return model.CategoryInvalidClass
		}
	}
	if c, ok := subcodeCategories[local]; ok {
		return c
	}
	if local != "" || f.Code != "" {
		return model.CategoryFailed
	}
	switch f.HTTPStatus {
	case 404, 502, 503, 504:
		return model.CategoryUnreachable
	case 413:
		return model.CategoryQuota
	}
	return model.CategoryProtocol
}
