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
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/xmltok"
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
		for _, p := range inst.All() {
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

// Limits on what Read accepts. A log cimsh wrote holds instances of a
// few kilobytes each (20,000 processes make about 60 MB); anything near
// these sizes is not one, and reading it whole would cost several times
// its size in memory.
const (
	MaxFileSize   = 256 << 20 // bytes in a log
	MaxRecordSize = 16 << 20  // bytes of one instance
	maxHeaderSize = 64 << 10  // bytes before the root element's start tag ends
)

// ErrTooLarge is returned (wrapped) for a log or an instance over the
// limits.
var ErrTooLarge = errors.New("milog: over the size limit")

// rootStart finds the root element's start tag in a log's first bytes.
var rootStart = regexp.MustCompile(`<([A-Za-z_][-.\w]*:)?MiLog[\s/>]`)

// Read reads the instances a Write wrote. It streams: one instance is in
// memory as text at a time, a log over MaxFileSize or an instance over
// MaxRecordSize is refused, and what it reports of a file that is not a
// log never quotes its raw bytes.
func Read(r io.Reader) ([]*model.Instance, error) {
	return readLimited(r, MaxFileSize, MaxRecordSize)
}

func readLimited(r io.Reader, maxFile, maxRecord int64) ([]*model.Instance, error) {
	cr := &countingReader{r: io.LimitReader(r, maxFile+1)}
	br := bufio.NewReaderSize(cr, 64<<10)
	tooLarge := func(err error) error {
		if cr.n > maxFile {
			return fmt.Errorf("%w: the file is larger than %d MiB", ErrTooLarge, maxFile>>20)
		}
		return err
	}
	header, err := readUntil(br, nil, ">", maxHeaderSize)
	for err == nil && !rootStart.Match(header) {
		header, err = readUntil(br, header, ">", maxHeaderSize)
	}
	if err != nil {
		return nil, tooLarge(errors.New("milog: not a cimsh MI log (no MiLog element at its start)"))
	}
	prefix := string(rootStart.FindSubmatch(header)[1])
	rootEnd := []byte("</" + prefix + "MiLog>")
	instanceEnd := "</" + prefix + "Instance>"
	if err := checkRoot(header, rootEnd); err != nil {
		return nil, err
	}
	var out []*model.Instance
	for {
		c, err := skipSpace(br)
		if err != nil {
			return nil, tooLarge(fmt.Errorf("milog: the file is cut short after %d instances", len(out)))
		}
		if c == '<' {
			if next, _ := br.Peek(len(rootEnd) - 1); bytes.Equal(next, rootEnd[1:]) {
				return out, nil
			}
		}
		rec, err := readUntil(br, []byte{c}, instanceEnd, maxRecord)
		if errors.Is(err, ErrTooLarge) {
			return nil, fmt.Errorf("%w: instance %d is larger than %d MiB", ErrTooLarge, len(out)+1, maxRecord>>20)
		}
		if err != nil {
			return nil, tooLarge(fmt.Errorf("milog: the file is cut short in instance %d", len(out)+1))
		}
		doc := make([]byte, 0, len(header)+len(rec)+len(rootEnd))
		doc = append(append(append(doc, header...), rec...), rootEnd...)
		inst, err := decodeRecord(doc)
		if err != nil {
			return nil, &recordError{n: len(out) + 1, err: err}
		}
		out = append(out, inst)
	}
}

// recordError is a failure to decode one instance of a log. Its message
// quotes the file's text only cut and in printable ASCII: a file that is
// not a log may hold anything.
type recordError struct {
	n   int
	err error
}

func (e *recordError) Unwrap() error { return e.err }

func (e *recordError) Error() string {
	var se *xmltok.SyntaxError
	if errors.As(e.err, &se) {
		return fmt.Sprintf("milog: instance %d: not valid XML (byte %d of the record): %+.100q", e.n, se.Offset, se.Msg)
	}
	msg := e.err.Error()
	for i := 0; i < len(msg); i++ {
		if msg[i] < 0x20 || msg[i] >= 0x7f {
			return fmt.Sprintf("milog: instance %d: %+.200q", e.n, msg)
		}
	}
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return fmt.Sprintf("milog: instance %d: %s", e.n, msg)
}

// checkRoot checks that the header opens a log of this format.
func checkRoot(header, rootEnd []byte) error {
	d := wsman.NewDecoder(append(append([]byte(nil), header...), rootEnd...))
	root, err := nextStart(d)
	if err != nil || root.Name.Space != Namespace || root.Name.Local != "MiLog" {
		return errors.New("milog: not a cimsh MI log (its MiLog element is not in namespace " + Namespace + ")")
	}
	return nil
}

// decodeRecord decodes a document of the root element holding one
// instance element.
func decodeRecord(doc []byte) (*model.Instance, error) {
	d := wsman.NewDecoder(doc)
	if _, err := nextStart(d); err != nil {
		return nil, err
	}
	se, err := nextStart(d)
	if err == io.EOF {
		return nil, errors.New("no instance element")
	}
	if err != nil {
		return nil, err
	}
	if se.Name.Space != Namespace || se.Name.Local != "Instance" {
		return nil, fmt.Errorf("unexpected element %s", se.Name.Local)
	}
	inst, err := readInstance(d)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "Namespace":
			inst.Namespace = strings.Clone(a.Value)
		case "ComputerName":
			inst.ComputerName = strings.Clone(a.Value)
		case "Keys":
			if a.Value != "" {
				inst.MarkKeys(strings.Split(a.Value, ","))
			}
		}
	}
	return inst, nil
}

// readUntil appends to buf the bytes up to and including delim, failing
// with ErrTooLarge past max bytes; at the end of the input it returns
// what it read and io.EOF (or the reader's error).
func readUntil(br *bufio.Reader, buf []byte, delim string, max int64) ([]byte, error) {
	last := delim[len(delim)-1]
	for {
		chunk, err := br.ReadSlice(last)
		buf = append(buf, chunk...)
		if int64(len(buf)) > max {
			return buf, ErrTooLarge
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			return buf, err
		case bytes.HasSuffix(buf, []byte(delim)):
			return buf, nil
		}
	}
}

// skipSpace returns the next byte that is not XML white space.
func skipSpace(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err != nil || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			return c, err
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readInstance reads an instance's schema and the instance, typed by it.
func readInstance(d *xmltok.Decoder) (*model.Instance, error) {
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
			cls.Name = strings.Clone(pe.Name.Local)
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
				decl.Name = strings.Clone(a.Value)
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
		p, found := inst.Lookup(decl.Name)
		var v model.Value
		switch {
		case nulls[strings.ToLower(decl.Name)] && decl.Array:
			v = model.NullArray(decl.Type)
		case nulls[strings.ToLower(decl.Name)]:
			v = model.Null(decl.Type)
		case !found && decl.Array:
			v = model.Array(decl.Type, nil)
		case !found:
			v = model.Null(decl.Type)
		default:
			v = p.Value
		}
		props = append(props, model.Property{Name: decl.Name, Value: v})
	}
	inst.SetProperties(props)
}

// nextStart returns the next start element, skipping text and ends; the
// end of the root element is io.EOF.
func nextStart(d *xmltok.Decoder) (xmltok.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xmltok.StartElement{}, io.EOF
		}
		if err != nil {
			return xmltok.StartElement{}, err
		}
		switch t := tok.(type) {
		case xmltok.StartElement:
			return t, nil
		case xmltok.EndElement:
			if t.Name.Local == "MiLog" {
				return xmltok.StartElement{}, io.EOF
			}
		}
	}
}
