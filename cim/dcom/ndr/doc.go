// Package ndr encodes and decodes the Network Data Representation (NDR
// 2.0, little-endian) of DCE/RPC as MS-RPCE uses it: aligned primitives,
// unique pointers with referent identifiers, conformant and varying
// arrays, strings, GUIDs, and the type serialization version 1 header
// that DCOM's activation properties use.
//
// The Writer and Reader know nothing of interfaces; callers write the
// fields of a structure, then its deferred pointer referents, in the order
// NDR puts them. The Reader never panics: a short or inconsistent buffer
// sets a sticky error that Err reports, and every count is checked against
// the bytes that remain.
package ndr
