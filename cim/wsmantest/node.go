package wsmantest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// node is one element of a parsed request. Requests are small, so the
// server reads them into a tree; responses, which can be large, are
// written directly.
type node struct {
	Name     xml.Name
	Attr     []xml.Attr
	Children []*node
	Text     string // character data directly inside the element
	// Indented: character data came before the first child element
	// (pretty-printing), which OMI refuses in some places (indent.go).
	Indented bool
	// nsDecl maps the prefixes declared in scope to URIs, so that
	// QName-valued attributes (xsi:type) can be resolved.
	nsDecl map[string]string
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 64

// parseXML reads a whole document into a tree.
func parseXML(data []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*node
	var root *node
	scopes := []map[string]string{{}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("wsmantest: malformed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("wsmantest: XML nested deeper than %d", maxDepth)
			}
			scope := scopes[len(scopes)-1]
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					next := make(map[string]string, len(scope)+1)
					for k, v := range scope {
						next[k] = v
					}
					next[a.Name.Local] = a.Value
					scope = next
				}
			}
			scopes = append(scopes, scope)
			n := &node{Name: t.Name, Attr: t.Attr, nsDecl: scope}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				if len(p.Children) == 0 && p.Text != "" {
					p.Indented = true
				}
				p.Children = append(p.Children, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			scopes = scopes[:len(scopes)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("wsmantest: empty XML document")
	}
	return root, nil
}

// is reports whether n is the element space:local.
func (n *node) is(space, local string) bool {
	return n != nil && n.Name.Space == space && n.Name.Local == local
}

// child returns the first child named space:local (any space when empty).
func (n *node) child(space, local string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name.Local == local && (space == "" || c.Name.Space == space) {
			return c
		}
	}
	return nil
}

// childrenNamed returns every child named space:local.
func (n *node) childrenNamed(space, local string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.Children {
		if c.Name.Local == local && (space == "" || c.Name.Space == space) {
			out = append(out, c)
		}
	}
	return out
}

// text returns the trimmed character data of n ("" for nil).
func (n *node) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

// attr returns an attribute by local name (and space when given).
func (n *node) attr(space, local string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Name.Local == local && (space == "" || a.Name.Space == space) {
			return a.Value, true
		}
	}
	return "", false
}

// isNil reports xsi:nil="true".
func (n *node) isNil() bool {
	v, ok := n.attr(nsXSI, "nil")
	return ok && strings.EqualFold(strings.TrimSpace(v), "true")
}

// resolveQName resolves a prefixed name ("p:Class_Type") in n's scope.
func (n *node) resolveQName(q string) (space, local string) {
	prefix, local, ok := strings.Cut(q, ":")
	if !ok {
		return n.nsDecl[""], q
	}
	return n.nsDecl[prefix], local
}
