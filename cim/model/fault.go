package model

import (
	"errors"
	"fmt"
	"strings"
)

// Category is a stable, coarse classification of a failure that scripts
// can test without parsing messages.
type Category string

// The failure categories.
const (
	CategoryAccessDenied     Category = "access_denied"     // 401, w:AccessDenied, CIM_ERR_ACCESS_DENIED
	CategoryUnreachable      Category = "unreachable"       // DNS, dial, TLS, connection reset
	CategoryTimeout          Category = "timeout"           // w:TimedOut, deadlines
	CategoryCanceled         Category = "canceled"          // the caller cancelled
	CategoryInvalidClass     Category = "invalid_class"     // unknown class, DestinationUnreachable
	CategoryInvalidNamespace Category = "invalid_namespace" // unknown namespace
	CategoryInvalidQuery     Category = "invalid_query"     // bad WQL, CannotProcessFilter
	CategoryInvalidParameter Category = "invalid_parameter" // bad selectors, arguments, values
	CategoryNotFound         Category = "not_found"         // no such instance
	CategoryAlreadyExists    Category = "already_exists"
	CategoryNotSupported     Category = "not_supported" // operation or feature not supported
	CategoryMethodNotFound   Category = "method_not_found"
	CategoryQuota            Category = "quota"    // QuotaLimit, concurrent operations, EncodingLimit
	CategoryProtocol         Category = "protocol" // malformed or unexpected replies
	CategoryFailed           Category = "failed"   // anything else
)

// CategoryConnection: the connection dropped after the request was sent,
// so whether the server acted on it is unknown, and the request was not
// sent again because that is unsafe for what it does (a Pull whose batch
// may be lost, an Invoke that may run twice).
const CategoryConnection Category = "connection"

// CIMStatus is a CIM status code (DSP0200 CIM_ERR_*).
type CIMStatus int

// The CIM status codes.
const (
	CIMFailed                     CIMStatus = 1
	CIMAccessDenied               CIMStatus = 2
	CIMInvalidNamespace           CIMStatus = 3
	CIMInvalidParameter           CIMStatus = 4
	CIMInvalidClass               CIMStatus = 5
	CIMNotFound                   CIMStatus = 6
	CIMNotSupported               CIMStatus = 7
	CIMClassHasChildren           CIMStatus = 8
	CIMClassHasInstances          CIMStatus = 9
	CIMInvalidSuperclass          CIMStatus = 10
	CIMAlreadyExists              CIMStatus = 11
	CIMNoSuchProperty             CIMStatus = 12
	CIMTypeMismatch               CIMStatus = 13
	CIMQueryLanguageNotSupported  CIMStatus = 14
	CIMInvalidQuery               CIMStatus = 15
	CIMMethodNotAvailable         CIMStatus = 16
	CIMMethodNotFound             CIMStatus = 17
	CIMNamespaceNotEmpty          CIMStatus = 20
	CIMInvalidEnumerationContext  CIMStatus = 21
	CIMInvalidOperationTimeout    CIMStatus = 22
	CIMPullHasBeenAbandoned       CIMStatus = 23
	CIMPullCannotBeAbandoned      CIMStatus = 24
	CIMFilteredEnumerationNotSupp CIMStatus = 25
	CIMContinuationOnErrorNotSupp CIMStatus = 26
	CIMServerLimitsExceeded       CIMStatus = 27
	CIMServerIsShuttingDown       CIMStatus = 28
)

var cimStatusNames = map[CIMStatus]string{
	CIMFailed: "CIM_ERR_FAILED", CIMAccessDenied: "CIM_ERR_ACCESS_DENIED",
	CIMInvalidNamespace: "CIM_ERR_INVALID_NAMESPACE", CIMInvalidParameter: "CIM_ERR_INVALID_PARAMETER",
	CIMInvalidClass: "CIM_ERR_INVALID_CLASS", CIMNotFound: "CIM_ERR_NOT_FOUND",
	CIMNotSupported: "CIM_ERR_NOT_SUPPORTED", CIMClassHasChildren: "CIM_ERR_CLASS_HAS_CHILDREN",
	CIMClassHasInstances: "CIM_ERR_CLASS_HAS_INSTANCES", CIMInvalidSuperclass: "CIM_ERR_INVALID_SUPERCLASS",
	CIMAlreadyExists: "CIM_ERR_ALREADY_EXISTS", CIMNoSuchProperty: "CIM_ERR_NO_SUCH_PROPERTY",
	CIMTypeMismatch: "CIM_ERR_TYPE_MISMATCH", CIMQueryLanguageNotSupported: "CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED",
	CIMInvalidQuery: "CIM_ERR_INVALID_QUERY", CIMMethodNotAvailable: "CIM_ERR_METHOD_NOT_AVAILABLE",
	CIMMethodNotFound: "CIM_ERR_METHOD_NOT_FOUND", CIMNamespaceNotEmpty: "CIM_ERR_NAMESPACE_NOT_EMPTY",
	CIMInvalidEnumerationContext: "CIM_ERR_INVALID_ENUMERATION_CONTEXT", CIMInvalidOperationTimeout: "CIM_ERR_INVALID_OPERATION_TIMEOUT",
	CIMPullHasBeenAbandoned: "CIM_ERR_PULL_HAS_BEEN_ABANDONED", CIMPullCannotBeAbandoned: "CIM_ERR_PULL_CANNOT_BE_ABANDONED",
	CIMFilteredEnumerationNotSupp: "CIM_ERR_FILTERED_ENUMERATION_NOT_SUPPORTED", CIMContinuationOnErrorNotSupp: "CIM_ERR_CONTINUATION_ON_ERROR_NOT_SUPPORTED",
	CIMServerLimitsExceeded: "CIM_ERR_SERVER_LIMITS_EXCEEDED", CIMServerIsShuttingDown: "CIM_ERR_SERVER_IS_SHUTTING_DOWN",
}

// String returns the DSP0200 name ("CIM_ERR_NOT_FOUND").
func (s CIMStatus) String() string {
	if n, ok := cimStatusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("CIM_ERR_%d", int(s))
}

// Category returns the category a CIM status code falls in.
func (s CIMStatus) Category() Category {
	switch s {
	case CIMAccessDenied:
		return CategoryAccessDenied
	case CIMInvalidNamespace:
		return CategoryInvalidNamespace
	case CIMInvalidParameter, CIMTypeMismatch, CIMNoSuchProperty:
		return CategoryInvalidParameter
	case CIMInvalidClass:
		return CategoryInvalidClass
	case CIMNotFound:
		return CategoryNotFound
	case CIMNotSupported, CIMQueryLanguageNotSupported, CIMFilteredEnumerationNotSupp:
		return CategoryNotSupported
	case CIMAlreadyExists:
		return CategoryAlreadyExists
	case CIMInvalidQuery:
		return CategoryInvalidQuery
	case CIMMethodNotAvailable, CIMMethodNotFound:
		return CategoryMethodNotFound
	case CIMServerLimitsExceeded:
		return CategoryQuota
	}
	return CategoryFailed
}

// Fault is the error every cim operation returns for a failure: a SOAP
// fault from a WS-Man server, an HTTP or network failure, or a provider's
// CIM error. Fields that do not apply are zero.
type Fault struct {
	Category     Category
	ComputerName string
	HTTPStatus   int

	// The SOAP fault: Code and Subcode as "prefix:Local" with the
	// conventional prefixes (s:, w:, a:, n:, wsen:), Reason its text, and
	// Detail the w:FaultDetail URI.
	Code    string
	Subcode string
	Reason  string
	Detail  string

	// The WSManFault detail.
	WSManCode    uint32
	WSManMessage string
	Machine      string

	// The WMI/CIM error (MSFT_WmiError, OMI_Error, ProviderFault, or a
	// local provider's status).
	CIMStatus  CIMStatus
	CIMMessage string
	MessageID  string // "HRESULT 0x80041010"
	ErrorCode  uint32 // the WMI error code (0x80041010), when given

	// Err is the underlying cause (a network error, context.Canceled).
	Err error
}

// NewFault returns a provider fault with a CIM status and message; its
// category follows the status.
func NewFault(status CIMStatus, format string, args ...any) *Fault {
	return &Fault{Category: status.Category(), CIMStatus: status, CIMMessage: fmt.Sprintf(format, args...)}
}

// Error describes the fault on one line: what failed first, then the codes.
func (f *Fault) Error() string {
	var b strings.Builder
	if f.ComputerName != "" {
		b.WriteString(f.ComputerName)
		b.WriteString(": ")
	}
	b.WriteString(f.Summary())
	var codes []string
	if f.HTTPStatus != 0 {
		codes = append(codes, fmt.Sprintf("HTTP %d", f.HTTPStatus))
	}
	if f.Subcode != "" {
		codes = append(codes, f.Subcode)
	}
	if f.WSManCode != 0 {
		codes = append(codes, fmt.Sprintf("WS-Man %d (0x%08X)", f.WSManCode, f.WSManCode))
	}
	if f.CIMStatus != 0 {
		codes = append(codes, fmt.Sprintf("CIM %d %s", int(f.CIMStatus), f.CIMStatus))
	}
	if f.ErrorCode != 0 {
		codes = append(codes, fmt.Sprintf("0x%08X", f.ErrorCode))
	}
	if len(codes) > 0 {
		b.WriteString(" [")
		b.WriteString(strings.Join(codes, ", "))
		b.WriteString("]")
	}
	return b.String()
}

// Summary returns the most specific human message the fault carries.
func (f *Fault) Summary() string {
	for _, s := range []string{f.CIMMessage, f.WSManMessage, f.Reason} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	if f.HTTPStatus == 401 {
		return "credentials rejected"
	}
	if f.Err != nil {
		return f.Err.Error()
	}
	if f.Category != "" {
		return strings.ReplaceAll(string(f.Category), "_", " ")
	}
	return "unknown failure"
}

// Unwrap returns the underlying cause.
func (f *Fault) Unwrap() error { return f.Err }

// Is makes errors.Is(err, model.ErrNotFound) and the like work by category.
func (f *Fault) Is(target error) bool {
	if c, ok := target.(categoryError); ok {
		return f.Category == Category(c)
	}
	return false
}

type categoryError Category

func (c categoryError) Error() string { return "cim: " + strings.ReplaceAll(string(c), "_", " ") }

// Sentinel errors matching faults by category with errors.Is.
var (
	ErrAccessDenied  error = categoryError(CategoryAccessDenied)
	ErrUnreachable   error = categoryError(CategoryUnreachable)
	ErrTimeout       error = categoryError(CategoryTimeout)
	ErrNotFound      error = categoryError(CategoryNotFound)
	ErrInvalidClass  error = categoryError(CategoryInvalidClass)
	ErrInvalidQuery  error = categoryError(CategoryInvalidQuery)
	ErrNotSupported  error = categoryError(CategoryNotSupported)
	ErrQuota         error = categoryError(CategoryQuota)
	ErrProtocol      error = categoryError(CategoryProtocol)
	ErrInvalidParam  error = categoryError(CategoryInvalidParameter)
	ErrMethodMissing error = categoryError(CategoryMethodNotFound)
)

// AsFault returns err as a *Fault when it is or wraps one.
func AsFault(err error) (*Fault, bool) {
	var f *Fault
	ok := errors.As(err, &f)
	return f, ok
}
