// Package wmio encodes and decodes CIM classes and instances in the
// binary form of MS-WMIO, which WMI over DCOM (MS-WMI) carries inside
// OBJREF_CUSTOM interface pointers: an EncodingUnit holding an
// ObjectBlock with an optional Decoration (server and namespace), then
// either a ClassType (parent and current ClassAndMethodsPart) or an
// InstanceType (the class part, then the instance's NdTable, value table,
// qualifiers and heap).
//
// Values keep their CIM types: the property types of the class part give
// them, the CIMTYPE qualifiers name the class of references and embedded
// objects. Decoders check every offset and length and return errors
// wrapping ErrMalformed, never panic; the System properties (__CLASS,
// __PATH...) are not part of the encoding and are not produced.
package wmio
