package wsman

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// DecodeFault turns an HTTP status and reply body into a *model.Fault:
// the SOAP code and subcode (prefixes normalized to s:, w:, a:, n:, x:,
// e:, p:), the reason text, w:FaultDetail, the WSManFault code, machine
// and message (looking through f:ProviderFault to the provider's own
// fault), the CIM error (MSFT_WmiError, OMI_Error, CIM_Error,
// __ExtendedStatus), and a stable category. A body that is empty or not a
// SOAP fault gives a protocol fault saying so (access_denied for 401,
// whose summary reads "credentials rejected"). It never returns nil.
func DecodeFault(status int, body []byte) *model.Fault {
	f := &model.Fault{HTTPStatus: status}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		f.Reason = emptyReplyReason(status)
	default:
		if err := decodeSOAPFault(f, trimmed); err != nil {
			if status == 401 {
				f.Reason = "credentials rejected"
			} else {
				f.Reason = fmt.Sprintf("HTTP %d reply is not a SOAP fault (%v): %s", status, err, snippet(trimmed))
			}
			f.Err = err
		}
	}
	f.Category = categorize(f)
	return f
}

func emptyReplyReason(status int) string {
	switch status {
	case 401:
		return "credentials rejected"
	case 500:
		return "empty HTTP 500 reply (the server may refuse unencrypted HTTP: AllowUnencrypted is off by default)"
	case 413:
		return "request larger than the server accepts (MaxEnvelopeSizekb)"
	case 404:
		return "no WS-Management service at this URL (HTTP 404)"
	case 415:
		return "the server rejected the content type (HTTP 415)"
	}
	return fmt.Sprintf("empty HTTP %d reply", status)
}

// snippet returns a short printable excerpt of a non-SOAP body.
func snippet(b []byte) string {
	const max = 160
	s := string(b)
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}

// nsScopes tracks prefix bindings so that QName text ("w:TimedOut") can
// be resolved to its namespace.
type nsScopes struct {
	d      *xml.Decoder
	scopes [][]xml.Attr
}

func (p *nsScopes) next() (xml.Token, error) {
	t, err := nextToken(p.d)
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case xml.StartElement:
		var decls []xml.Attr
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" {
				decls = append(decls, a)
			}
		}
		p.scopes = append(p.scopes, decls)
	case xml.EndElement:
		if len(p.scopes) > 0 {
			p.scopes = p.scopes[:len(p.scopes)-1]
		}
	}
	return t, nil
}

// resolve returns the namespace bound to prefix, "" if none.
func (p *nsScopes) resolve(prefix string) string {
	for i := len(p.scopes) - 1; i >= 0; i-- {
		for _, a := range p.scopes[i] {
			if a.Name.Local == prefix {
				return a.Value
			}
		}
	}
	return ""
}

// normalizeQName rewrites "wsman:InternalError" as "w:InternalError"
// using the namespace the prefix is bound to.
func (p *nsScopes) normalizeQName(s string) string {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s
	}
	if pre, ok := conventionalPrefix[p.resolve(s[:i])]; ok {
		return pre + ":" + s[i+1:]
	}
	return s
}

// text reads the character data of the element just started (nested
// elements' text ignored) through its end tag.
func (p *nsScopes) text() (string, error) {
	var b strings.Builder
	depth := 0
	for {
		t, err := p.next()
		if err != nil {
			return "", err
		}
		switch t := t.(type) {
		case xml.CharData:
			if depth == 0 {
				b.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return restoreControls(b.String()), nil
			}
			depth--
		}
	}
}

// skip consumes the element just started.
func (p *nsScopes) skip() error {
	depth := 0
	for {
		t, err := p.next()
		if err != nil {
			return err
		}
		switch t.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil
			}
			depth--
		}
	}
}

// child returns the next child start element, or ok=false at the end of
// the current element.
func (p *nsScopes) child() (xml.StartElement, bool, error) {
	for {
		t, err := p.next()
		if err != nil {
			return xml.StartElement{}, false, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			return t, true, nil
		case xml.EndElement:
			return xml.StartElement{}, false, nil
		}
	}
}

func decodeSOAPFault(f *model.Fault, body []byte) error {
	p := &nsScopes{d: NewDecoder(body)}
	// Find s:Fault anywhere (normally Envelope/Body/Fault).
	sawEnvelope := false
	for {
		t, err := p.next()
		if err != nil {
			if sawEnvelope {
				return fmt.Errorf("wsman: SOAP envelope without a fault")
			}
			return err
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		if is(se, NsSOAP, "Envelope") {
			sawEnvelope = true
		}
		if is(se, NsSOAP, "Fault") {
			break
		}
	}
	for {
		se, ok, err := p.child()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		switch {
		case is(se, NsSOAP, "Code"):
			err = decodeFaultCode(p, f)
		case is(se, NsSOAP, "Reason"):
			err = decodeFaultReason(p, f)
		case is(se, NsSOAP, "Detail"):
			err = decodeFaultDetail(p, f)
		default:
			err = p.skip()
		}
		if err != nil {
			return err
		}
	}
}

func decodeFaultCode(p *nsScopes, f *model.Fault) error {
	for {
		se, ok, err := p.child()
		if err != nil || !ok {
			return err
		}
		switch {
		case is(se, NsSOAP, "Value"):
			s, err := p.text()
			if err != nil {
				return err
			}
			f.Code = p.normalizeQName(s)
		case is(se, NsSOAP, "Subcode"):
			// The first (outermost) subcode is the WS-Man one; deeper
			// ones, if any, are ignored.
			for {
				c, ok, err := p.child()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				if is(c, NsSOAP, "Value") && f.Subcode == "" {
					s, err := p.text()
					if err != nil {
						return err
					}
					f.Subcode = p.normalizeQName(s)
				} else if err := p.skip(); err != nil {
					return err
				}
			}
		default:
			if err := p.skip(); err != nil {
				return err
			}
		}
	}
}

func decodeFaultReason(p *nsScopes, f *model.Fault) error {
	for {
		se, ok, err := p.child()
		if err != nil || !ok {
			return err
		}
		if is(se, NsSOAP, "Text") && f.Reason == "" {
			s, err := p.text()
			if err != nil {
				return err
			}
			f.Reason = collapse(s)
		} else if err := p.skip(); err != nil {
			return err
		}
	}
}

// wsmanFault is one f:WSManFault, possibly wrapping a provider's.
type wsmanFault struct {
	code    uint32
	machine string
	message string
	inner   *wsmanFault
}

func decodeFaultDetail(p *nsScopes, f *model.Fault) error {
	for {
		se, ok, err := p.child()
		if err != nil || !ok {
			return err
		}
		switch {
		case is(se, NsWSMan, "FaultDetail"):
			s, err := p.text()
			if err != nil {
				return err
			}
			if f.Detail == "" {
				f.Detail = strings.TrimSpace(s)
			}
		case is(se, NsWSManFault, "WSManFault"):
			wf, err := decodeWSManFault(p, se, f, 0)
			if err != nil {
				return err
			}
			applyWSManFault(f, wf)
		default:
			if err := decodeCIMError(p, se, f); err != nil {
				return err
			}
		}
	}
}

func decodeWSManFault(p *nsScopes, se xml.StartElement, f *model.Fault, depth int) (*wsmanFault, error) {
	if depth > maxDepth {
		return nil, errTooDeep
	}
	wf := &wsmanFault{}
	if v, ok := attrFold(se, "Code"); ok {
		wf.code = parseCode(v)
	}
	wf.machine, _ = attrFold(se, "Machine")
	for {
		c, ok, err := p.child()
		if err != nil {
			return nil, err
		}
		if !ok {
			return wf, nil
		}
		if !is(c, NsWSManFault, "Message") {
			if err := p.skip(); err != nil {
				return nil, err
			}
			continue
		}
		// Message holds text, or a ProviderFault with the provider's
		// own WSManFault and extended error.
		var text strings.Builder
		for done := false; !done; {
			t, err := p.next()
			if err != nil {
				return nil, err
			}
			switch t := t.(type) {
			case xml.CharData:
				text.Write(t)
			case xml.StartElement:
				if is(t, NsWSManFault, "ProviderFault") {
					inner, err := decodeProviderFault(p, f, depth+1)
					if err != nil {
						return nil, err
					}
					if inner != nil {
						wf.inner = inner
					}
				} else if err := p.skip(); err != nil {
					return nil, err
				}
			case xml.EndElement:
				done = true
			}
		}
		if s := collapse(restoreControls(text.String())); s != "" {
			wf.message = s
		}
	}
}

func decodeProviderFault(p *nsScopes, f *model.Fault, depth int) (*wsmanFault, error) {
	var inner *wsmanFault
	var text strings.Builder
	for {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			switch {
			case is(t, NsWSManFault, "WSManFault"):
				wf, err := decodeWSManFault(p, t, f, depth)
				if err != nil {
					return nil, err
				}
				if inner == nil {
					inner = wf
				}
			case is(t, NsWSManFault, "ExtendedError"):
				for {
					c, ok, err := p.child()
					if err != nil {
						return nil, err
					}
					if !ok {
						break
					}
					if err := decodeCIMError(p, c, f); err != nil {
						return nil, err
					}
				}
			default:
				if err := decodeCIMError(p, t, f); err != nil {
					return nil, err
				}
			}
		case xml.EndElement:
			if inner == nil {
				if s := collapse(restoreControls(text.String())); s != "" {
					inner = &wsmanFault{message: s}
				}
			}
			return inner, nil
		}
	}
}

// applyWSManFault takes the outer fault's code and machine, and the most
// specific message: the provider's own when the outer one only wraps it.
func applyWSManFault(f *model.Fault, wf *wsmanFault) {
	if f.WSManCode == 0 {
		f.WSManCode = wf.code
	}
	if f.Machine == "" {
		f.Machine = wf.machine
	}
	msg := wf.message
	for in := wf.inner; in != nil; in = in.inner {
		if in.message != "" {
			msg = in.message
		}
		if f.WSManCode == 0 {
			f.WSManCode = in.code
		}
		if f.Machine == "" {
			f.Machine = in.machine
		}
	}
	if f.WSManMessage == "" {
		f.WSManMessage = msg
	}
}

// decodeCIMError decodes an instance in a fault detail and takes the CIM
// error fields it has (MSFT_WmiError, OMI_Error, CIM_Error,
// __ExtendedStatus); other elements are skipped.
func decodeCIMError(p *nsScopes, se xml.StartElement, f *model.Fault) error {
	// The instance decoder reads from the same decoder; keep the scope
	// stack balanced by popping the start it consumed.
	inst, err := DecodeInstance(p.d, se, nil)
	if len(p.scopes) > 0 {
		p.scopes = p.scopes[:len(p.scopes)-1]
	}
	if err != nil {
		return err
	}
	str := func(name string) string {
		if v, ok := inst.Get(name); ok && !v.IsNull() {
			return collapse(v.Text())
		}
		return ""
	}
	num := func(name string) uint64 {
		s := str(name)
		if s == "" {
			return 0
		}
		return uint64(parseCode(s))
	}
	if c := num("CIMStatusCode"); c != 0 && f.CIMStatus == 0 {
		f.CIMStatus = model.CIMStatus(c)
	}
	for _, name := range []string{"Message", "OMI_ErrorMessage", "error_WindowsErrorMessage", "Description"} {
		if s := str(name); s != "" && f.CIMMessage == "" {
			f.CIMMessage = s
		}
	}
	if s := str("MessageID"); s != "" && f.MessageID == "" {
		f.MessageID = s
	}
	for _, name := range []string{"error_Code", "StatusCode"} {
		if c := num(name); c != 0 && f.ErrorCode == 0 {
			f.ErrorCode = uint32(c)
		}
	}
	if f.ErrorCode == 0 && f.MessageID != "" {
		if i := strings.Index(strings.ToLower(f.MessageID), "0x"); i >= 0 {
			f.ErrorCode = parseCode(strings.Fields(f.MessageID[i:])[0])
		}
	}
	return nil
}

// parseCode parses a decimal or 0x-prefixed hexadecimal code, accepting
// negative HRESULTs written as signed decimals.
func parseCode(s string) uint32 {
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		v, _ := strconv.ParseUint(h, 16, 32)
		return uint32(v)
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(v)
	}
	if v, err := strconv.ParseInt(s, 10, 32); err == nil {
		return uint32(v)
	}
	return 0
}

// collapse trims and folds runs of white space (pretty-printed faults).
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
