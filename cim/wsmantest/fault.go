package wsmantest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// FaultSpec describes a fault for InjectFault (or one the server derives
// from a provider error). Subcode uses the conventional prefixes: w: for
// WS-Management, a: for addressing, n: (or wsen:) for enumeration. Fields
// left zero take the subcode's defaults: code, reason and WSMan code as
// Windows sends them.
type FaultSpec struct {
	HTTPStatus int    // default 500
	EmptyBody  bool   // answer HTTPStatus with no body at all
	Close      bool   // drop the TCP connection without answering
	Code       string // "s:Sender" or "s:Receiver"
	Subcode    string // "w:TimedOut", "a:DestinationUnreachable", ...
	Reason     string
	Detail     string // the w:FaultDetail URI
	WSManCode  uint32
	Message    string // the f:Message text (Windows); defaults to Reason
	// CIM is a provider error reported in the fault detail
	// (ProviderFault with MSFT_WmiError on Windows, OMI_Error on OMI).
	CIM *model.Fault
	// Delay is waited before answering.
	Delay time.Duration
	// Times is how many matching requests get the fault: 0 means once,
	// a negative number means every one.
	Times int
	// AfterServing serves the request first, so the server acts on it (a
	// Pull's batch is handed out and gone from the server, an Invoke
	// runs), and then answers with this spec instead of the reply: with
	// Close, the reply is lost on a dropped connection.
	AfterServing bool
	// PartialReply, with AfterServing and Close, sends the reply's
	// status line, its headers (with the full Content-Length) and the
	// first half of its body before dropping the connection.
	PartialReply bool
}

// Ready-made faults for InjectFault.
var (
	FaultTimedOut                  = FaultSpec{Subcode: "w:TimedOut"}
	FaultEncodingLimit             = FaultSpec{Subcode: "w:EncodingLimit"}
	FaultAccessDenied              = FaultSpec{Subcode: "w:AccessDenied"}
	FaultInvalidEnumerationContext = FaultSpec{Subcode: "n:InvalidEnumerationContext"}
	FaultInternalError             = FaultSpec{Subcode: "w:InternalError"}
	FaultQuotaLimit                = FaultSpec{Subcode: "w:InternalError", WSManCode: 2150859174,
		Reason: "The WS-Management service cannot process the request. The maximum number of concurrent operations for this user has been exceeded. Close existing operations for this user, or raise the quota for this user."}
	FaultEmpty500 = FaultSpec{HTTPStatus: 500, EmptyBody: true}
)

// subcodeInfo holds a subcode's defaults.
type subcodeInfo struct {
	code   string
	wsman  uint32
	reason string
	detail string
}

// The WSMan codes are winerror.h's ERROR_WSMAN_* values.
var subcodes = map[string]subcodeInfo{
	"w:TimedOut":                        {"s:Receiver", 2150858793, "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.", ""},
	"w:EncodingLimit":                   {"s:Sender", 2150858805, "The WS-Management service cannot process the request because the response would exceed the maximum envelope size (MaxEnvelopeSize).", "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/MaxEnvelopeSize"},
	"w:AccessDenied":                    {"s:Sender", 5, "Access is denied.", ""},
	"w:InvalidSelectors":                {"s:Sender", 2150858843, "The WS-Management service cannot process the request because the request contained invalid selectors for the resource.", ""},
	"a:DestinationUnreachable":          {"s:Sender", 2150858752, "The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors.", ""},
	"a:ActionNotSupported":              {"s:Sender", 2150858771, "The WS-Management service cannot process the request because the action is not supported for this resource.", ""},
	"n:CannotProcessFilter":             {"s:Sender", 2150858778, "The data source could not process the filter. The filter might be missing or it might be invalid. Change the filter and try the request again.", ""},
	"n:InvalidEnumerationContext":       {"s:Receiver", 2150858779, "The WS-Management service cannot process the request because the enumeration context is not valid or has expired.", ""},
	"w:InternalError":                   {"s:Receiver", 2150858755, "The WS-Management service cannot process the request. The service encountered an internal error.", ""},
	"w:QuotaLimit":                      {"s:Sender", 2150859174, "The WS-Management service cannot process the request because a quota was exceeded.", ""},
	"w:SchemaValidationError":           {"s:Sender", 2150858817, "The WS-Management service cannot process the request because the XML is not valid.", ""},
	"w:InvalidRepresentation":           {"s:Sender", 2150858773, "The WS-Management service cannot process the request because the instance representation is not valid.", ""},
	"w:AlreadyExists":                   {"s:Sender", 2150858772, "The WS-Management service cannot create the resource because it already exists.", ""},
	"w:UnsupportedFeature":              {"s:Sender", 2150858784, "The WS-Management service does not support the requested feature.", ""},
	"a:InvalidMessageInformationHeader": {"s:Sender", 2150858767, "The WS-Management service cannot process the request because a header is not valid.", ""},
}

// normalizeSubcode maps the prefix variants clients use (wsen:, wsman:,
// wsa:) to the conventional ones.
func normalizeSubcode(s string) string {
	p, local, ok := strings.Cut(s, ":")
	if !ok {
		return s
	}
	switch p {
	case "wsen", "n":
		p = "n"
	case "wsman", "w":
		p = "w"
	case "wsa", "a":
		p = "a"
	}
	return p + ":" + local
}

// wmiCodes are the WMI HRESULTs for CIM statuses (WBEM_E_*).
var wmiCodes = map[model.CIMStatus]uint32{
	model.CIMFailed: 0x80041001, model.CIMAccessDenied: 0x80041003,
	model.CIMInvalidNamespace: 0x8004100E, model.CIMInvalidParameter: 0x80041008,
	model.CIMInvalidClass: 0x80041010, model.CIMNotFound: 0x80041002,
	model.CIMNotSupported: 0x8004100C, model.CIMAlreadyExists: 0x80041019,
	model.CIMNoSuchProperty: 0x80041008, model.CIMTypeMismatch: 0x80041005,
	model.CIMQueryLanguageNotSupported: 0x80041018, model.CIMInvalidQuery: 0x80041017,
	model.CIMMethodNotAvailable: 0x80041055, model.CIMMethodNotFound: 0x80041030,
}

// opKind is the operation a request is, for fault mapping.
type opKind int

const (
	opOther opKind = iota
	opQuery        // an enumeration with a WQL filter
)

// faultFor turns a provider error into the fault a real server sends.
func faultFor(err error, kind opKind) FaultSpec {
	var f *model.Fault
	if !errors.As(err, &f) {
		return FaultSpec{Subcode: "w:InternalError", Reason: "wsmantest: " + err.Error(),
			CIM: model.NewFault(model.CIMFailed, "%s", err.Error())}
	}
	if f.Subcode != "" {
		return FaultSpec{Subcode: normalizeSubcode(f.Subcode), Reason: f.Reason, WSManCode: f.WSManCode,
			Message: f.WSManMessage, HTTPStatus: f.HTTPStatus, Detail: f.Detail}
	}
	spec := FaultSpec{CIM: f}
	switch {
	case f.Category == model.CategoryTimeout:
		spec.Subcode = "w:TimedOut"
	case f.CIMStatus == model.CIMAccessDenied || f.Category == model.CategoryAccessDenied:
		spec.Subcode = "w:AccessDenied"
	case f.CIMStatus == model.CIMInvalidClass && kind == opQuery:
		spec.Subcode = "n:CannotProcessFilter"
		spec.Message = "The specified class does not exist in the given namespace. "
	case f.CIMStatus == model.CIMInvalidClass, f.CIMStatus == model.CIMInvalidNamespace:
		spec.Subcode = "a:DestinationUnreachable"
	case f.CIMStatus == model.CIMNotFound:
		spec.Subcode = "w:InvalidSelectors"
	case f.CIMStatus == model.CIMInvalidQuery, f.CIMStatus == model.CIMQueryLanguageNotSupported:
		spec.Subcode = "n:CannotProcessFilter"
	case f.CIMStatus == model.CIMMethodNotFound, f.CIMStatus == model.CIMMethodNotAvailable,
		f.CIMStatus == model.CIMNotSupported:
		spec.Subcode = "a:ActionNotSupported"
	case f.CIMStatus == model.CIMAlreadyExists:
		spec.Subcode = "w:AlreadyExists"
	case f.CIMStatus == model.CIMInvalidEnumerationContext:
		spec.Subcode = "n:InvalidEnumerationContext"
	case f.CIMStatus == model.CIMServerLimitsExceeded:
		spec.Subcode = "w:QuotaLimit"
	default:
		spec.Subcode = "w:InternalError"
	}
	return spec
}

// filled returns spec with the subcode's defaults applied.
func (spec FaultSpec) filled() FaultSpec {
	spec.Subcode = normalizeSubcode(spec.Subcode)
	info, ok := subcodes[spec.Subcode]
	if !ok {
		info = subcodes["w:InternalError"]
	}
	if spec.Subcode == "" {
		spec.Subcode = "w:InternalError"
	}
	if spec.Code == "" {
		spec.Code = info.code
	}
	if spec.Reason == "" {
		spec.Reason = info.reason
	}
	if spec.WSManCode == 0 {
		spec.WSManCode = info.wsman
	}
	if spec.Detail == "" {
		spec.Detail = info.detail
	}
	if spec.HTTPStatus == 0 {
		spec.HTTPStatus = 500
	}
	return spec
}

// faultAction is the Action header of a fault with this subcode.
func faultAction(subcode string) string {
	switch {
	case strings.HasPrefix(subcode, "a:"):
		return actionFaultAddressing
	case strings.HasPrefix(subcode, "n:"):
		return actionFaultEnumeration
	}
	return actionFaultWSMan
}

// prefixed rewrites a conventional-prefix QName into the style's prefixes.
func (st style) prefixed(q string) string {
	p, local, ok := strings.Cut(q, ":")
	if !ok {
		return q
	}
	switch p {
	case "s":
		p = st.soap
	case "a":
		p = st.addr
	case "n":
		p = st.enum
	case "w":
		p = st.wsman
	}
	return p + ":" + local
}

// faultBody writes a whole fault envelope.
func (s *Server) faultBody(st style, spec FaultSpec, relatesTo string) []byte {
	spec = spec.filled()
	action := faultAction(spec.Subcode)
	if st.dialect == OMI {
		// OMI says what went wrong in the reason itself.
		action = actionFaultWSMan
		if spec.Message != "" {
			spec.Reason = spec.Message
		}
	}
	r := s.begin(st, action, relatesTo, "s a x e n w p", false)
	sp := st.soap
	r.raw("<", sp, ":Fault><", sp, ":Code><", sp, ":Value>", st.prefixed(spec.Code), "</", sp, ":Value><",
		sp, ":Subcode><", sp, ":Value>", st.prefixed(spec.Subcode), "</", sp, ":Value></", sp, ":Subcode></",
		sp, ":Code><", sp, ":Reason><", sp, `:Text xml:lang="en-US">`)
	r.text(spec.Reason)
	r.raw("</", sp, ":Text></", sp, ":Reason>")
	if st.dialect == OMI {
		if spec.CIM != nil && spec.CIM.CIMStatus != 0 {
			r.raw("<", sp, ":Detail>")
			s.omiError(&r.xw, spec.CIM)
			r.raw("</", sp, ":Detail>")
		}
	} else {
		r.raw("<s:Detail>")
		if spec.Detail != "" {
			r.raw("<w:FaultDetail>")
			r.text(spec.Detail)
			r.raw("</w:FaultDetail>")
		}
		s.wsmanFault(&r.xw, spec)
		r.raw("</s:Detail>")
	}
	r.raw("</", sp, ":Fault>")
	return r.end()
}

// wsmanFault writes Windows' f:WSManFault, with a ProviderFault and
// MSFT_WmiError for provider errors.
func (s *Server) wsmanFault(w *xw, spec FaultSpec) {
	host := s.computerName()
	w.raw("<f:WSManFault")
	w.attr("xmlns:f", nsWSManFault)
	w.attr("Code", strconv.FormatUint(uint64(spec.WSManCode), 10))
	w.attr("Machine", host)
	w.raw("><f:Message>")
	if spec.CIM == nil {
		msg := spec.Message
		if msg == "" {
			msg = spec.Reason
		}
		w.text(msg)
		w.raw("</f:Message></f:WSManFault>")
		return
	}
	cf := spec.CIM
	status := cf.CIMStatus
	if status == 0 {
		status = model.CIMFailed
	}
	code := cf.ErrorCode
	if code == 0 {
		code = wmiCodes[status]
		if code == 0 {
			code = 0x80041001
		}
	}
	msg := spec.Message
	if msg == "" {
		msg = cf.CIMMessage
	}
	if msg == "" {
		msg = cf.Summary()
	}
	messageID := cf.MessageID
	if messageID == "" {
		messageID = fmt.Sprintf("HRESULT 0x%08x", code)
	}
	w.raw(`<f:ProviderFault provider="WMI Provider" path="%systemroot%\system32\WsmWmiPl.dll"><f:WSManFault`)
	w.attr("xmlns:f", nsWSManFault)
	w.attr("Code", strconv.FormatUint(uint64(code), 10))
	w.attr("Machine", host)
	w.raw("><f:Message>")
	w.text(msg)
	w.raw("</f:Message></f:WSManFault><f:ExtendedError><p:MSFT_WmiError")
	w.attr("xmlns:p", prefixWMI+"root/cimv2/MSFT_WmiError")
	w.attr("xmlns:cim", nsCIMCommon)
	w.attr("xmlns:xsi", nsXSI)
	w.raw(` xsi:type="p:MSFT_WmiError_Type"><p:CIMStatusCode>`, strconv.Itoa(int(status)),
		`</p:CIMStatusCode><p:CIMStatusCodeDescription xsi:nil="true"/><p:ErrorSource xsi:nil="true"/>`,
		`<p:ErrorSourceFormat>0</p:ErrorSourceFormat><p:ErrorType>0</p:ErrorType><p:Message>`)
	w.text(msg)
	w.raw(`</p:Message><p:MessageID>`)
	w.text(messageID)
	w.raw(`</p:MessageID><p:OtherErrorSourceFormat xsi:nil="true"/><p:OtherErrorType xsi:nil="true"/>`,
		`<p:OwningEntity xsi:nil="true"/><p:PerceivedSeverity>0</p:PerceivedSeverity><p:ProbableCause>0</p:ProbableCause>`,
		`<p:ProbableCauseDescription xsi:nil="true"/><p:error_Category>0</p:error_Category><p:error_Code>`,
		strconv.FormatUint(uint64(code), 10), `</p:error_Code><p:error_Type>HRESULT</p:error_Type><p:error_WindowsErrorMessage>`)
	w.text(msg)
	w.raw(`</p:error_WindowsErrorMessage></p:MSFT_WmiError></f:ExtendedError></f:ProviderFault></f:Message></f:WSManFault>`)
}

// omiError writes OMI's OMI_Error instance for a provider error.
func (s *Server) omiError(w *xw, cf *model.Fault) {
	status := cf.CIMStatus
	msg := cf.CIMMessage
	if msg == "" {
		msg = cf.Summary()
	}
	w.raw(`<p:OMI_Error xmlns:p="`, prefixDMTFClass, `OMI_Error" xsi:type="p:OMI_Error_Type">`,
		`<p:OwningEntity>OMI:CIMOM</p:OwningEntity><p:MessageID>OMI:MI_Result:`, strconv.Itoa(int(status)), `</p:MessageID><p:Message>`)
	w.text(msg)
	w.raw(`</p:Message><p:MessageArguments xsi:nil="true"/><p:PerceivedSeverity>7</p:PerceivedSeverity>`,
		`<p:ProbableCause>0</p:ProbableCause><p:ProbableCauseDescription>Unknown</p:ProbableCauseDescription><p:CIMStatusCode>`,
		strconv.Itoa(int(status)), `</p:CIMStatusCode><p:OMI_Code>`, strconv.Itoa(int(status)),
		`</p:OMI_Code><p:OMI_Category>0</p:OMI_Category><p:OMI_Type>MI</p:OMI_Type><p:OMI_ErrorMessage>`)
	w.text(status.String())
	w.raw(`</p:OMI_ErrorMessage></p:OMI_Error>`)
}
