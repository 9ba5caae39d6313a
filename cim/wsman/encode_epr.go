package wsman

import (
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// AppendEPR appends ref as an a:EndpointReference element (declaring the
// a: and w: prefixes it uses): a:Address, then a:ReferenceParameters with
// w:ResourceURI and w:SelectorSet. In the DMTF form the namespace travels
// as the __cimnamespace selector. A selector whose value is a reference
// holds a nested EndpointReference.
func AppendEPR(dst []byte, ref *model.Reference, form URIForm) []byte {
	dst = append(dst, "<a:EndpointReference"...)
	dst = appendAttrPair(dst, "xmlns:a", NsAddressing)
	dst = appendAttrPair(dst, "xmlns:w", NsWSMan)
	dst = append(dst, '>')
	dst = appendEPRContent(dst, ref, form)
	return append(dst, "</a:EndpointReference>"...)
}

// appendEPRContent writes the children of an EPR; a: and w: must be in
// scope.
func appendEPRContent(dst []byte, ref *model.Reference, form URIForm) []byte {
	addr := ref.Address
	if addr == "" {
		addr = AnonymousAddress
	}
	uri := ref.ResourceURI
	if uri == "" {
		uri = ResourceURI(form, ref.Namespace, ref.ClassName)
	} else {
		form = FormOf(uri)
	}
	dst = appendElem(dst, "a:Address", addr)
	dst = append(dst, "<a:ReferenceParameters>"...)
	dst = appendElem(dst, "w:ResourceURI", uri)
	dst = appendSelectorSet(dst, refSelectors(ref, form))
	return append(dst, "</a:ReferenceParameters>"...)
}

// refSelectors returns the selectors to send for ref: its own, plus
// __cimnamespace in the DMTF form when it names a namespace and has none.
func refSelectors(ref *model.Reference, form URIForm) []model.Selector {
	sels := ref.Selectors
	if form == FormDMTF && ref.Namespace != "" {
		if _, ok := ref.Selector(SelectorNamespace); !ok {
			sels = append([]model.Selector{{Name: SelectorNamespace, Value: ref.Namespace}}, sels...)
		}
	}
	return sels
}

// appendSelectorSet writes a w:SelectorSet (nothing when sels is empty).
func appendSelectorSet(dst []byte, sels []model.Selector) []byte {
	if len(sels) == 0 {
		return dst
	}
	dst = append(dst, "<w:SelectorSet>"...)
	for _, s := range sels {
		dst = append(dst, "<w:Selector"...)
		dst = appendAttrPair(dst, "Name", s.Name)
		dst = append(dst, '>')
		if s.Ref != nil {
			dst = append(dst, "<a:EndpointReference>"...)
			dst = appendEPRContent(dst, s.Ref, FormOf(s.Ref.ResourceURI))
			dst = append(dst, "</a:EndpointReference>"...)
		} else {
			dst = appendText(dst, s.Value)
		}
		dst = append(dst, "</w:Selector>"...)
	}
	return append(dst, "</w:SelectorSet>"...)
}

// namespaceSelectorValue normalizes a namespace for __cimnamespace
// (forward slashes, as PowerShell sends it).
func namespaceSelectorValue(ns string) string {
	return strings.ReplaceAll(namespaceOr(ns), `\`, "/")
}
