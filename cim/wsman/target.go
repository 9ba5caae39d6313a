package wsman

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// target resolves the resource URI and selectors addressing one
// instance (or, with a nil path, a class for static methods).
func (c *Client) target(common *model.Common, class string, path *model.Reference) (uri string, sels []model.Selector, ns string) {
	ns = model.NamespaceOr(common.Namespace)
	if path != nil && path.Namespace != "" && common.Namespace == "" {
		ns = path.Namespace
	}
	if path != nil && class == "" {
		class = path.ClassName
	}
	switch {
	case common.ResourceURI != "":
		uri = common.ResourceURI
	case path != nil && path.ResourceURI != "" && !strings.HasSuffix(path.ResourceURI, "/*"):
		uri = path.ResourceURI
	default:
		uri = ResourceURI(c.form(), ns, class)
	}
	if path != nil {
		for _, s := range path.Selectors {
			if !strings.EqualFold(s.Name, SelectorNamespace) {
				sels = append(sels, s)
			}
		}
	}
	if needsNamespaceSelector(uri) {
		sels = append([]model.Selector{{Name: SelectorNamespace, Value: namespaceSelectorValue(ns)}}, sels...)
	}
	return uri, sels, ns
}

func (c *Client) invalid(format string, args ...any) error {
	return &model.Fault{Category: model.CategoryInvalidParameter, ComputerName: c.opts.ComputerName, Err: fmt.Errorf(format, args...)}
}
