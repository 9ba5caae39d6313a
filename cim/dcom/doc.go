// Package dcom is the DCOM provider: a model.Provider that speaks the WMI
// Remote Protocol (MS-WMI) over DCOM to a Windows machine, the protocol
// PowerShell's New-CimSessionOption -Protocol Dcom selects. The session
// layer, the Lua bindings, formatters and fan-out use it exactly as they
// use the WS-Management client.
//
// It is built from small packages: ndr (NDR 2.0), rpc (connection-
// oriented DCE/RPC with NTLM, Kerberos and SPNEGO at packet integrity
// and privacy), orpc (DCOM
// activation, OBJREFs, IRemUnknown), wmio (the MS-WMIO object encoding)
// and wmi (IWbemLevel1Login, IWbemServices, IEnumWbemClassObject,
// IWbemCallResult). Creating a Provider opens nothing; the first
// operation activates WbemLevel1Login through the endpoint mapper and
// logs in to the namespace.
package dcom
