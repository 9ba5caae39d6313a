package wsmantest

import (
	"sort"
	"strings"
)

// canon writes a node tree in a canonical form for shape comparisons:
// element names by namespace URI, attributes other than namespace
// declarations sorted (QName values resolved), trimmed text. Texts of
// elements for which ignore reports true are replaced by "*".
func canon(n *node, ignore func(*node) bool) string {
	var b strings.Builder
	canonInto(&b, n, ignore, 0)
	return b.String()
}

func canonInto(b *strings.Builder, n *node, ignore func(*node) bool, depth int) {
	ind := strings.Repeat("  ", depth)
	b.WriteString(ind + "{" + n.Name.Space + "}" + n.Name.Local)
	var attrs []string
	for _, a := range n.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
			continue
		}
		v := a.Value
		if a.Name.Space == nsXSI && a.Name.Local == "type" {
			sp, l := n.resolveQName(v)
			v = "{" + sp + "}" + l
		}
		attrs = append(attrs, "@{"+a.Name.Space+"}"+a.Name.Local+"="+v)
	}
	sort.Strings(attrs)
	for _, a := range attrs {
		b.WriteString(" " + a)
	}
	if ignore != nil && ignore(n) {
		b.WriteString(" = *\n")
		return
	}
	if t := strings.TrimSpace(n.Text); t != "" && len(n.Children) == 0 {
		b.WriteString(" = " + t)
	}
	b.WriteString("\n")
	for _, c := range n.Children {
		canonInto(b, c, ignore, depth+1)
	}
}

// ignoreIDs ignores message ids and the like that differ per exchange.
func ignoreIDs(extra ...string) func(*node) bool {
	return func(n *node) bool {
		switch n.Name.Local {
		case "MessageID", "RelatesTo", "ActivityId":
			return true
		}
		for _, e := range extra {
			if n.Name.Local == e {
				return true
			}
		}
		return false
	}
}

// diffLines returns the first differing line of two canonical forms.
func diffLines(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + itoa(i+1) + ":\n  got:  " + x + "\n  want: " + y
		}
	}
	return ""
}
