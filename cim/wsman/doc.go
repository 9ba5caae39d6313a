// Package wsman speaks WS-Management to CIM servers (Windows WinRM, OMI,
// openwsman): it builds request envelopes shaped like PowerShell's CIM
// cmdlets' own, decodes responses as a stream of tokens (never a DOM of a
// whole response), turns SOAP faults into *model.Fault values, and provides
// Client, a model.Provider over a Transport.
//
// The XML helpers (AppendInstance, AppendEPR, DecodeInstance, DecodeEPR,
// DecodeFault, NewDecoder) are exported for the test server, which writes
// responses in the same shapes.
package wsman
