package wsman

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"

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
