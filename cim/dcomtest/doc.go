// Package dcomtest is a DCOM/WMI server for tests, like net/http/httptest
// for DCE/RPC: it serves a model.Provider (by default the same fixture
// computer cim/wsmantest serves, through cim/memprov) to WMI clients over
// DCOM on loopback.
//
// It listens on two ports, as a Windows machine does: the endpoint mapper
// (135 on Windows), which answers IRemoteSCMActivator::RemoteCreateInstance
// and the OXID resolver's IObjectExporter, and the object exporter, a port
// of its own that the OXID bindings name as "127.0.0.1[port]", which
// serves IRemUnknown and the WMI interfaces IWbemLevel1Login,
// IWbemServices, IEnumWbemClassObject and IWbemCallResult; both ports
// also serve the DCE/RPC management interface, as every Windows RPC
// endpoint does. Clients authenticate with NTLM (the project's acceptor,
// cim/wsmantest/ntlmserver) or, given a keytab, DCE-style Kerberos
// (gokrb5's AP-REQ checking), raw or inside SPNEGO (cim/dcom/rpc's
// SPNEGOAcceptor, mechListMICs included), at packet integrity or packet
// privacy; lower levels are refused with access denied, as Windows does
// since its DCOM hardening (KB5004442).
package dcomtest
