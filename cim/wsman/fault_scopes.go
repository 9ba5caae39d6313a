package wsman

import (
	"encoding/xml"
	"strings"
)

// nsScopes tracks prefix bindings so that QName text ("w:TimedOut") can
// be resolved to its namespace.
type nsScopes struct {
	d      *xml.Decoder
	scopes [][]xml.Attr
}

func (p *nsScopes) next() (xml.Token, error) {
	t, err := nextTokenStd(p.d)
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		var decls []xml.Attr
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" {
				decls = append(decls, a)
			}
		}
		p.scopes = append(p.scopes, decls)
	case xml.EndElement:
		if len(p.scopes) > 0 {
			p.scopes = p.scopes[:len(p.scopes)-1]
		}
	}
	return t, nil
}

// resolve returns the namespace bound to prefix, "" if none.
func (p *nsScopes) resolve(prefix string) string {
	for i := len(p.scopes) - 1; i >= 0; i-- {
		for _, a := range p.scopes[i] {
			if a.Name.Local == prefix {
				return a.Value
			}
		}
	}
	return ""
}

// normalizeQName rewrites "wsman:InternalError" as "w:InternalError"
// using the namespace the prefix is bound to.
func (p *nsScopes) normalizeQName(s string) string {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s
	}
	if pre, ok := conventionalPrefix[p.resolve(s[:i])]; ok {
		return pre + ":" + s[i+1:]
	}
	return s
}

// text reads the character data of the element just started (nested
// elements' text ignored) through its end tag.
func (p *nsScopes) text() (string, error) { return p.textN(MaxServerText) }

// textN is text capped at limit bytes.
func (p *nsScopes) textN(limit int) (string, error) {
	b := cappedText{limit: limit}
	depth := 0
	for {
		t, err := p.next()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			if depth == 0 {
				b.writeString(string(t))
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return restoreControls(b.String()), nil
			}
			depth--
		}
	}
}

// skip consumes the element just started.
func (p *nsScopes) skip() error {
	depth := 0
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// child returns the next child start element, or ok=false at the end of
// the current element.
func (p *nsScopes) child() (xml.StartElement, bool, error) {
	for {
		t, err := p.next()
		if err != nil {
			return xml.StartElement{}, false, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return xml.StartElement{}, false, nil
		}
	}
}
