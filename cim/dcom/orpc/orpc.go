package orpc

import (
	"crypto/rand"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
)

// COM version this implementation speaks (5.7, Windows XP SP2 and later).
const (
	VersionMajor = 5
	VersionMinor = 7
)

// This is an ORPCTHIS header (MS-DCOM 2.2.13.3).
type This struct {
	Flags uint32
	CID   ndr.GUID
}

// NewThis returns an ORPCTHIS with a fresh causality identifier.
func NewThis() This {
	var t This
	rand.Read(t.CID[:])
	return t
}

// Write encodes the header (no extensions).
func (t This) Write(w *ndr.Writer) {
	w.U16(VersionMajor)
	w.U16(VersionMinor)
	w.U32(t.Flags)
	w.U32(0)
	w.GUID(t.CID)
	w.Ptr(false)
}

// ReadThis decodes an ORPCTHIS, skipping any extensions.
func ReadThis(r *ndr.Reader) This {
	var t This
	r.U16()
	r.U16()
	t.Flags = r.U32()
	r.U32()
	t.CID = r.GUID()
	readExtensions(r)
	return t
}

// WriteThat encodes an ORPCTHAT header (no extensions).
func WriteThat(w *ndr.Writer) {
	w.U32(0)
	w.Ptr(false)
}

// ReadThat decodes an ORPCTHAT, skipping any extensions.
func ReadThat(r *ndr.Reader) {
	r.U32()
	readExtensions(r)
}

// readExtensions skips an ORPC_EXTENT_ARRAY pointer and its referents.
func readExtensions(r *ndr.Reader) {
	if !r.Ptr() {
		return
	}
	r.U32() // size
	r.U32() // reserved
	if !r.Ptr() {
		return
	}
	n := r.Count(4)
	present := make([]bool, 0, n)
	for i := 0; i < n; i++ {
		present = append(present, r.Ptr())
	}
	for _, p := range present {
		if p {
			max := r.Count(1)
			r.GUID()
			r.U32()
			r.Raw(max)
		}
	}
}
