package wsmantest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// request is a parsed WS-Man request envelope.
type request struct {
	Action               string
	ResourceURI          string
	MessageID            string
	To                   string
	Selectors            []model.Selector
	Options              map[string]string // w:OptionSet, by option name
	MaxEnvelopeSize      int               // 0 when absent
	OperationTimeout     time.Duration
	Locale               string
	LocaleMustUnderstand bool
	Identifier           string // e:Identifier, the subscription an Unsubscribe or Renew names
	Body                 *node  // the first element child of s:Body (nil when empty)
	BodyIndented         bool   // character data before that child
}

// parseRequest reads a SOAP 1.2 envelope. Every text is trimmed: the
// specification's examples put line breaks around URIs.
func parseRequest(data []byte) (*request, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	if !root.is(nsSOAP, "Envelope") {
		if root.Name.Local == "Envelope" {
			return nil, fmt.Errorf("wsmantest: envelope namespace %q is not SOAP 1.2", root.Name.Space)
		}
		return nil, fmt.Errorf("wsmantest: root element %q is not a SOAP envelope", root.Name.Local)
	}
	req := &request{Options: map[string]string{}}
	if h := root.child(nsSOAP, "Header"); h != nil {
		for _, c := range h.Children {
			switch {
			case c.is(nsAddressing, "Action"):
				req.Action = c.text()
			case c.is(nsAddressing, "MessageID"):
				req.MessageID = c.text()
			case c.is(nsAddressing, "To"):
				req.To = c.text()
			case c.is(nsWSMan, "ResourceURI"):
				req.ResourceURI = c.text()
			case c.is(nsWSMan, "SelectorSet"):
				sels, err := parseSelectorSet(c, 0)
				if err != nil {
					return nil, err
				}
				req.Selectors = sels
			case c.is(nsWSMan, "OptionSet"):
				for _, o := range c.childrenNamed(nsWSMan, "Option") {
					name, _ := o.attr("", "Name")
					req.Options[name] = o.text()
				}
			case c.is(nsWSMan, "MaxEnvelopeSize"):
				n, err := strconv.Atoi(c.text())
				if err != nil || n <= 0 {
					return nil, fmt.Errorf("wsmantest: MaxEnvelopeSize %q is not a positive number", c.text())
				}
				req.MaxEnvelopeSize = n
			case c.is(nsWSMan, "OperationTimeout"):
				d, err := model.ParseDuration(c.text())
				if err != nil {
					return nil, fmt.Errorf("wsmantest: OperationTimeout: %w", err)
				}
				req.OperationTimeout = d
			case c.is(nsEventing, "Identifier"):
				req.Identifier = c.text()
			case c.is(nsWSMan, "Locale"):
				req.Locale, _ = c.attr("", "lang")
				mu, _ := c.attr(nsSOAP, "mustUnderstand")
				req.LocaleMustUnderstand = strings.EqualFold(strings.TrimSpace(mu), "true") || strings.TrimSpace(mu) == "1"
			}
		}
	}
	body := root.child(nsSOAP, "Body")
	if body == nil {
		return nil, fmt.Errorf("wsmantest: the envelope has no SOAP Body")
	}
	if len(body.Children) > 0 {
		req.Body = body.Children[0]
		req.BodyIndented = body.Indented
	}
	return req, nil
}

// parseSelectorSet reads w:Selector children; a selector's value is its
// text or a nested endpoint reference.
func parseSelectorSet(set *node, depth int) ([]model.Selector, error) {
	if depth > 8 {
		return nil, fmt.Errorf("wsmantest: selector references nested too deeply")
	}
	var out []model.Selector
	for _, s := range set.childrenNamed(nsWSMan, "Selector") {
		name, ok := s.attr("", "Name")
		if !ok || name == "" {
			return nil, fmt.Errorf("wsmantest: a selector has no Name")
		}
		sel := model.Selector{Name: name}
		if epr := s.child(nsAddressing, "EndpointReference"); epr != nil {
			ref, err := parseEPR(epr, depth+1)
			if err != nil {
				return nil, err
			}
			sel.Ref = ref
		} else {
			sel.Value = s.text()
		}
		out = append(out, sel)
	}
	return out, nil
}

// parseEPR reads an endpoint reference (a:Address, a:ReferenceParameters
// with w:ResourceURI and w:SelectorSet) into a reference.
func parseEPR(epr *node, depth int) (*model.Reference, error) {
	ref := &model.Reference{Address: epr.child(nsAddressing, "Address").text()}
	rp := epr.child(nsAddressing, "ReferenceParameters")
	if rp == nil {
		return nil, fmt.Errorf("wsmantest: endpoint reference without ReferenceParameters")
	}
	ref.ResourceURI = rp.child(nsWSMan, "ResourceURI").text()
	if set := rp.child(nsWSMan, "SelectorSet"); set != nil {
		sels, err := parseSelectorSet(set, depth)
		if err != nil {
			return nil, err
		}
		ref.Selectors = sels
	}
	t := parseTarget(ref.ResourceURI, ref.Selectors, "")
	ref.ClassName = t.Class
	ref.Namespace = t.Namespace
	ref.Selectors = withoutNamespaceSelector(ref.Selectors)
	return ref, nil
}

// selector returns a selector's value by name, case-insensitively.
func selector(sels []model.Selector, name string) (string, bool) {
	for _, s := range sels {
		if strings.EqualFold(s.Name, name) {
			return s.Value, true
		}
	}
	return "", false
}

func withoutNamespaceSelector(sels []model.Selector) []model.Selector {
	var out []model.Selector
	for _, s := range sels {
		if !strings.EqualFold(s.Name, selectorNamespace) {
			out = append(out, s)
		}
	}
	return out
}

// uriForm says how a resource URI names its class.
type uriForm int

const (
	formUnknown uriForm = iota
	formWMI             // .../wsman/1/wmi/<namespace>/<Class>
	formDMTF            // .../wscim/1/cim-schema/2/<Class> + __cimnamespace
	formAll             // .../wscim/1/* (WQL and associations)
	formSchema          // .../cim-xml/2/cim-schema/2/* (class declarations)
)

// target is what a resource URI and its selectors address.
type target struct {
	URI       string
	Form      uriForm
	Namespace string
	Class     string // "*" for every class
	WMI       bool   // the URI is in the WMI family (instances answer in it)
}

// parseTarget splits a resource URI. defaultNS is the namespace a DMTF
// URI without __cimnamespace means (Windows: root/hardware).
func parseTarget(uri string, sels []model.Selector, defaultNS string) target {
	t := target{URI: uri}
	lower := strings.ToLower(uri)
	switch {
	case strings.HasPrefix(lower, prefixWMI):
		rest := uri[len(prefixWMI):]
		i := strings.LastIndexByte(rest, '/')
		if i <= 0 {
			return t
		}
		t.Form, t.Namespace, t.Class, t.WMI = formWMI, rest[:i], rest[i+1:], true
		if t.Class == "*" {
			t.Form = formAll
		}
		return t
	case lower == classSchemaURI:
		t.Form, t.Class = formSchema, "*"
	case strings.HasSuffix(lower, "/wscim/1/*"):
		t.Form, t.Class = formAll, "*"
	case strings.Contains(lower, "/cim-schema/2/"):
		i := strings.LastIndexByte(uri, '/')
		t.Form, t.Class = formDMTF, uri[i+1:]
		if t.Class == "" {
			t.Form = formUnknown
		}
	default:
		return t
	}
	if ns, ok := selector(sels, selectorNamespace); ok && ns != "" {
		t.Namespace = strings.ReplaceAll(ns, `\`, "/")
	} else {
		t.Namespace = defaultNS
	}
	return t
}

// classURI is the resource URI (and XML namespace) of class: the WMI
// form when wmi is set, the DMTF form otherwise.
func classURI(wmi bool, namespace, class string) string {
	if wmi {
		return prefixWMI + strings.Trim(namespace, "/") + "/" + class
	}
	return prefixDMTFClass + class
}
