package wmio

import (
	"errors"

	"github.com/cimsh/cimsh/cim/model"
)

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("wmio: malformed object")

// CIM type codes (MS-WMIO 2.2.82).
const (
	cimSint8     = 16
	cimUint8     = 17
	cimSint16    = 2
	cimUint16    = 18
	cimSint32    = 3
	cimUint32    = 19
	cimSint64    = 20
	cimUint64    = 21
	cimReal32    = 4
	cimReal64    = 5
	cimBoolean   = 11
	cimString    = 8
	cimDatetime  = 101
	cimReference = 102
	cimChar16    = 103
	cimObject    = 13
	flagArray    = 0x2000
	flagInherit  = 0x4000
	signature    = 0x12345678
	heapMSB      = 0x80000000
	noRef        = 0xffffffff
)

// Object flags (MS-WMIO 2.2.6).
const (
	FlagClass      = 0x01
	FlagInstance   = 0x02
	FlagDecoration = 0x04
)

var toCIM = map[model.Type]uint32{
	model.TypeSint8: cimSint8, model.TypeUint8: cimUint8, model.TypeSint16: cimSint16, model.TypeUint16: cimUint16,
	model.TypeSint32: cimSint32, model.TypeUint32: cimUint32, model.TypeSint64: cimSint64, model.TypeUint64: cimUint64,
	model.TypeReal32: cimReal32, model.TypeReal64: cimReal64, model.TypeBoolean: cimBoolean, model.TypeString: cimString,
	model.TypeDatetime: cimDatetime, model.TypeReference: cimReference, model.TypeChar16: cimChar16, model.TypeInstance: cimObject,
	model.TypeUnknown: cimString,
}

var fromCIM = func() map[uint32]model.Type {
	m := map[uint32]model.Type{}
	for t, c := range toCIM {
		if t != model.TypeUnknown {
			m[c] = t
		}
	}
	return m
}()

// valueSize is the size of a property's entry in a value table.
func valueSize(t model.Type, array bool) int {
	if array {
		return 4
	}
	switch t {
	case model.TypeSint8, model.TypeUint8:
		return 1
	case model.TypeSint16, model.TypeUint16, model.TypeChar16, model.TypeBoolean:
		return 2
	case model.TypeSint64, model.TypeUint64, model.TypeReal64:
		return 8
	}
	return 4
}

// cimTypeName is the CIMTYPE qualifier's text for a declaration.
func cimTypeName(t model.Type, class string) string {
	switch t {
	case model.TypeReference:
		return "ref:" + class
	case model.TypeInstance:
		if class == "" {
			return "object"
		}
		return "object:" + class
	case model.TypeUnknown:
		return "string"
	}
	return t.String()
}

// Dictionary references for qualifier names (MS-WMIO 2.2.80).
var dictionary = []string{`"`, "key", "", "read", "write", "volatile", "provider", "dynamic", "cimwin32", "DWORD", "CIMTYPE"}
