package xmltok

import "bytes"

// SkipContent skips the rest of the element whose start tag was just
// read, its end tag included, by looking at tags only: no names are
// resolved and little is checked (a reply's items, looked past to what
// follows them, are decoded and checked later). It fails on a document
// that ends first.
func (d *Decoder) SkipContent() error {
	if d.err != nil {
		return d.err
	}
	if d.pendingEnd {
		d.pendingEnd = false
		d.end()
		return nil
	}
	b := d.b
	i := d.pos
	depth := 1
	for depth > 0 {
		k := bytes.IndexByte(b[i:], '<')
		if k < 0 || i+k+1 >= len(b) {
			d.pos = len(b)
			_, err := d.fail("unexpected EOF")
			return err
		}
		i += k + 1
		switch b[i] {
		case '/':
			depth--
			gt := bytes.IndexByte(b[i:], '>')
			if gt < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			i += gt + 1
		case '!':
			end := "-->"
			if bytes.HasPrefix(b[i:], []byte("![CDATA[")) {
				end = "]]>"
			}
			e := bytes.Index(b[i:], []byte(end))
			if e < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			i += e + len(end)
		case '?':
			e := bytes.Index(b[i:], []byte("?>"))
			if e < 0 {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			i += e + 2
		default:
			// A start tag: its end is the first '>' outside quotes.
			var quote byte
			for ; i < len(b); i++ {
				c := b[i]
				if quote != 0 {
					if c == quote {
						quote = 0
					}
					continue
				}
				if c == '"' || c == '\'' {
					quote = c
				} else if c == '>' {
					break
				}
			}
			if i >= len(b) {
				d.pos = len(b)
				_, err := d.fail("unexpected EOF")
				return err
			}
			if b[i-1] != '/' {
				depth++
			}
			i++
		}
	}
	d.pos = i
	// The skipped element's end: its frame goes, as after an end tag.
	d.end()
	return nil
}
