// Package cim is cimsh's CIM client: lightweight sessions that mirror
// PowerShell's CimSession and the operations of the CimCmdlets module.
//
// A Session copies its configuration and opens nothing; the first
// operation connects, through the WS-Management client (package
// cim/wsman) for a remote computer or the built-in local provider (package
// cim/local) when the session has no computer name. Every operation takes
// a context first. Failures are *model.Fault values whose Category scripts
// can test.
//
// The package knows nothing of Lua; the Lua module is package luabind.
package cim
