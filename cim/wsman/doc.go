// Package wsman speaks WS-Management to CIM servers (Windows WinRM, OMI,
// openwsman): it builds request envelopes shaped like PowerShell's CIM
// cmdlets' own, decodes responses as a stream of encoding/xml tokens
// (never a DOM of a whole response), turns SOAP faults into *model.Fault
// values with a stable category, and provides Client, a model.Provider
// over a Transport (package cim/wsman/transport implements it over HTTP).
//
// The client uses optimized enumeration (a small result costs one round
// trip), Pulls until EndOfSequence, and Releases what it abandons (on
// Close, on error and on cancellation, with a deadline of its own); it
// never pulls or releases the dead context OMI sends with EndOfSequence.
// Whether a request may be sent twice (when its connection died after it
// was written, so the server may have acted on it) is decided by what it
// does on the server, its Effect, never by its name: reads (Identify, Get,
// GetClass) and ends (Release, Unsubscribe) may go again; an Enumerate or
// a Subscribe (which open a context), a Pull (which moves the server's
// cursor: its batch would be lost) and changes (Put, Create, Delete,
// Invoke) never do, and fail with category connection instead. See
// Effect.
//
// Class schemas (CIM-XML, as Get-CimClass reads them) are fetched once per
// client and namespace and type the values; a server that cannot serve
// them gets schema-less decoding. An enumeration gets its class's schema
// before the Enumerate and sends nothing but Pulls (and a Release) until
// its end: OMI serves nothing else of a class while its enumeration is
// open. Items of classes met only in the results are decoded without a
// schema; those schemas are fetched after the end, for later queries. Request bodies carry no indentation and
// every text and attribute value is escaped.
//
// The XML helpers (AppendInstance, AppendEPR, DecodeInstance, DecodeEPR,
// DecodeClass, DecodeFault, NewDecoder, OpenBody) are exported for the
// test server, which writes and reads the same shapes.
package wsman
