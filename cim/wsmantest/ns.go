package wsmantest

// Namespace URIs and actions. They repeat cim/wsman's constants on purpose:
// the server is the client's test oracle and must not change when the
// client's package does.
const (
	nsSOAP        = "http://www.w3.org/2003/05/soap-envelope"
	nsAddressing  = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
	nsEnumeration = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	nsTransfer    = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsEventing    = "http://schemas.xmlsoap.org/ws/2004/08/eventing"
	nsWSMan       = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
	nsWSManMS     = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsCIMBinding  = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"
	nsCIMCommon   = "http://schemas.dmtf.org/wbem/wscim/1/common"
	nsWSManFault  = "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"
	nsIdentity    = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
	nsXSI         = "http://www.w3.org/2001/XMLSchema-instance"

	anonymous = nsAddressing + "/role/anonymous"

	actionEnumerate = nsEnumeration + "/Enumerate"
	actionPull      = nsEnumeration + "/Pull"
	actionRelease   = nsEnumeration + "/Release"
	actionGet       = nsTransfer + "/Get"
	actionPut       = nsTransfer + "/Put"
	actionCreate    = nsTransfer + "/Create"
	actionDelete    = nsTransfer + "/Delete"
	actionSubscribe = nsEventing + "/Subscribe"

	actionFaultWSMan       = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	actionFaultAddressing  = nsAddressing + "/fault"
	actionFaultEnumeration = nsEnumeration + "/fault"

	dialectWQL         = "http://schemas.microsoft.com/wbem/wsman/1/WQL"
	dialectSelector    = "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter"
	dialectAssociation = "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter"

	prefixWMI       = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
	prefixDMTFClass = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
	allClassesDMTF  = "http://schemas.dmtf.org/wbem/wscim/1/*"
	classSchemaURI  = "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*"

	selectorNamespace = "__cimnamespace"

	// winrmUserAgent is the User-Agent that makes OMI wrap datetimes.
	winrmUserAgent = "Microsoft WinRM Client"
)
