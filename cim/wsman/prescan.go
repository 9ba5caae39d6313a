package wsman

import (
	"bytes"

	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// pageEnd is what the pre-scan of an enumeration reply finds: the
// context to pull next, and whether the sequence ended.
type pageEnd struct {
	context    string
	hasContext bool
	endOfSeq   bool
	items      bool // the page holds at least one item
}

// live reports a context that may be pulled (OMI sends a dead one beside
// EndOfSequence).
func (p pageEnd) live() bool { return p.hasContext && p.context != "" && !p.endOfSeq }

// prescan finds an EnumerateResponse's or PullResponse's context and
// EndOfSequence without decoding its items (they are looked past, tags
// only), so that the next Pull can go out while the items are decoded.
// ok is false for anything else; the full decoding judges the reply.
func prescan(body []byte) (p pageEnd, ok bool) {
	d := NewDecoder(body)
	env, ok, err := findStart(d)
	if err != nil || !ok || !is(env, NsSOAP, "Envelope") {
		return p, false
	}
	for {
		se, ok, err := findStart(d)
		if err != nil || !ok {
			return p, false
		}
		if !is(se, NsSOAP, "Body") {
			if d.SkipContent() != nil {
				return p, false
			}
			continue
		}
		resp, ok, err := findStart(d)
		if err != nil || !ok || resp.Name.Space != NsEnumeration ||
			(resp.Name.Local != "EnumerateResponse" && resp.Name.Local != "PullResponse") {
			return p, false
		}
		for {
			c, ok, err := findStart(d)
			if err != nil {
				return p, false
			}
			if !ok {
				return p, true
			}
			switch {
			case c.Name.Local == "EnumerationContext":
				b, err := readTextBytes(d)
				if err != nil {
					return p, false
				}
				p.context, p.hasContext = string(bytes.TrimSpace(b)), true
			case c.Name.Local == "EndOfSequence":
				p.endOfSeq = true
				if d.SkipContent() != nil {
					return p, false
				}
			case c.Name.Local == "Items":
				if !skipItems(d, &p) {
					return p, false
				}
			default:
				if d.SkipContent() != nil {
					return p, false
				}
			}
		}
	}
}

// skipItems looks past an Items element, noting whether it holds one:
// from the end of the reply back when it can (the items are most of it),
// else forward over their tags.
func skipItems(d *xml.Decoder, p *pageEnd) bool {
	if child, ok := d.SkipFromEnd(); ok {
		p.items = child
		return true
	}
	for {
		k, err := d.Next()
		switch {
		case err != nil || k == xml.EOF:
			return false
		case k == xml.EndTag:
			return true
		case k == xml.StartTag:
			p.items = true
			return d.SkipContent() == nil && d.SkipContent() == nil // the item, then the rest
		}
	}
}
