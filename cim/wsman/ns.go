package wsman

// Namespace URIs. Servers choose their own prefixes, so decoding always
// matches on these URIs, never on prefixes.
const (
	NsSOAP        = "http://www.w3.org/2003/05/soap-envelope"
	NsAddressing  = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	NsEnumeration = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	NsTransfer    = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	NsEventing    = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
	NsWSMan       = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" // DMTF
	NsWSManMS     = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	NsCIMBinding  = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
	NsCIMCommon   = "http://schemas.dmtf.org/wbem/wscim/1/common"
	NsWSManFault  = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	NsIdentity    = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
	NsXSI         = "http://www.w3.org/2001/XMLSchema-instance"
	NsXS          = "http://www.w3.org/2001/XMLSchema"
	NsXML         = "http://www.w3.org/XML/1998/namespace"
)

// Action URIs.
const (
	ActionEnumerate = NsEnumeration + "/Enumerate"
	ActionPull      = NsEnumeration + "/Pull"
	ActionRelease   = NsEnumeration + "/Release"
	ActionGet       = NsTransfer + "/Get"
	ActionPut       = NsTransfer + "/Put"
	ActionCreate    = NsTransfer + "/Create"
	ActionDelete    = NsTransfer + "/Delete"
	ActionSubscribe = NsEventing + "/Subscribe"

	// AnonymousAddress is the ReplyTo (and EPR) address of a
	// request-response exchange.
	AnonymousAddress = NsAddressing + "/role/anonymous"
)

// Filter dialects.
const (
	DialectWQL         = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
	DialectSelector    = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
	DialectAssociation = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"
)

// Enumeration modes (w:EnumerationMode).
const (
	ModeEPR          = "EnumerateEPR"
	ModeObjectAndEPR = "EnumerateObjectAndEPR"
)

// conventionalPrefix maps a namespace URI to the prefix used when a
// qualified name (a fault subcode) is normalized.
var conventionalPrefix = map[string]string{
	NsSOAP:        "s",
	NsAddressing:  "a",
	NsEnumeration: "n",
	NsTransfer:    "x",
	NsEventing:    "e",
	NsWSMan:       "w",
	NsWSManMS:     "p",
	NsCIMBinding:  "b",
	NsWSManFault:  "f",
}
