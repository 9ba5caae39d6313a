// Package milog saves CIM instances to a file and reads them back with
// their CIM types, what PowerShell's Export-BinaryMiLog and
// Import-BinaryMiLog do. Microsoft's binary MI log encoding is not
// published, so the file is cimsh's own: each instance as a WS-Management
// instance element with an xsi:type on every value (the form PowerShell's
// MI client sends in Create and Put), inside a small XML envelope that
// keeps what the element cannot: namespace, computer name, keys, and
// each property's type and shape (the CIM type of a NULL, a one-element
// array, an empty array, which the wire form leaves ambiguous).
package milog

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
)

// Namespace is the XML namespace of the envelope elements.
const Namespace = "urn:cimsh:milog:1"

// Write writes instances to w.
func Write(w io.Writer, insts []*model.Instance) error {
	buf := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<l:MiLog xmlns:l="` + Namespace + `" Version="1">` + "\n")
	for _, inst := range insts {
		if inst == nil {
			return errors.New("milog: a nil instance")
		}
		var keys []string
		for _, p := range inst.Keys() {
			keys = append(keys, p.Name)
		}
		buf = append(buf, `<l:Instance`...)
		buf = attr(buf, "Namespace", inst.Namespace)
		buf = attr(buf, "ComputerName", inst.ComputerName)
		buf = attr(buf, "Keys", strings.Join(keys, ","))
		buf = append(buf, "><l:Schema>"...)
		for _, p := range inst.Properties {
			buf = append(buf, "<l:Property"...)
			buf = attr(buf, "Name", p.Name)
			buf = attr(buf, "Type", p.Value.Type().String())
			if p.Value.IsArray() {
				buf = append(buf, ` Array="true"`...)
			}
			if p.Value.IsNull() {
				buf = append(buf, ` Null="true"`...)
			}
			buf = append(buf, "/>"...)
		}
		buf = append(buf, "</l:Schema>"...)
		buf = wsman.AppendInstanceWith(buf, inst, inst.ResourceURI, wsman.EncodeOptions{ValueTypes: true})
		buf = append(buf, "</l:Instance>\n"...)
	}
	buf = append(buf, "</l:MiLog>\n"...)
	_, err := w.Write(buf)
	return err
}

// attr appends name="value" (EscapeText escapes quotes too).
func attr(dst []byte, name, value string) []byte {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(value))
	dst = append(append(append(dst, ' '), name...), `="`...)
	return append(append(dst, b.Bytes()...), '"')
}

// Read reads the instances a Write wrote.
func Read(r io.Reader) ([]*model.Instance, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("milog: %w", err)
	}
	d := wsman.NewDecoder(body)
	root, err := nextStart(d)
	if err == io.EOF {
		return nil, errors.New("milog: not a cimsh MI log (no root element)")
	}
	if err != nil {
		return nil, err
	}
	if root.Name.Space != Namespace || root.Name.Local != "MiLog" {
		return nil, fmt.Errorf("milog: not a cimsh MI log (root element %s)", root.Name.Local)
	}
	var out []*model.Instance
	for {
		se, err := nextStart(d)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if se.Name.Space != Namespace || se.Name.Local != "Instance" {
			return nil, fmt.Errorf("milog: unexpected element %s", se.Name.Local)
		}
		inst, err := readInstance(d)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, fmt.Errorf("milog: instance %d: %w", len(out)+1, err)
		}
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Namespace":
				inst.Namespace = a.Value
			case "ComputerName":
				inst.ComputerName = a.Value
			case "Keys":
				if a.Value != "" {
					inst.MarkKeys(strings.Split(a.Value, ","))
				}
			}
		}
		out = append(out, inst)
	}
}

// readInstance reads an instance's schema and the instance, typed by it.
func readInstance(d *xml.Decoder) (*model.Instance, error) {
	se, err := nextStart(d)
	if err != nil {
		return nil, err
	}
	if se.Name.Space != Namespace || se.Name.Local != "Schema" {
		return nil, fmt.Errorf("no schema (found %s)", se.Name.Local)
	}
	cls := &model.Class{}
	nulls := map[string]bool{}
	for {
		pe, err := nextStart(d)
		if err != nil {
			return nil, err
		}
		if pe.Name.Space != Namespace {
			// The instance element itself: the schema has ended.
			cls.Name = pe.Name.Local
			inst, err := wsman.DecodeInstance(d, pe, cls)
			if err != nil {
				return nil, err
			}
			restoreShapes(inst, cls, nulls)
			return inst, nil
		}
		if pe.Name.Local != "Property" {
			return nil, fmt.Errorf("unexpected element %s in the schema", pe.Name.Local)
		}
		decl := model.PropertyDecl{}
		for _, a := range pe.Attr {
			switch a.Name.Local {
			case "Name":
				decl.Name = a.Value
			case "Type":
				t, ok := model.ParseType(a.Value)
				if !ok && a.Value != "unknown" {
					return nil, fmt.Errorf("property type %q", a.Value)
				}
				decl.Type = t
			case "Array":
				decl.Array = a.Value == "true"
			case "Null":
				nulls[strings.ToLower(decl.Name)] = a.Value == "true"
			}
		}
		if decl.Name == "" {
			return nil, errors.New("a schema property without a name")
		}
		cls.Properties = append(cls.Properties, decl)
	}
}

// restoreShapes puts back what the wire form leaves out: arrays that were
// empty or NULL, and the type of NULL values; and the schema's order.
func restoreShapes(inst *model.Instance, cls *model.Class, nulls map[string]bool) {
	props := make([]model.Property, 0, len(cls.Properties))
	for _, decl := range cls.Properties {
		p := inst.Property(decl.Name)
		var v model.Value
		switch {
		case nulls[strings.ToLower(decl.Name)] && decl.Array:
			v = model.NullArray(decl.Type)
		case nulls[strings.ToLower(decl.Name)]:
			v = model.Null(decl.Type)
		case p == nil && decl.Array:
			v = model.Array(decl.Type, nil)
		case p == nil:
			v = model.Null(decl.Type)
		default:
			v = p.Value
		}
		props = append(props, model.Property{Name: decl.Name, Value: v})
	}
	inst.Properties = props
}

// nextStart returns the next start element, skipping text and ends; the
// end of the root element is io.EOF.
func nextStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, io.EOF
		}
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("milog: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			if t.Name.Local == "MiLog" {
				return xml.StartElement{}, io.EOF
			}
		}
	}
}
