// Package wsmantest runs a WS-Management server for tests, the way
// net/http/httptest runs an HTTP server: a real HTTP(S) listener on
// 127.0.0.1 that serves any model.Provider in the shapes real servers use.
//
// Two dialects are served. Windows answers as WinRM does in the captured
// traffic (fixtures/wsman): cim:Datetime-wrapped datetimes, true/false,
// empty enumeration contexts beside EndOfSequence, Method_OUTPUT bodies and
// WSManFault details. OMI answers with Microsoft OMI's quirks: TRUE/FALSE,
// bare datetimes unless the client says it is WinRM, dead contexts beside
// EndOfSequence, an empty Items without OptimizeEnumeration, MaxElements 1
// by default, and the request's Action repeated on Invoke responses.
//
// The server keeps real enumeration contexts (they expire), pages by batch
// size and envelope size, logs every request, counts requests, connections
// and handshakes, and can inject faults and latency, so client code can be
// tested against everything a real server does to it.
package wsmantest
