package wsman

import (
	"fmt"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/google/uuid"
)

// MaxOperationTimeout is the largest w:OperationTimeout sent (Windows'
// MaxTimeoutms default); longer client deadlines are kept client-side.
const MaxOperationTimeout = 60 * time.Second

// option is one w:Option of a w:OptionSet.
type option struct {
	name, typ, value string
}

// request describes the header of one request envelope.
type request struct {
	action      string
	resourceURI string
	selectors   []model.Selector
	options     []option
	timeout     time.Duration
	extra       []byte // further header elements, already encoded
}

// Namespace declarations of every request envelope, PowerShell's
// prefixes.
const envelopeOpen = `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:a="` + NsAddressing +
	`" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `" xmlns:p="` + NsWSManMS +
	`" xmlns:b="` + NsCIMBinding + `">`

// appendHeader writes the envelope start and the header; the caller
// appends the body content and then appendEnvelopeEnd.
func (c *Client) appendHeader(dst []byte, r *request) []byte {
	dst = append(dst, envelopeOpen...)
	dst = append(dst, "<s:Header>"...)
	dst = appendElem(dst, "a:To", c.opts.Endpoint)
	dst = append(dst, `<w:ResourceURI s:mustUnderstand="true">`...)
	dst = appendText(dst, r.resourceURI)
	dst = append(dst, `</w:ResourceURI><a:ReplyTo><a:Address s:mustUnderstand="true">`+AnonymousAddress+`</a:Address></a:ReplyTo>`...)
	dst = append(dst, `<a:Action s:mustUnderstand="true">`...)
	dst = appendText(dst, r.action)
	dst = append(dst, `</a:Action><w:MaxEnvelopeSize s:mustUnderstand="true">`...)
	dst = fmt.Appendf(dst, "%d", c.opts.MaxEnvelopeSize)
	dst = append(dst, `</w:MaxEnvelopeSize><a:MessageID>uuid:`...)
	// Upper-case GUIDs, as PowerShell and WinRM write them.
	dst = append(dst, strings.ToUpper(uuid.NewString())...)
	dst = append(dst, `</a:MessageID>`...)
	// mustUnderstand="false": true can fault UnsupportedFeature.
	dst = append(dst, `<w:Locale`...)
	dst = appendAttrPair(dst, "xml:lang", c.opts.Locale)
	dst = append(dst, ` s:mustUnderstand="false"/><p:DataLocale`...)
	dst = appendAttrPair(dst, "xml:lang", c.opts.DataLocale)
	dst = append(dst, ` s:mustUnderstand="false"/>`...)
	dst = append(dst, `<p:SessionId s:mustUnderstand="false">uuid:`...)
	dst = append(dst, c.sessionID...)
	dst = append(dst, `</p:SessionId>`...)
	// p:OperationID is left out on purpose: it switches Windows to the
	// full-duplex "robust connection" mode.
	dst = appendSelectorSet(dst, r.selectors)
	r.options = c.withPreciseArrays(r.resourceURI, r.options)
	if len(r.options) > 0 {
		dst = append(dst, `<w:OptionSet xmlns:xsi="`+NsXSI+`">`...)
		for _, o := range r.options {
			dst = append(dst, `<w:Option`...)
			dst = appendAttrPair(dst, "Name", o.name)
			if o.typ != "" {
				dst = appendAttrPair(dst, "Type", o.typ)
			}
			dst = append(dst, '>')
			dst = appendText(dst, o.value)
			dst = append(dst, `</w:Option>`...)
		}
		dst = append(dst, `</w:OptionSet>`...)
	}
	dst = append(dst, r.extra...)
	// Like PowerShell, send w:OperationTimeout only when a timeout was
	// asked for (the server's default is 60 s).
	if d := c.headerTimeout(r.timeout); d > 0 {
		dst = append(dst, `<w:OperationTimeout>`...)
		dst = appendDuration(dst, d)
		dst = append(dst, `</w:OperationTimeout>`...)
	}
	return append(dst, `</s:Header><s:Body>`...)
}

func appendEnvelopeEnd(dst []byte) []byte {
	return append(dst, `</s:Body></s:Envelope>`...)
}

// appendDuration writes an xs:duration the way WinRM does: PT60.000S.
func appendDuration(dst []byte, d time.Duration) []byte {
	ms := d.Milliseconds()
	return fmt.Appendf(dst, "PT%d.%03dS", ms/1000, ms%1000)
}

// headerTimeout is the w:OperationTimeout for a request: the request's
// or the client's timeout, capped at MaxOperationTimeout; 0 for none.
func (c *Client) headerTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		d = c.opts.OperationTimeout
	}
	if d > MaxOperationTimeout {
		d = MaxOperationTimeout
	}
	return d
}

// preciseArrays is the option PowerShell sends with every DMTF-form
// request.
var preciseArrays = option{"msftwinrm:UsePreciseArrays", "xs:boolean", "true"}

// withPreciseArrays adds UsePreciseArrays in the DMTF form.
func (c *Client) withPreciseArrays(uri string, opts []option) []option {
	if FormOf(uri) != FormDMTF {
		return opts
	}
	for _, o := range opts {
		if o.name == preciseArrays.name {
			return opts
		}
	}
	return append(opts, preciseArrays)
}

// identifyEnvelope is Test-WSMan's request: no addressing headers.
const identifyEnvelope = `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:wsmid="` + NsIdentity +
	`"><s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>`
