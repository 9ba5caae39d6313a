// Package wmi is the client side of the WMI Remote Protocol (MS-WMI) over
// DCOM: activation of WbemLevel1Login on the endpoint mapper, the object
// exporter connection the OXID bindings name, IWbemLevel1Login::NTLMLogin,
// IWbemServices, IEnumWbemClassObject and IWbemCallResult, and the
// mapping of WMI HRESULTs to CIM status codes both sides share.
//
// Objects travel as MS-WMIO encodings (package wmio) inside
// OBJREF_CUSTOM interface pointers; this package moves the bytes and
// leaves their meaning to its callers.
package wmi
