package wsmantest

import "strings"

// OMI rejects indentation (character data before the first child
// element) inside Create and Put bodies and association filters
// (PROTOCOL.md): its parser reads the next XML token there expecting an
// element (WS_ParseCreateBody after <s:Body>, _ParseAssociationFilter
// and _ParseAssociationFilterObject), and a body it cannot parse gets
// HTTP 500 with no body at all (_CD_SendFailedResponse). The OMI dialect
// does the same, so a client that pretty-prints requests fails against
// it as against OMI.
//
// w:OptionSet is not refused: PROTOCOL.md lists it too, but OMI's own
// protocol tests (fixtures omi_posthttp_test1_request.xml and
// test3_request.xml, indented OptionSets) get normal answers, and the
// Enumerate and Invoke bodies of those requests are indented as well
// (OMI skips character data there).

// omiIndentation names the part of req that OMI would refuse for its
// indentation, or "" when there is none.
func omiIndentation(req *request, op string) string {
	switch op {
	case "Create", "Put":
		if req.Body != nil && (req.BodyIndented || indented(req.Body, 0)) {
			return "the " + op + " body"
		}
	case "Enumerate":
		if f := req.Body.child(nsWSMan, "Filter"); f != nil {
			if d, _ := f.attr("", "Dialect"); strings.TrimSpace(d) == dialectAssociation && indented(f, 0) {
				return "the association filter"
			}
		}
	}
	return ""
}

// indented reports whether n or an element below it holds character
// data before its first child element.
func indented(n *node, depth int) bool {
	if n == nil || depth > maxDepth {
		return false
	}
	if n.Indented {
		return true
	}
	for _, c := range n.Children {
		if indented(c, depth+1) {
			return true
		}
	}
	return false
}
