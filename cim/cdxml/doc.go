// Package cdxml reads Cmdlet Definition XML (CDXML): the
// cmdlets-over-objects schema
// (http://schemas.microsoft.com/cmdlets-over-objects/2009/11) in which
// Windows ships hundreds of CIM cmdlets (NetAdapter, Storage, SmbShare,
// ScheduledTasks...) and in which administrators define their own, and
// runs those cmdlets over a cim.Session.
//
// Three layers, each usable alone:
//
//   - Parse reads one .cdxml document into a Document, checking it
//     against the schema's structure (elements, attributes, the XSD's
//     name patterns); Load reads a file or a module folder (its .psd1's
//     NestedModules and RootModule, and every .cdxml in it). Errors name
//     the file and the line.
//   - Compile turns the documents into a Module of Cmdlets, the way
//     PowerShell's cmdletization does: the Get cmdlet, the instance
//     cmdlets (query parameters plus method parameters plus InputObject),
//     the static cmdlets with their parameter sets, and each parameter's
//     name, aliases, type, position, parameter sets and validation.
//   - Cmdlet.Bind checks the arguments of one call (parameter set,
//     mandatory parameters, types and enums, ValidateSet, ValidateRange and
//     the rest) before anything is sent, and Call.Run runs it on a session:
//     one WQL query for the query parameters (or the associated instances
//     of a QueryableAssociations argument, filtered on the client), the
//     method on each selected instance, the static method, or the
//     intrinsic cim:CreateInstance, cim:ModifyInstance and
//     cim:DeleteInstance.
//
// Only the default cmdlet adapter (CIM) is supported: a document naming
// another CmdletAdapter is refused. The package knows nothing of Lua; the
// luabind package turns each Cmdlet into a Lua function.
package cdxml
