// Package orpc is the object RPC layer of MS-DCOM: the ORPCTHIS and
// ORPCTHAT headers every DCOM call carries, OBJREFs (standard and custom
// marshaled interface pointers) with their DUALSTRINGARRAY bindings, the
// activation properties of IRemoteSCMActivator::RemoteCreateInstance,
// and the well-known interface and class identifiers.
//
// Both the client (package dcom) and the test server (cim/dcomtest) use
// it; every decoder checks its lengths and returns errors, never panics.
package orpc
