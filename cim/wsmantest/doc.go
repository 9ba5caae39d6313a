// Package wsmantest runs a WS-Management server for tests, the way
// net/http/httptest runs an HTTP server: a real HTTP(S) listener on
// 127.0.0.1 that serves any model.Provider in the shapes real servers use.
//
// Two dialects are served. Windows answers as WinRM does in the captured
// traffic (fixtures/wsman): cim:Datetime-wrapped datetimes, true/false,
// empty enumeration contexts beside EndOfSequence, Method_OUTPUT bodies,
// WSManFault details, IsNullArray on NULL arrays for UsePreciseArrays
// requests, selectors matched case-insensitively. OMI answers with
// Microsoft OMI's quirks: TRUE/FALSE, bare datetimes unless the client
// says it is WinRM, dead contexts beside EndOfSequence (a Pull or Release
// of one is logged as LoggedRequest.DeadContext), an empty Items without
// OptimizeEnumeration, MaxElements 1 by default, responses capped near
// 256,000 bytes, the request's Action repeated on Invoke responses with
// the output named as Options.OMIInvokeOutput says, an empty HTTP 500 for
// indentation inside Create and Put bodies and association filters
// (LoggedRequest.Refused), no answer at all to a request without
// credentials, and a provider busy while an enumeration of its class is
// open (busy.go). Options.DMTFDatetimes writes datetimes in the DMTF
// string form of older servers, in either dialect.
//
// Typical use:
//
//	s := wsmantest.NewServer(t, wsmantest.Options{Dialect: wsmantest.OMI,
//		BasicUsers: map[string]string{"root": "pw"}, AllowUnencrypted: true})
//	// point a client at s.URL() (s.Host(), s.Port()) ...
//	s.InjectFault(wsmantest.MatchOperation("Pull"), wsmantest.FaultTimedOut)
//	if n := s.Counters().Requests; n != 1 { ... }
//
// Options.Provider serves any model.Provider; nil serves FixtureProvider.
// Authentication: BasicUsers (built in), NTLMUsers (sealed), Keytab/SPN
// (Kerberos) and ClientCAs (certificates over TLS) go through
// cim/wsmantest/authserver.
//
// The server keeps real enumeration contexts (they expire), pages by batch
// size and envelope size, logs every request, counts requests, connections
// and handshakes, and can inject faults and latency, so client code can be
// tested against everything a real server does to it.
//
// Events (Register-CimIndicationEvent): when the provider is a
// model.Subscriber (memprov's polling of intrinsic events, so
// FixtureProvider), Subscribe with Pull delivery answers in the Windows
// shape (SubscriptionManager with e:Identifier, EnumerationContext);
// Pull on that context waits for events up to the request's
// OperationTimeout or n:MaxTime and then answers w:TimedOut, as WinRM
// does, with a fresh context in every PullResponse; Unsubscribe and
// Renew take the e:Identifier header; e:Expires ends a subscription.
// Push delivery and heartbeats are not served.
//
// Commands (WinRS, MS-WSMV 3.1.4.11-15): the cmd shell resource answers
// Create, Command, Receive, Send, Signal and Delete in the Windows shapes
// (winrs.go). Options.RunCommand says what a command does (a Program
// reads stdin and writes stdout and stderr; Flush ends a Receive
// response); the default, EmulateWindows, knows a few cmd commands and a
// sliver of powershell.exe. OpenShells counts the shells left open.
package wsmantest
