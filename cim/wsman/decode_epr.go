package wsman

import (
	"bytes"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// DecodeEPR decodes an endpoint reference whose element start has been
// read (a:EndpointReference, cim:Location, b:Object, x:ResourceCreated, a
// reference-typed property) through its end tag: a:Address and
// a:ReferenceParameters (or the older a:ReferenceProperties) with
// w:ResourceURI and w:SelectorSet. A selector may hold a nested EPR.
// ClassName and Namespace come from the resource URI and the
// __cimnamespace selector, which is removed from Selectors.
func DecodeEPR(d *xml.Decoder, start xml.StartElement) (*model.Reference, error) {
	ref := &model.Reference{}
	if err := decodeEPRBody(d, ref); err != nil {
		return nil, err
	}
	return ref, nil
}

// decodeEPRBody reads EPR children up to the end of the enclosing element
// and fills in the names.
func decodeEPRBody(d *xml.Decoder, ref *model.Reference) error {
	for {
		if leafEPR(d) {
			// An address or resource URI: text alone (anything else
			// holds nothing, read whole).
			switch string(d.Local()) {
			case "Address":
				ref.Address = d.Intern(bytes.TrimSpace(d.Text()))
			case "ResourceURI":
				ref.ResourceURI = d.Intern(bytes.TrimSpace(d.Text()))
			}
			continue
		}
		se, ok, err := findStart(d)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := decodeEPRChild(d, se, ref); err != nil {
			return err
		}
	}
	finishRef(ref)
	return nil
}

// leafEPR reads the next child of an EPR element whole when it is a
// leaf (xmltok.Leaf): text alone, or empty.
func leafEPR(d *xml.Decoder) bool { return !noLeaf.Load() && d.Leaf() }

// decodeEPRChild decodes one child of an EPR element.
func decodeEPRChild(d *xml.Decoder, se xml.StartElement, ref *model.Reference) error {
	switch {
	case se.Name.Local == "Address":
		s, err := readInterned(d)
		ref.Address = s
		return err
	case se.Name.Local == "ReferenceParameters" || se.Name.Local == "ReferenceProperties":
		return decodeRefParams(d, ref)
	case se.Name.Local == "ResourceURI":
		// Some writers put the resource URI and selectors directly in
		// the EPR.
		s, err := readInterned(d)
		ref.ResourceURI = s
		return err
	case se.Name.Local == "SelectorSet":
		return decodeSelectorSet(d, ref, 0)
	}
	return skip(d)
}

func decodeRefParams(d *xml.Decoder, ref *model.Reference) error {
	for {
		if leafEPR(d) {
			if string(d.Local()) == "ResourceURI" {
				ref.ResourceURI = d.Intern(bytes.TrimSpace(d.Text()))
			}
			continue
		}
		se, ok, err := findStart(d)
		if err != nil || !ok {
			return err
		}
		switch se.Name.Local {
		case "ResourceURI":
			s, err := readInterned(d)
			if err != nil {
				return err
			}
			ref.ResourceURI = s
		case "SelectorSet":
			if err := decodeSelectorSet(d, ref, 0); err != nil {
				return err
			}
		default:
			if err := skip(d); err != nil {
				return err
			}
		}
	}
}

func decodeSelectorSet(d *xml.Decoder, ref *model.Reference, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	for {
		if leafEPR(d) {
			if string(d.Local()) == "Selector" {
				// A selector holding text: its value.
				addSelector(ref, model.Selector{Name: selectorName(d), Value: d.Keep(bytes.TrimSpace(d.Text()))})
			}
			continue
		}
		se, ok, err := findStart(d)
		if err != nil || !ok {
			return err
		}
		if se.Name.Local != "Selector" {
			if err := skip(d); err != nil {
				return err
			}
			continue
		}
		name := selectorName(d)
		sel, err := decodeSelector(d, depth)
		if err != nil {
			return err
		}
		sel.Name = name
		addSelector(ref, sel)
	}
}

// selectorName is the Name attribute of the Selector element just
// started (the last, if it has several).
func selectorName(d *xml.Decoder) string {
	name := ""
	for _, a := range d.Attrs() {
		if a.Space == "" && strings.EqualFold(viewString(a.Local), "Name") {
			name = d.Intern(a.Value) // selector names repeat in every item
		}
	}
	return name
}

// addSelector appends sel to ref's selectors (room for a few at first).
func addSelector(ref *model.Reference, sel model.Selector) {
	if ref.Selectors == nil {
		ref.Selectors = make([]model.Selector, 0, 4)
	}
	ref.Selectors = append(ref.Selectors, sel)
}

// decodeSelector reads a selector's text, or the EPR it holds.
func decodeSelector(d *xml.Decoder, depth int) (model.Selector, error) {
	var text textRun
	var sel model.Selector
	for {
		k, err := nextKind(d)
		if err != nil {
			return sel, err
		}
		switch k {
		case xml.Text:
			text.add(d.Text())
		case xml.StartTag:
			tok := d.Start()
			inner := &model.Reference{}
			if tok.Name.Local == "EndpointReference" {
				if err := decodeNestedEPR(d, inner, depth+1); err != nil {
					return sel, err
				}
			} else if err := decodeEPRChild(d, tok, inner); err != nil {
				return sel, err
			}
			if sel.Ref == nil {
				sel.Ref = inner
			} else {
				mergeRef(sel.Ref, inner)
			}
		case xml.EndTag:
			if sel.Ref != nil {
				finishRef(sel.Ref)
			} else {
				sel.Value = d.Keep(bytes.TrimSpace(text.bytes()))
			}
			return sel, nil
		}
	}
}

func decodeNestedEPR(d *xml.Decoder, ref *model.Reference, depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	return decodeEPRBody(d, ref)
}

func mergeRef(dst, src *model.Reference) {
	if src.Address != "" {
		dst.Address = src.Address
	}
	if src.ResourceURI != "" {
		dst.ResourceURI = src.ResourceURI
	}
	dst.Selectors = append(dst.Selectors, src.Selectors...)
}

// finishRef derives ClassName and Namespace and removes __cimnamespace.
func finishRef(ref *model.Reference) {
	ns, class := ParseResourceURI(ref.ResourceURI)
	finishRefParsed(ref, ns, class)
}

// finishRefParsed is finishRef with ref.ResourceURI already parsed (the
// items read by one shape mostly have the same).
func finishRefParsed(ref *model.Reference, ns, class string) {
	if class != "*" {
		ref.ClassName = class
	}
	if ns != "" {
		ref.Namespace = ns
	}
	for i, s := range ref.Selectors {
		if (s.Name == SelectorNamespace || len(s.Name) == len(SelectorNamespace) && strings.EqualFold(s.Name, SelectorNamespace)) && s.Ref == nil {
			ref.Namespace = s.Value
			// The slice was made for ref alone: remove in place.
			ref.Selectors = append(ref.Selectors[:i], ref.Selectors[i+1:]...)
			break
		}
	}
	// Class URIs of "*" (WQL) name the class in a __ClassName selector on
	// some servers.
	if ref.ClassName == "" {
		if s, ok := ref.Selector("__ClassName"); ok {
			ref.ClassName = s.Value
		}
	}
}
