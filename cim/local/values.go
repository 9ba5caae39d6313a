package local

import (
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// Small constructors for the CIM values the classes use. str turns an
// empty text into NULL: a property the OS cannot tell is NULL, as on
// Windows, rather than an empty string that looks known. (ghw's "unknown"
// placeholder is dmiStr's business: a process or file system may really
// be called "unknown".)

func str(s string) model.Value {
	if s == "" {
		return model.Null(model.TypeString)
	}
	return model.String(s)
}

func strs(ss []string) model.Value {
	elems := make([]model.Value, 0, len(ss))
	for _, s := range ss {
		elems = append(elems, model.String(s))
	}
	return model.Array(model.TypeString, elems)
}

// strsOrNull is strs, but a NULL array when ss is empty (Windows sends
// DefaultIPGateway, DNSServerSearchOrder and the like as NULL when unset).
func strsOrNull(ss []string) model.Value {
	if len(ss) == 0 {
		return model.NullArray(model.TypeString)
	}
	return strs(ss)
}

func u8(v uint64) model.Value  { return model.Uint(model.TypeUint8, v) }
func u16(v uint64) model.Value { return model.Uint(model.TypeUint16, v) }
func u32(v uint64) model.Value { return model.Uint(model.TypeUint32, v) }
func u64(v uint64) model.Value { return model.Uint(model.TypeUint64, v) }
func s16(v int64) model.Value  { return model.Sint(model.TypeSint16, v) }
func boolean(b bool) model.Value {
	return model.Bool(b)
}

// clampU32 keeps a count within a uint32 property.
func clampU32(v uint64) model.Value {
	if v > 1<<32-1 {
		v = 1<<32 - 1
	}
	return u32(v)
}

// datetime returns a CIM timestamp, NULL for the zero time.
func datetime(t time.Time) model.Value {
	if t.IsZero() {
		return model.Null(model.TypeDatetime)
	}
	return model.DatetimeValue(model.NewTimestamp(t))
}
