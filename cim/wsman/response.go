package wsman

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

// openBody positions a decoder on the first child of the SOAP Body of a
// 200 reply. ok is false for an empty Body. A s:Fault in the body is
// returned as the error (some servers send faults with 200).
func (c *Client) openBody(body []byte) (*xml.Decoder, xml.StartElement, bool, error) {
	return c.openBodyWith(nil, body)
}

// openBodyWith is openBody reading with d (nil: a new decoder).
func (c *Client) openBodyWith(d *xml.Decoder, body []byte) (*xml.Decoder, xml.StartElement, bool, error) {
	d, se, ok, err := openBodyWith(d, body)
	if err != nil {
		if f, isFault := model.AsFault(err); isFault {
			f.ComputerName = c.opts.ComputerName
			return nil, se, false, f
		}
		if !isSOAP(body) {
			f := &model.Fault{Category: model.CategoryProtocol, ComputerName: c.opts.ComputerName, HTTPStatus: 200,
				Reason: notEndpoint(200, c.opts.Endpoint), Err: err}
			return nil, se, false, f
		}
		return nil, se, false, c.protocolFault(err)
	}
	return d, se, ok, nil
}

// OpenBody returns a decoder positioned after the start of the first
// child element of the SOAP Body of body, and that element; ok is false
// when the Body is empty. A SOAP fault in the body is returned as a
// *model.Fault error.
func OpenBody(body []byte) (*xml.Decoder, xml.StartElement, bool, error) {
	return openBodyWith(nil, body)
}

// openBodyWith is OpenBody reading with d (nil: a new decoder).
func openBodyWith(d *xml.Decoder, body []byte) (*xml.Decoder, xml.StartElement, bool, error) {
	d = resetDecoder(d, body)
	var none xml.StartElement
	env, ok, err := findStart(d)
	if err != nil {
		return nil, none, false, err
	}
	if !ok || !is(env, NsSOAP, "Envelope") {
		return nil, none, false, fmt.Errorf("wsman: reply is not a SOAP envelope (root %s in %s)", quoteName(env.Name.Local), quoteName(env.Name.Space))
	}
	for {
		se, ok, err := findStart(d)
		if err != nil {
			return nil, none, false, err
		}
		if !ok {
			return nil, none, false, fmt.Errorf("wsman: SOAP envelope without a Body")
		}
		if !is(se, NsSOAP, "Body") {
			if err := skip(d); err != nil {
				return nil, none, false, err
			}
			continue
		}
		first, ok, err := findStart(d)
		if err != nil {
			return nil, none, false, err
		}
		if ok && is(first, NsSOAP, "Fault") {
			return nil, none, false, DecodeFault(200, body)
		}
		return d, first, ok, nil
	}
}

// batch is what an EnumerateResponse or PullResponse carries.
type batch struct {
	context    string
	hasContext bool
	endOfSeq   bool
	items      []*model.Instance
	classes    []*model.Class // class enumeration (CIM-XML CLASS items)
	count      int            // item elements read, empty ones included
}

// itemDecoder decodes items with schemas found by class name.
type itemDecoder struct {
	schema    func(class string) (*model.Class, error)
	fragClass string // the class of w:XmlFragment items, from the query
	keyOnly   bool
	namespace string
	// maxItems is the MaxElements the request asked for: a reply holding
	// more items breaks the protocol, and decoding stops at the first
	// item too many rather than materialise the excess (0: no check).
	maxItems int
	// kept is how many bytes of text the last item kept: the size of
	// the next item's block.
	kept int
	// shapes of the items read, to read the next ones by comparing
	// bytes (itemshape.go; kept from page to page).
	shapes shapes
}

// decodeEnumResponse decodes an EnumerateResponse or PullResponse
// element (start already read). On error the partial batch is returned
// too, so that a context read before the failure can be released.
func decodeEnumResponse(d *xml.Decoder, idec *itemDecoder) (*batch, error) {
	b := &batch{}
	for {
		se, ok, err := findStart(d)
		if err != nil {
			return b, err
		}
		if !ok {
			return b, nil
		}
		switch {
		case se.Name.Local == "EnumerationContext":
			s, err := readTrimmed(d)
			if err != nil {
				return b, err
			}
			b.context, b.hasContext = s, true
		case se.Name.Local == "Items":
			if err := idec.decodeItems(d, b); err != nil {
				return b, err
			}
		case se.Name.Local == "EndOfSequence":
			b.endOfSeq = true
			if err := skip(d); err != nil {
				return b, err
			}
		default:
			if err := skip(d); err != nil {
				return b, err
			}
		}
	}
}

func (idec *itemDecoder) decodeItems(d *xml.Decoder, b *batch) error {
	idec.shapes.startPage(d, idec.schemaOf)
	for {
		if n := d.KeptSince(); n > 0 {
			idec.kept = n
		}
		// Each item's strings in one block of their own: freed with
		// the instance, never keeping another instance (or the reply)
		// alive.
		d.StartBlock(idec.kept + idec.kept/8)
		if idec.maxItems <= 0 || b.count < idec.maxItems {
			if inst, ok := idec.shapes.readItem(d); ok {
				b.count++
				b.items = append(b.items, inst)
				continue
			}
		}
		itemAt, depth := d.Offset(), d.Depth()
		se, ok, err := findStart(d)
		if err != nil || !ok {
			return err
		}
		if b.count++; idec.maxItems > 0 && b.count > idec.maxItems {
			return fmt.Errorf("wsman: the reply holds more items than the %d its request asked for (MaxElements)", idec.maxItems)
		}
		switch {
		case is(se, NsWSMan, "Item"):
			// EnumerateObjectAndEPR: the object, then its EPR.
			var inst *model.Instance
			var ref *model.Reference
			for {
				c, ok, err := findStart(d)
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				if is(c, NsAddressing, "EndpointReference") {
					if ref, err = DecodeEPR(d, c); err != nil {
						return err
					}
					continue
				}
				if inst != nil {
					if err := skip(d); err != nil {
						return err
					}
					continue
				}
				if inst, err = idec.decodeItem(d, c); err != nil {
					return err
				}
			}
			if inst == nil && ref != nil {
				if inst, err = idec.fromEPR(ref); err != nil {
					return err
				}
			} else if inst != nil && ref != nil {
				inst.Ref = ref
				if !hasKeys(inst) {
					markKeysFromRef(inst, ref)
				}
				idec.recordShape(d, itemAt, depth, inst)
			}
			if inst != nil {
				b.items = append(b.items, inst)
			}
		case is(se, NsAddressing, "EndpointReference"):
			ref, err := DecodeEPR(d, se)
			if err != nil {
				return err
			}
			inst, err := idec.fromEPR(ref)
			if err != nil {
				return err
			}
			b.items = append(b.items, inst)
		case se.Name.Local == "CLASS" && se.Name.Space == "":
			cl, err := DecodeClass(d, se)
			if err != nil {
				return err
			}
			if cl.Namespace == "" {
				cl.Namespace = idec.namespace
			}
			b.classes = append(b.classes, cl)
		default:
			inst, err := idec.decodeItem(d, se)
			if err != nil {
				return err
			}
			b.items = append(b.items, inst)
		}
	}
}

// recordShape takes a shape from the item just read, from itemAt (white
// space before its start tag) to here.
func (idec *itemDecoder) recordShape(d *xml.Decoder, itemAt, depth int, inst *model.Instance) {
	if noShape.Load() || idec.shapes.records >= maxShapeRecords {
		return
	}
	doc := d.Document()
	// Not from the page's last item: no item of the page would take
	// the shape (a page of one, as small queries bring, would pay for
	// nothing; a next page takes one from its first item).
	if next := skipBlank(doc, d.Offset()); next+1 < len(doc) && doc[next] == '<' && doc[next+1] == '/' {
		return
	}
	itemAt = skipBlank(doc, itemAt)
	idec.shapes.record(d, itemAt, d.Offset(), depth, inst, idec.schemaOf(inst.ClassName))
}

// schemaOf is class's schema as the decoder's lookup gives it, nil when
// there is none (no lookup, no class, or a failed lookup).
func (idec *itemDecoder) schemaOf(class string) *model.Class {
	if idec.schema == nil || class == "" {
		return nil
	}
	sch, _ := idec.schema(class)
	return sch
}

// decodeItem decodes one instance element, typed by its class schema.
func (idec *itemDecoder) decodeItem(d *xml.Decoder, se xml.StartElement) (*model.Instance, error) {
	class := se.Name.Local
	if is(se, NsWSMan, "XmlFragment") {
		class = idec.fragClass
	}
	var sch *model.Class
	var lookup SchemaFunc
	if idec.schema != nil {
		if class != "" {
			var err error
			if sch, err = idec.schema(class); err != nil {
				return nil, err
			}
		}
		lookup = func(name string) *model.Class {
			s, _ := idec.schema(name)
			return s
		}
	}
	inst, err := decodeInstance(d, se, sch, lookup)
	if err != nil {
		return nil, err
	}
	if inst.Namespace == "" {
		inst.Namespace = idec.namespace
	}
	if inst.ClassName == "" {
		inst.ClassName = class
	}
	return inst, nil
}

// fromEPR builds a key-only instance from an EPR (EnumerateEPR).
func (idec *itemDecoder) fromEPR(ref *model.Reference) (*model.Instance, error) {
	if ref.Namespace == "" {
		ref.Namespace = idec.namespace
	}
	inst := &model.Instance{ClassName: ref.ClassName, Namespace: ref.Namespace, ResourceURI: ref.ResourceURI, Ref: ref}
	sch := idec.schemaOf(ref.ClassName)
	for _, s := range ref.Selectors {
		var v model.Value
		switch {
		case s.Ref != nil:
			v = model.Ref(s.Ref)
		case sch != nil && sch.Property(s.Name) != nil:
			decl := sch.Property(s.Name)
			var err error
			if v, err = typedText(s.Value, decl.Type, "", false); err != nil {
				tm, _ := err.(*typeMismatch)
				return nil, &ValueError{Class: ref.ClassName, Property: s.Name, Value: s.Value, Type: tm.typeName()}
			}
		default:
			v = model.Untyped(s.Value)
		}
		inst.Append(model.Property{Name: s.Name, Value: v, Key: true})
	}
	return inst, nil
}

func hasKeys(inst *model.Instance) bool {
	for _, p := range inst.All() {
		if p.Key {
			return true
		}
	}
	return false
}

// exchange is what a reply must answer: the request's MessageID and
// Action. Identify has neither (no addressing headers), and so nothing to
// check.
type exchange struct {
	messageID, action string
}

// requestExchange reads the MessageID and Action of an envelope this
// package wrote (appendHeader's fixed shapes).
func requestExchange(env []byte) exchange {
	return exchange{
		messageID: elementText(env, "<a:MessageID>"),
		action:    elementText(env, `<a:Action s:mustUnderstand="true">`),
	}
}

// elementText returns the unescaped text after open up to the next '<'.
func elementText(env []byte, open string) string {
	i := bytes.Index(env, []byte(open))
	if i < 0 {
		return ""
	}
	rest := env[i+len(open):]
	j := bytes.IndexByte(rest, '<')
	if j < 0 {
		return ""
	}
	return unescapeText(string(rest[:j]))
}

// unescapeText undoes appendText for the references it writes.
func unescapeText(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&apos;", "'", "&#39;", "'", "&#34;", `"`).Replace(s)
}

// replyHeader is what a reply's SOAP header says about the exchange.
type replyHeader struct {
	action, relatesTo       string
	hasAction, hasRelatesTo bool
	fault                   bool // the Body holds a s:Fault
}

// ReplyMismatchError is a reply that does not answer the request sent:
// its RelatesTo names another message, or its Action is not a response to
// the request's. What is "RelatesTo" or "Action"; Got is "" when the
// header is missing.
type ReplyMismatchError struct {
	What      string
	Got, Want string
}

func (e *ReplyMismatchError) Error() string {
	switch {
	case e.What == "RelatesTo" && e.Got == "":
		return "wsman: the reply has no RelatesTo header (the request's MessageID is " + quoteValue(e.Want) + ")"
	case e.What == "RelatesTo":
		return "wsman: the reply answers another request: RelatesTo " + quoteValue(e.Got) + ", the request's MessageID is " + quoteValue(e.Want)
	case e.Got == "":
		return "wsman: the reply has no Action header (the request's Action is " + quoteValue(e.Want) + ")"
	}
	return "wsman: the reply's Action " + quoteValue(e.Got) + " is not a response to " + quoteValue(e.Want)
}

// checkReply reports a reply that does not answer the exchange: a
// RelatesTo other than the request's MessageID, or an Action that is not
// the request's Action + "Response". A method invocation may also be
// answered with its own Action, as OMI does. Requests without addressing
// headers (Identify) and fault replies are not checked; URIs and UUIDs
// compare without regard to case (servers echo resource URIs as they
// please, and GUIDs are case-insensitive).
func checkReply(want exchange, got replyHeader) error {
	if want.messageID == "" || got.fault {
		return nil
	}
	if !got.hasRelatesTo || !strings.EqualFold(got.relatesTo, want.messageID) {
		return &ReplyMismatchError{What: "RelatesTo", Got: got.relatesTo, Want: want.messageID}
	}
	if want.action == "" {
		return nil
	}
	if got.hasAction && strings.EqualFold(got.action, want.action+"Response") {
		return nil
	}
	if got.hasAction && isMethodAction(want.action) && strings.EqualFold(got.action, want.action) {
		return nil
	}
	return &ReplyMismatchError{What: "Action", Got: got.action, Want: want.action}
}

// isMethodAction reports an Action that invokes a method (ResourceURI +
// "/" + Method) rather than a WS-Transfer, Enumeration or Eventing one.
func isMethodAction(action string) bool {
	for _, ns := range []string{NsTransfer, NsEnumeration, NsEventing} {
		if strings.HasPrefix(action, ns+"/") {
			return false
		}
	}
	return true
}

// readReplyHeader reads the addressing headers of a reply and whether
// its Body holds a fault. It reads the header and the first element of
// the Body only.
func readReplyHeader(body []byte) (replyHeader, error) {
	return decodeReplyHeader(NewDecoder(body))
}

func decodeReplyHeader(d *xml.Decoder) (replyHeader, error) {
	var h replyHeader
	env, ok, err := findStart(d)
	if err != nil {
		return h, err
	}
	if !ok || !is(env, NsSOAP, "Envelope") {
		return h, fmt.Errorf("wsman: reply is not a SOAP envelope (root %s)", quoteName(env.Name.Local))
	}
	for {
		se, ok, err := findStart(d)
		if err != nil || !ok {
			return h, err
		}
		switch {
		case is(se, NsSOAP, "Header"):
			for {
				c, ok, err := findStart(d)
				if err != nil {
					return h, err
				}
				if !ok {
					break
				}
				switch {
				case is(c, NsAddressing, "Action"):
					h.action, err = readTrimmed(d)
					h.hasAction = true
				case is(c, NsAddressing, "RelatesTo"):
					h.relatesTo, err = readTrimmed(d)
					h.hasRelatesTo = true
				default:
					err = skip(d)
				}
				if err != nil {
					return h, err
				}
			}
		case is(se, NsSOAP, "Body"):
			first, ok, err := findStart(d)
			h.fault = ok && is(first, NsSOAP, "Fault")
			return h, err
		default:
			if err := skip(d); err != nil {
				return h, err
			}
		}
	}
}

// checkExchange checks that body answers the request env. A reply whose
// header cannot be read is left to the body's decoder to report.
func (c *Client) checkExchange(env, body []byte) error {
	want := requestExchange(env)
	if want.messageID == "" {
		return nil
	}
	got, err := readReplyHeader(body)
	if err != nil {
		return nil
	}
	if err := checkReply(want, got); err != nil {
		return c.protocolFault(err)
	}
	return nil
}
