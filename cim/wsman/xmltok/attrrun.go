package xmltok

import (
	"bytes"
	"encoding/binary"
)

// A reply repeats the same attribute lists: xsi:nil="true" on every
// NULL property, the namespace declarations on every instance's start
// tag, Name="Handle" on every selector. Reading one takes a qualified
// name, a quoted value and their checks per attribute (about 600
// instructions each); comparing the bytes with a list read before takes
// a few dozen. Reading an attribute list depends on its bytes alone (no
// state of the decoder decides where it ends or whether it is well
// formed), so bytes equal to a list read before, up to and including its
// '>' or '/>', read as it did: the same attributes at the same offsets.
// Namespaces are still declared and resolved by the caller, every time.

// attrRun is an attribute list read before: its bytes from the white
// space after the element's name up to and including the tag's end, and
// where each attribute's parts lay in them.
type attrRun struct {
	raw   []byte // owned copy; empty when the slot holds nothing
	attrs []attrAt
	empty bool // the tag ended with "/>"
}

type attrAt struct {
	prefixStart, prefixEnd int32 // prefixEnd == prefixStart: no prefix
	localStart, localEnd   int32
	valueStart, valueEnd   int32
}

const (
	attrRunSlots = 32
	// maxAttrRun bounds what is remembered: long lists are rare, and
	// their comparison would gain little over reading them.
	maxAttrRun = 512
)

// attrRunSlot picks the slot for a list starting at i from its first
// sixteen bytes; ok is false when fewer remain (never a whole list worth
// remembering).
func attrRunSlot(b []byte, i int) (slot int, ok bool) {
	if i+16 > len(b) {
		return 0, false
	}
	le := binary.LittleEndian
	h := (le.Uint64(b[i:]) ^ le.Uint64(b[i+8:])*0x9E3779B97F4A7C15) * 0xBF58476D1CE4E5B9
	return int(h >> (64 - 5)), true // 32 slots
}

// replayAttrs reads the attribute list at d.pos from its slot when that
// holds the same bytes: d.attrs are set as readAttributes would set them
// and d.pos is past the tag's end.
func (d *Decoder) replayAttrs(slot int) (empty, ok bool) {
	b, start := d.b, d.pos
	r := &d.runs[slot]
	n := len(r.raw)
	if n == 0 || start+n > len(b) || !bytes.Equal(b[start:start+n], r.raw) {
		return false, false
	}
	for _, a := range r.attrs {
		var prefix []byte
		if a.prefixEnd > a.prefixStart {
			ps, pe := start+int(a.prefixStart), start+int(a.prefixEnd)
			prefix = b[ps:pe:pe]
		}
		ls, le := start+int(a.localStart), start+int(a.localEnd)
		vs, ve := start+int(a.valueStart), start+int(a.valueEnd)
		d.attrs = append(d.attrs, Attribute{Prefix: prefix, Local: b[ls:le:le], Value: b[vs:ve:ve]})
		d.attrSpans = append(d.attrSpans, span{})
	}
	d.pos = start + n
	d.replayed++
	return r.empty, true
}

// keepAttrs remembers in slot the attribute list just read from start
// to d.pos, unless a value was unescaped (it lies in scratchA, not in the
// bytes) or the list is long.
func (d *Decoder) keepAttrs(slot, start int, empty bool) {
	if d.pos-start > maxAttrRun {
		return
	}
	for _, sp := range d.attrSpans {
		if sp.end > 0 {
			return
		}
	}
	r := &d.runs[slot]
	r.raw = append(r.raw[:0], d.b[start:d.pos]...)
	r.attrs = r.attrs[:0]
	r.empty = empty
	for i := range d.attrs {
		a := &d.attrs[i]
		at := attrAt{
			localStart: d.runOffset(start, a.Local), valueStart: d.runOffset(start, a.Value),
		}
		at.localEnd = at.localStart + int32(len(a.Local))
		at.valueEnd = at.valueStart + int32(len(a.Value))
		if len(a.Prefix) > 0 {
			at.prefixStart = d.runOffset(start, a.Prefix)
			at.prefixEnd = at.prefixStart + int32(len(a.Prefix))
		}
		r.attrs = append(r.attrs, at)
	}
}

// runOffset is where v, a view of the document, starts relative to start.
// An empty value may be a view of nothing in particular: its offset is
// any, its length 0.
func (d *Decoder) runOffset(start int, v []byte) int32 {
	if len(v) == 0 {
		return 0
	}
	return d.offset(v) - int32(start)
}
