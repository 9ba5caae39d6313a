package wsman

import (
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// DecodeClass decodes a CIM-XML <CLASS> element (DSP0201), as
// Get-CimClass receives it: QUALIFIER, PROPERTY, PROPERTY.ARRAY,
// PROPERTY.REFERENCE, METHOD and PARAMETER* elements. The key qualifier
// marks keys; EmbeddedInstance and EmbeddedObject make a string property
// an embedded instance; in and out qualifiers give parameter directions
// (in when neither is set); static marks a static method.
func DecodeClass(d *xml.Decoder, start xml.StartElement) (*model.Class, error) {
	cl := &model.Class{}
	cl.Name, _ = attrFold(start, "NAME")
	cl.SuperClass, _ = attrFold(start, "SUPERCLASS")
	err := eachChild(d, func(se xml.StartElement) error {
		switch se.Name.Local {
		case "QUALIFIER":
			_, err := appendQualifier(d, se, &cl.Qualifiers)
			return err
		case "PROPERTY", "PROPERTY.ARRAY", "PROPERTY.REFERENCE":
			p, err := decodePropertyDecl(d, se)
			cl.Properties = append(cl.Properties, p)
			return err
		case "METHOD":
			m, err := decodeMethod(d, se)
			cl.Methods = append(cl.Methods, m)
			return err
		}
		return skip(d)
	})
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// eachChild calls f for every child element of the element just
// started, up to its end. f must consume the child: decode it or skip it.
func eachChild(d *xml.Decoder, f func(child xml.StartElement) error) error {
	for {
		c, ok, err := findStart(d)
		if err != nil || !ok {
			return err
		}
		if err := f(c); err != nil {
			return err
		}
	}
}

// appendQualifier decodes a QUALIFIER element onto qs and returns it.
func appendQualifier(d *xml.Decoder, se xml.StartElement, qs *[]model.Qualifier) (model.Qualifier, error) {
	q, err := decodeQualifier(d, se)
	if err == nil {
		*qs = append(*qs, q)
	}
	return q, err
}

// cimxmlType reads a TYPE attribute (TypeString when absent or unknown,
// so that a value is at least kept as text).
func cimxmlType(se xml.StartElement) model.Type {
	s, ok := attrFold(se, "TYPE")
	if !ok {
		return model.TypeString
	}
	t, ok := model.ParseType(s)
	if !ok {
		return model.TypeString
	}
	return t
}

func decodeQualifier(d *xml.Decoder, se xml.StartElement) (model.Qualifier, error) {
	q := model.Qualifier{}
	q.Name, _ = attrFold(se, "NAME")
	t := cimxmlType(se)
	var elems []model.Value
	isArray := false
	for {
		c, ok, err := findStart(d)
		if err != nil {
			return q, err
		}
		if !ok {
			break
		}
		switch c.Name.Local {
		case "VALUE":
			s, err := readText(d)
			if err != nil {
				return q, err
			}
			elems = append(elems, qualifierValue(t, s))
		case "VALUE.ARRAY":
			isArray = true
			for {
				v, ok, err := findStart(d)
				if err != nil {
					return q, err
				}
				if !ok {
					break
				}
				if v.Name.Local != "VALUE" {
					if err := skip(d); err != nil {
						return q, err
					}
					continue
				}
				s, err := readText(d)
				if err != nil {
					return q, err
				}
				elems = append(elems, qualifierValue(t, s))
			}
		default:
			if err := skip(d); err != nil {
				return q, err
			}
		}
	}
	switch {
	case isArray:
		q.Value = model.Array(t, elems)
	case len(elems) > 0:
		q.Value = elems[0]
	default:
		q.Value = model.Null(t)
	}
	return q, nil
}

func qualifierValue(t model.Type, s string) model.Value {
	v, err := model.ParseScalar(t, s)
	if err != nil {
		return model.String(s)
	}
	return v
}

func decodePropertyDecl(d *xml.Decoder, se xml.StartElement) (model.PropertyDecl, error) {
	p := model.PropertyDecl{}
	p.Name, _ = attrFold(se, "NAME")
	p.ClassOrigin, _ = attrFold(se, "CLASSORIGIN")
	switch se.Name.Local {
	case "PROPERTY.REFERENCE":
		p.Type = model.TypeReference
		p.RefClass, _ = attrFold(se, "REFERENCECLASS")
	case "PROPERTY.ARRAY":
		p.Array = true
		p.Type = cimxmlType(se)
	default:
		p.Type = cimxmlType(se)
	}
	if s, ok := attrFold(se, "EmbeddedObject"); ok && s != "" {
		p.Type = model.TypeInstance
	}
	var defaults []model.Value
	hasDefault := false
	err := eachChild(d, func(c xml.StartElement) error {
		switch c.Name.Local {
		case "QUALIFIER":
			_, err := appendQualifier(d, c, &p.Qualifiers)
			return err
		case "VALUE":
			s, err := readText(d)
			defaults = append(defaults, qualifierValue(p.Type, s))
			hasDefault = true
			return err
		case "VALUE.ARRAY":
			hasDefault = true
			return eachChild(d, func(xml.StartElement) error {
				s, err := readText(d)
				defaults = append(defaults, qualifierValue(p.Type, s))
				return err
			})
		}
		return skip(d)
	})
	if err != nil {
		return p, err
	}
	applyDeclQualifiers(p.Qualifiers, &p.Type, &p.EmbeddedClass, &p.Key)
	switch {
	case !hasDefault:
		if p.Array {
			p.Default = model.NullArray(p.Type)
		} else {
			p.Default = model.Null(p.Type)
		}
	case p.Array:
		p.Default = model.Array(p.Type, defaults)
	case len(defaults) > 0:
		p.Default = defaults[0]
	}
	return p, nil
}

// applyDeclQualifiers applies the qualifiers that change a declaration's
// meaning: key, EmbeddedInstance, EmbeddedObject.
func applyDeclQualifiers(qs []model.Qualifier, t *model.Type, embedded *string, key *bool) {
	for _, q := range qs {
		switch strings.ToLower(q.Name) {
		case "key":
			if key != nil && qualifierTrue(q) {
				*key = true
			}
		case "embeddedinstance":
			*t = model.TypeInstance
			if s, ok := q.Value.AsString(); ok {
				*embedded = s
			}
		case "embeddedobject":
			if qualifierTrue(q) {
				*t = model.TypeInstance
			}
		}
	}
}

func qualifierTrue(q model.Qualifier) bool {
	b, ok := q.Value.AsBool()
	return !ok || b
}

func decodeMethod(d *xml.Decoder, se xml.StartElement) (model.Method, error) {
	m := model.Method{}
	m.Name, _ = attrFold(se, "NAME")
	m.ReturnType = cimxmlType(se)
	err := eachChild(d, func(c xml.StartElement) error {
		switch c.Name.Local {
		case "QUALIFIER":
			q, err := appendQualifier(d, c, &m.Qualifiers)
			if strings.EqualFold(q.Name, "static") && qualifierTrue(q) {
				m.Static = true
			}
			return err
		case "PARAMETER", "PARAMETER.ARRAY", "PARAMETER.REFERENCE", "PARAMETER.REFARRAY":
			p, err := decodeParameter(d, c)
			m.Parameters = append(m.Parameters, p)
			return err
		}
		return skip(d)
	})
	return m, err
}

func decodeParameter(d *xml.Decoder, se xml.StartElement) (model.Parameter, error) {
	p := model.Parameter{}
	p.Name, _ = attrFold(se, "NAME")
	switch se.Name.Local {
	case "PARAMETER.REFERENCE", "PARAMETER.REFARRAY":
		p.Type = model.TypeReference
		p.RefClass, _ = attrFold(se, "REFERENCECLASS")
		p.Array = se.Name.Local == "PARAMETER.REFARRAY"
	case "PARAMETER.ARRAY":
		p.Array = true
		p.Type = cimxmlType(se)
	default:
		p.Type = cimxmlType(se)
	}
	err := eachChild(d, func(c xml.StartElement) error {
		if c.Name.Local != "QUALIFIER" {
			return skip(d)
		}
		q, err := appendQualifier(d, c, &p.Qualifiers)
		switch strings.ToLower(q.Name) {
		case "in":
			p.In = qualifierTrue(q)
		case "out":
			p.Out = qualifierTrue(q)
		}
		return err
	})
	if err != nil {
		return p, err
	}
	applyDeclQualifiers(p.Qualifiers, &p.Type, &p.EmbeddedClass, nil)
	if !p.In && !p.Out {
		p.In = true
	}
	return p, nil
}
