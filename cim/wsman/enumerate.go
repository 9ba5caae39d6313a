package wsman

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Enumerate starts an enumeration of a class, a query's results, or the
// instances associated with one instance, with optimized enumeration (the
// first batch comes with the Enumerate response). The enumerator Pulls
// further batches as Next needs them and Releases the server's context
// when closed early, on error and on cancellation.
func (c *Client) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	e, err := c.startEnumerate(ctx, req)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// enumSpec is the resolved form of an EnumerateRequest.
type enumSpec struct {
	uri       string
	selectors []model.Selector
	mode      string
	filter    []byte // the w:Filter element
	namespace string
	fragClass string
	shallow   string // class name to keep when Shallow
	// schemaClass is the class whose schema is fetched before the
	// Enumerate: the class enumerated, the query's FROM class, an
	// association's result class ("" when unknown).
	schemaClass string
}

var fromClause = regexp.MustCompile(`(?i)\bfrom\s+([A-Za-z_][A-Za-z0-9_]*)`)

func (c *Client) enumSpec(req *model.EnumerateRequest) (*enumSpec, error) {
	ns := model.NamespaceOr(req.Namespace)
	s := &enumSpec{namespace: ns}
	form := c.form()
	nsSel := func() {
		if needsNamespaceSelector(s.uri) {
			s.selectors = append(s.selectors, model.Selector{Name: SelectorNamespace, Value: namespaceSelectorValue(ns)})
		}
	}
	switch {
	case req.Associated != nil:
		a := req.Associated
		if a.Source == nil {
			return nil, fmt.Errorf("wsman: association enumeration without a source instance")
		}
		s.uri = ResourceURI(form, ns, "*")
		if req.ResourceURI != "" {
			s.uri = req.ResourceURI
		}
		nsSel()
		s.mode = ModeObjectAndEPR
		if req.KeyOnly {
			s.mode = ModeEPR
		}
		src := a.Source
		if src.Namespace == "" {
			src = src.Clone()
			src.Namespace = ns
		}
		f := []byte(`<w:Filter Dialect="` + DialectAssociation + `">`)
		tag := "b:AssociatedInstances"
		if a.References {
			tag = "b:AssociationInstances"
		}
		f = append(f, '<')
		f = append(f, tag...)
		f = append(f, "><b:Object>"...)
		f = appendEPRContent(f, src, form)
		f = append(f, "</b:Object>"...)
		if a.AssociationClass != "" && !a.References {
			f = appendElem(f, "b:AssociationClassName", a.AssociationClass)
		}
		if a.Role != "" {
			f = appendElem(f, "b:Role", a.Role)
		}
		if a.ResultClass != "" {
			f = appendElem(f, "b:ResultClassName", a.ResultClass)
		}
		if a.ResultRole != "" && !a.References {
			f = appendElem(f, "b:ResultRole", a.ResultRole)
		}
		// The result class names the instances returned (for
		// references, the association class).
		s.schemaClass = a.ResultClass
		f = append(f, "</"...)
		f = append(f, tag...)
		f = append(f, "></w:Filter>"...)
		s.filter = f
	case req.Query != "" || len(req.Properties) > 0:
		query := req.Query
		if query == "" {
			if req.ClassName == "" {
				return nil, fmt.Errorf("wsman: property list without a class name")
			}
			query = "SELECT " + strings.Join(req.Properties, ",") + " FROM " + req.ClassName
		}
		s.uri = ResourceURI(form, ns, "*")
		if req.ResourceURI != "" {
			s.uri = req.ResourceURI
		}
		nsSel()
		if m := fromClause.FindStringSubmatch(query); m != nil {
			s.fragClass = m[1]
			s.schemaClass = m[1]
		}
		s.mode = ModeObjectAndEPR
		if req.KeyOnly {
			s.mode = ModeEPR
		}
		f := []byte(`<w:Filter`)
		f = appendAttrPair(f, "Dialect", dialectURI(req.QueryDialect))
		f = append(f, '>')
		f = appendText(f, query)
		s.filter = append(f, "</w:Filter>"...)
		if req.Shallow {
			s.shallow = s.fragClass
		}
	default:
		if req.ClassName == "" && req.ResourceURI == "" {
			return nil, fmt.Errorf("wsman: enumeration needs a class name, a query or a resource URI")
		}
		s.uri = req.ResourceURI
		if s.uri == "" {
			s.uri = ResourceURI(form, ns, req.ClassName)
		}
		nsSel()
		s.mode = ModeObjectAndEPR
		if req.KeyOnly {
			s.mode = ModeEPR
		}
		if req.Shallow {
			s.shallow = req.ClassName
		}
		s.schemaClass = req.ClassName
		if s.schemaClass == "" {
			_, s.schemaClass = ParseResourceURI(s.uri)
		}
	}
	return s, nil
}

// dialectURI maps a query dialect name to its URI.
func dialectURI(d string) string {
	switch strings.ToUpper(d) {
	case "", "WQL":
		return DialectWQL
	case "CQL":
		return "http://schemas.dmtf.org/wbem/cql/1/dsp0202.pdf"
	case "SELECTOR":
		return DialectSelector
	}
	return d
}

func (c *Client) startEnumerate(ctx context.Context, req *model.EnumerateRequest) (*enumerator, error) {
	spec, err := c.enumSpec(req)
	if err != nil {
		return nil, &model.Fault{Category: model.CategoryInvalidParameter, ComputerName: c.opts.ComputerName, Err: err}
	}
	max := req.BatchSize
	if max <= 0 {
		max = c.opts.BatchSize
	}
	e := &enumerator{c: c, spec: spec, max: max, timeout: req.OperationTimeout}
	e.idec = &itemDecoder{fragClass: spec.fragClass, keyOnly: req.KeyOnly, namespace: spec.namespace}
	if !c.opts.NoSchema {
		// The schemas first: once the enumeration is open, OMI serves
		// nothing else of its class (see enumerator.go).
		d, err := c.prefetchSchemas(ctx, spec.namespace, spec.schemaClass)
		if err != nil {
			return nil, err
		}
		e.deferred = d
		e.idec.schema = d.lookup
	}
	for attempt := 0; ; attempt++ {
		env := c.appendHeader(nil, &request{action: ActionEnumerate, resourceURI: spec.uri, selectors: spec.selectors, timeout: req.OperationTimeout, options: customOptions(req.Common.Options)})
		env = append(env, "<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>"...)
		env = strconv.AppendInt(env, int64(e.max), 10)
		env = append(env, "</w:MaxElements>"...)
		if spec.mode != "" {
			env = appendElem(env, "w:EnumerationMode", spec.mode)
		}
		env = append(env, spec.filter...)
		env = append(env, "</n:Enumerate>"...)
		env = appendEnvelopeEnd(env)
		b, err := e.roundTrip(ctx, env, EffectOpen)
		if err != nil {
			// A first batch too large for the envelope: ask for fewer.
			if isSubcode(err, "EncodingLimit") && e.max > 1 && attempt < 8 && c.opts.MaxEnvelopeSize >= MinEnvelopeSize {
				e.max = max1(e.max / 4)
				continue
			}
			// A reply that failed to decode may still have opened a
			// context on the server.
			e.mu.Lock()
			e.releaseLocked()
			e.mu.Unlock()
			return nil, err
		}
		e.take(b)
		break
	}
	if !e.done {
		c.track(e)
	}
	return e, nil
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// isSubcode reports whether err is a fault with the given subcode local
// name.
func isSubcode(err error, local string) bool {
	f, ok := model.AsFault(err)
	if !ok {
		return false
	}
	s := f.Subcode
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	return s == local
}
