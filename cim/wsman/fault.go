package wsman

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/cimsh/cimsh/cim/model"
)

// DecodeFault turns an HTTP status and reply body into a *model.Fault:
// the SOAP code and subcode (prefixes normalized to s:, w:, a:, n:, x:,
// e:, p:), the reason text, w:FaultDetail, the WSManFault code, machine
// and message (looking through f:ProviderFault to the provider's own
// fault), the CIM error (MSFT_WmiError, OMI_Error, CIM_Error,
// __ExtendedStatus), and a stable category. A body that is empty or not a
// SOAP fault gives a protocol fault saying so (access_denied for 401,
// whose summary reads "credentials rejected"), and a body that is not
// SOAP at all (a web server's page) says the server is not a
// WS-Management endpoint, without the page (errNotEndpoint). Every text
// the server chose is at most MaxServerText bytes, the cut counted
// ("...(N bytes cut)"). It never returns nil.
func DecodeFault(status int, body []byte) *model.Fault {
	return DecodeFaultReader(status, bytes.NewReader(body))
}

// DecodeFaultReader is DecodeFault reading the body as a stream: a fault
// is never held whole (faultReader bounds what reaches the XML decoder),
// so a server's 60 MB fault costs kilobytes. It reads r to its end.
func DecodeFaultReader(status int, r io.Reader) *model.Fault {
	f := &model.Fault{HTTPStatus: status}
	body := &faultBody{r: r}
	err := decodeSOAPFault(f, body)
	_, _ = io.Copy(io.Discard, body)
	switch {
	case !body.content:
		f.Reason = emptyReplyReason(status)
	case err != nil:
		switch {
		case status == 401:
			f.Reason = "credentials rejected"
		case !isSOAP(body.head):
			f.Reason = notEndpoint(status, "")
			err = fmt.Errorf("%w: %w", errNotEndpoint, err)
		default:
			f.Reason = fmt.Sprintf("HTTP %d reply is not a SOAP fault (%s): %s", status, CapServerText(err.Error()), body.snippet())
		}
		f.Err = err
	}
	f.Category = categorize(f)
	return f
}

// faultBody reads a fault's body, counting it, noting whether it has
// anything but white space, and keeping its first bytes for an error
// that quotes it.
type faultBody struct {
	r       io.Reader
	n       int64
	head    []byte
	content bool
}

func (b *faultBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if keep := min(n, 4*maxQuoted-len(b.head)); keep > 0 {
		b.head = append(b.head, p[:keep]...)
	}
	if !b.content && len(bytes.TrimSpace(p[:n])) > 0 {
		b.content = true
	}
	b.n += int64(n)
	return n, err
}

// snippet quotes the start of a body that is not a SOAP fault: at most
// maxQuoted characters, control characters escaped, the rest counted.
func (b *faultBody) snippet() string {
	s := string(bytes.TrimLeft(b.head, " \t\r\n"))
	lead := int64(len(b.head) - len(s))
	shown, chars := 0, 0
	for shown < len(s) && chars < maxQuoted {
		r, w := utf8.DecodeRuneInString(s[shown:])
		if r == utf8.RuneError && w == 1 && !utf8.FullRuneInString(s[shown:]) {
			break // cut inside a character by the head's bound
		}
		shown += w
		chars++
	}
	q := strconv.Quote(s[:shown])
	if rest := b.n - lead - int64(shown); rest > 0 {
		q += cutSuffix(rest)
	}
	return q
}

// errNotEndpoint marks a fault whose reply was not SOAP at all: the
// client names its endpoint in the reason (notEndpoint).
var errNotEndpoint = errors.New("wsman: the reply is not SOAP")

// isSOAP reports whether body (or its first bytes) starts with a SOAP
// envelope: a WS-Man server's reply, however malformed its content or
// unreadable its encoding. It looks only at the first element, leniently.
func isSOAP(body []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		t, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Space == NsSOAP && se.Name.Local == "Envelope"
		}
	}
}

// notEndpoint is the reason given for a reply that is not SOAP (an HTML
// page from a web server at that address): the page itself is left out.
func notEndpoint(status int, endpoint string) string {
	if endpoint == "" {
		return fmt.Sprintf("not a WS-Management endpoint (HTTP %d)", status)
	}
	return fmt.Sprintf("not a WS-Management endpoint (HTTP %d from %s)", status, endpoint)
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

func decodeSOAPFault(f *model.Fault, body io.Reader) error {
	ur, err := utf8Reader(body)
	if err != nil {
		return err
	}
	d := xml.NewDecoder(newFaultReader(ur))
	d.Strict = true
	d.CharsetReader = charsetReader
	p := &nsScopes{d: d}
	// Find s:Fault anywhere (normally Envelope/Body/Fault).
	sawEnvelope := false
	for {
		t, err := p.next()
		if err != nil {
			switch {
			case sawEnvelope:
				return fmt.Errorf("wsman: SOAP envelope without a fault")
			case errors.Is(err, errUnexpectedEOF):
				return fmt.Errorf("wsman: no SOAP envelope")
			}
			return err
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		if isStd(se, NsSOAP, "Envelope") {
			sawEnvelope = true
		}
		if isStd(se, NsSOAP, "Fault") {
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
		case isStd(se, NsSOAP, "Code"):
			err = decodeFaultCode(p, f)
		case isStd(se, NsSOAP, "Reason"):
			err = decodeFaultReason(p, f)
		case isStd(se, NsSOAP, "Detail"):
			err = decodeFaultDetail(p, f)
		default:
			err = p.skip()
		}
		if err != nil {
			return err
		}
	}
}

// maxQName bounds a fault code or subcode (a qualified name: real ones
// are a few dozen bytes; they appear in every error message).
const maxQName = 256

func decodeFaultCode(p *nsScopes, f *model.Fault) error {
	for {
		se, ok, err := p.child()
		if err != nil || !ok {
			return err
		}
		switch {
		case isStd(se, NsSOAP, "Value"):
			s, err := p.textN(maxQName)
			if err != nil {
				return err
			}
			f.Code = p.normalizeQName(s)
		case isStd(se, NsSOAP, "Subcode"):
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
				if isStd(c, NsSOAP, "Value") && f.Subcode == "" {
					s, err := p.textN(maxQName)
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
		if isStd(se, NsSOAP, "Text") && f.Reason == "" {
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
