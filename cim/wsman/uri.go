package wsman

import "strings"

// URIForm says how class resource URIs are built.
type URIForm int

const (
	// FormDMTF is PowerShell's form (Windows 2012+, OMI, openwsman):
	// http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/<Class> with the
	// namespace in the __cimnamespace selector.
	FormDMTF URIForm = iota
	// FormWMI is WinRM's WMI form with the namespace in the path:
	// http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/<Class>.
	FormWMI
)

// URI prefixes.
const (
	PrefixDMTFClass = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
	PrefixWMI       = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
	// AllClassesDMTF addresses every class (WQL and association
	// enumerations in the DMTF form).
	AllClassesDMTF = "http://schemas.dmtf.org/wbem/wscim/1/*"
	// ClassSchemaURI serves CIM-XML class declarations (Get-CimClass).
	ClassSchemaURI = "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*"
	// SelectorNamespace carries the CIM namespace in the DMTF form.
	SelectorNamespace = "__cimnamespace"
)

// String names the form ("dmtf" or "wmi").
func (f URIForm) String() string {
	if f == FormWMI {
		return "wmi"
	}
	return "dmtf"
}

// ResourceURI returns the resource URI of class in namespace. In the DMTF
// form the namespace is not part of the URI (send it as __cimnamespace).
// A class of "*" gives the URI that WQL and association enumerations use.
func ResourceURI(form URIForm, namespace, class string) string {
	if form == FormWMI {
		ns := strings.Trim(strings.ReplaceAll(namespaceOr(namespace), `\`, "/"), "/")
		return PrefixWMI + ns + "/" + class
	}
	if class == "*" {
		return AllClassesDMTF
	}
	return PrefixDMTFClass + class
}

// ParseResourceURI splits a class resource URI into its namespace (""
// for the DMTF form and other URIs without one) and class name (the last
// path segment, "*" for the all-classes URIs).
func ParseResourceURI(uri string) (namespace, class string) {
	uri = strings.TrimSpace(uri)
	// Two IndexByte rather than IndexAny, which builds its set on every
	// call (this runs twice an item).
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	if i := strings.IndexByte(uri, '?'); i >= 0 {
		uri = uri[:i]
	}
	if rest, ok := strings.CutPrefix(uri, PrefixWMI); ok {
		if i := strings.LastIndexByte(rest, '/'); i >= 0 {
			return rest[:i], rest[i+1:]
		}
		return "", rest
	}
	if i := strings.LastIndexByte(uri, '/'); i >= 0 {
		return "", uri[i+1:]
	}
	return "", uri
}

// FormOf reports the form of a resource URI: FormWMI for the WMI prefix,
// FormDMTF for everything else.
func FormOf(uri string) URIForm {
	if strings.HasPrefix(strings.TrimSpace(uri), PrefixWMI) {
		return FormWMI
	}
	return FormDMTF
}

func namespaceOr(ns string) string {
	if ns == "" {
		return "root/cimv2"
	}
	return ns
}

// needsNamespaceSelector reports whether requests to uri carry the CIM
// namespace as the __cimnamespace selector: every class URI but the WMI
// form (namespace in the path) and Microsoft's non-CIM resources
// (.../wsman/1/config, .../windows/shell, ...).
func needsNamespaceSelector(uri string) bool {
	return FormOf(uri) == FormDMTF && !strings.HasPrefix(strings.TrimSpace(uri), "http://schemas.microsoft.com/wbem/wsman/")
}
