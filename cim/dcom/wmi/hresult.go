package wmi

import (
	"fmt"

	"github.com/cimsh/cimsh/cim/model"
)

// WMI status codes (MS-WMI 2.2.11).
const (
	SOK                    = 0x00000000
	SFalse                 = 0x00000001
	STimedOut              = 0x00040004
	EFailed                = 0x80041001
	ENotFound              = 0x80041002
	EAccessDenied          = 0x80041003
	EProviderFailure       = 0x80041004
	ETypeMismatch          = 0x80041005
	EOutOfMemory           = 0x80041006
	EInvalidContext        = 0x80041007
	EInvalidParameter      = 0x80041008
	ENotAvailable          = 0x80041009
	ECriticalError         = 0x8004100a
	ENotSupported          = 0x8004100c
	EInvalidNamespace      = 0x8004100e
	EInvalidObject         = 0x8004100f
	EInvalidClass          = 0x80041010
	EInvalidQuery          = 0x80041017
	EInvalidQueryType      = 0x80041018
	EAlreadyExists         = 0x80041019
	EInvalidMethod         = 0x8004102e
	EInvalidMethodParams   = 0x8004102f
	EProviderNotCapable    = 0x80041024
	EInvalidObjectPath     = 0x8004103a
	EMethodNotImplemented  = 0x80041055
	EQuotaViolation        = 0x8004106c
	ETimedOut              = 0x80043001
	ECallCancelled         = 0x80041032
	EAccessDeniedWin32     = 0x80070005
	ENotImpl               = 0x80004001
	WbemFlagReturnImmed    = 0x10
	WbemFlagForwardOnly    = 0x20
	WbemFlagShallow        = 0x1
	WbemFlagCreateOnly     = 0x2
	WbemFlagUpdateOnly     = 0x1
	WbemFlagUseAmendedQual = 0x20000
)

type hrInfo struct {
	status model.CIMStatus
	name   string
	text   string
}

var hresults = map[uint32]hrInfo{
	EFailed:               {model.CIMFailed, "WBEM_E_FAILED", "the call failed"},
	ENotFound:             {model.CIMNotFound, "WBEM_E_NOT_FOUND", "not found"},
	EAccessDenied:         {model.CIMAccessDenied, "WBEM_E_ACCESS_DENIED", "access denied"},
	EAccessDeniedWin32:    {model.CIMAccessDenied, "E_ACCESSDENIED", "access denied"},
	EProviderFailure:      {model.CIMFailed, "WBEM_E_PROVIDER_FAILURE", "provider failure"},
	ETypeMismatch:         {model.CIMTypeMismatch, "WBEM_E_TYPE_MISMATCH", "type mismatch"},
	EOutOfMemory:          {model.CIMServerLimitsExceeded, "WBEM_E_OUT_OF_MEMORY", "out of memory"},
	EInvalidParameter:     {model.CIMInvalidParameter, "WBEM_E_INVALID_PARAMETER", "invalid parameter"},
	ENotAvailable:         {model.CIMFailed, "WBEM_E_NOT_AVAILABLE", "not available"},
	ENotSupported:         {model.CIMNotSupported, "WBEM_E_NOT_SUPPORTED", "not supported"},
	EInvalidNamespace:     {model.CIMInvalidNamespace, "WBEM_E_INVALID_NAMESPACE", "invalid namespace"},
	EInvalidObject:        {model.CIMInvalidParameter, "WBEM_E_INVALID_OBJECT", "invalid object"},
	EInvalidClass:         {model.CIMInvalidClass, "WBEM_E_INVALID_CLASS", "invalid class"},
	EInvalidQuery:         {model.CIMInvalidQuery, "WBEM_E_INVALID_QUERY", "invalid query"},
	EInvalidQueryType:     {model.CIMQueryLanguageNotSupported, "WBEM_E_INVALID_QUERY_TYPE", "query language not supported"},
	EAlreadyExists:        {model.CIMAlreadyExists, "WBEM_E_ALREADY_EXISTS", "already exists"},
	EInvalidMethod:        {model.CIMMethodNotFound, "WBEM_E_INVALID_METHOD", "invalid method"},
	EInvalidMethodParams:  {model.CIMInvalidParameter, "WBEM_E_INVALID_METHOD_PARAMETERS", "invalid method parameters"},
	EInvalidObjectPath:    {model.CIMInvalidParameter, "WBEM_E_INVALID_OBJECT_PATH", "invalid object path"},
	EProviderNotCapable:   {model.CIMNotSupported, "WBEM_E_PROVIDER_NOT_CAPABLE", "the provider cannot do this"},
	EInvalidContext:       {model.CIMInvalidParameter, "WBEM_E_INVALID_CONTEXT", "invalid context"},
	EMethodNotImplemented: {model.CIMMethodNotAvailable, "WBEM_E_METHOD_NOT_IMPLEMENTED", "method not implemented"},
	EQuotaViolation:       {model.CIMServerLimitsExceeded, "WBEM_E_QUOTA_VIOLATION", "quota violation"},
	ETimedOut:             {model.CIMFailed, "WBEM_E_TIMED_OUT", "timed out"},
	ECallCancelled:        {model.CIMFailed, "WBEM_E_CALL_CANCELLED", "the call was cancelled (it ran out of time)"},
	ENotImpl:              {model.CIMNotSupported, "E_NOTIMPL", "not implemented"},
}

// HRESULTOf maps a CIM status to the WMI HRESULT Windows returns for it.
func HRESULTOf(s model.CIMStatus) uint32 {
	switch s {
	case model.CIMAccessDenied:
		return EAccessDenied
	case model.CIMInvalidNamespace:
		return EInvalidNamespace
	case model.CIMInvalidParameter, model.CIMNoSuchProperty:
		return EInvalidParameter
	case model.CIMInvalidClass:
		return EInvalidClass
	case model.CIMNotFound:
		return ENotFound
	case model.CIMNotSupported, model.CIMFilteredEnumerationNotSupp:
		return ENotSupported
	case model.CIMAlreadyExists:
		return EAlreadyExists
	case model.CIMTypeMismatch:
		return ETypeMismatch
	case model.CIMQueryLanguageNotSupported:
		return EInvalidQueryType
	case model.CIMInvalidQuery:
		return EInvalidQuery
	case model.CIMMethodNotFound:
		return EInvalidMethod
	case model.CIMMethodNotAvailable:
		return EMethodNotImplemented
	case model.CIMServerLimitsExceeded:
		return EQuotaViolation
	}
	return EFailed
}

// Fault turns a failed HRESULT from method into a *model.Fault with the
// CIM status and category WS-Man faults carry for the same condition.
func Fault(method string, hr uint32, detail string) *model.Fault {
	info, ok := hresults[hr]
	if !ok {
		info = hrInfo{model.CIMFailed, "", "the call failed"}
	}
	msg := info.text
	if detail != "" {
		msg = detail
	}
	if info.name != "" {
		msg += " (" + info.name + ")"
	} else {
		msg += fmt.Sprintf(" (%s)", method)
	}
	f := &model.Fault{
		Category:   info.status.Category(),
		CIMStatus:  info.status,
		CIMMessage: msg,
		MessageID:  fmt.Sprintf("HRESULT 0x%08X", hr),
		ErrorCode:  hr,
	}
	if hr == ETimedOut || hr == ECallCancelled {
		f.Category = model.CategoryTimeout
	}
	return f
}

// Name returns the symbolic name of a WMI HRESULT ("" when unknown).
func Name(hr uint32) string { return hresults[hr].name }
