package wsmantest

import (
	"strings"

	"github.com/google/uuid"
)

// Dialect selects whose shapes the server answers in.
type Dialect int

const (
	// Windows answers like WinRM on Windows Server (the default).
	Windows Dialect = iota
	// OMI answers like Microsoft's Open Management Infrastructure.
	OMI
)

// String names the dialect.
func (d Dialect) String() string {
	if d == OMI {
		return "omi"
	}
	return "windows"
}

// style holds the prefixes and habits of one dialect's responses.
type style struct {
	dialect                             Dialect
	soap, addr, enum, wsman, xfer, msft string
}

var (
	windowsStyle = style{dialect: Windows, soap: "s", addr: "a", enum: "n", wsman: "w", xfer: "x", msft: "p"}
	omiStyle     = style{dialect: OMI, soap: "SOAP-ENV", addr: "wsa", enum: "wsen", wsman: "wsman", xfer: "wxf", msft: "msftwinrm"}
)

func styleOf(d Dialect) style {
	if d == OMI {
		return omiStyle
	}
	return windowsStyle
}

// windowsNS lists the prefixes a Windows envelope declares, by response
// kind, as the captures show them.
var windowsNS = map[string]string{
	"s": nsSOAP, "a": nsAddressing, "x": nsTransfer, "e": nsEventing,
	"n": nsEnumeration, "w": nsWSMan, "p": nsWSManMS, "rsp": nsShell,
}

// omiDecls is the fixed declaration list of every OMI envelope.
const omiDecls = ` xmlns:SOAP-ENV="` + nsSOAP + `" xmlns:wsa="` + nsAddressing +
	`" xmlns:wsen="` + nsEnumeration + `" xmlns:e="` + nsEventing + `" xmlns:xsi="` + nsXSI +
	`" xmlns:wsmb="` + nsCIMBinding + `" xmlns:wsman="` + nsWSMan + `" xmlns:wxf="` + nsTransfer +
	`" xmlns:cim="` + nsCIMCommon + `" xmlns:msftwinrm="` + nsWSManMS + `" xmlns:wsmid="` + nsIdentity + `"`

// newMessageID returns a fresh "uuid:..." message id in Windows' upper case.
func newMessageID() string { return "uuid:" + strings.ToUpper(uuid.NewString()) }

// response is one response envelope being written.
type response struct {
	xw
	st style
}

// begin writes the envelope start and header. decls names the prefixes a
// Windows envelope declares (ignored for OMI, which always declares the
// same set); activity adds Windows' p:ActivityId header.
func (s *Server) begin(st style, action, relatesTo string, decls string, activity bool) *response {
	r := &response{st: st}
	r.charRefs = st.dialect == OMI
	if st.dialect == OMI {
		r.raw(`<SOAP-ENV:Envelope`, omiDecls, ">\n<SOAP-ENV:Header>\n")
		r.raw("<wsa:To>", anonymous, "</wsa:To>\n")
		r.raw("<wsa:Action>")
		r.text(action)
		r.raw("</wsa:Action>\n<wsa:MessageID>", newMessageID(), "</wsa:MessageID>\n")
		if relatesTo != "" {
			r.raw("<wsa:RelatesTo>")
			r.text(relatesTo)
			r.raw("</wsa:RelatesTo>\n")
		}
		r.raw("</SOAP-ENV:Header><SOAP-ENV:Body>")
		return r
	}
	r.raw(`<s:Envelope xml:lang="en-US"`)
	for _, p := range strings.Fields(decls) {
		r.attr("xmlns:"+p, windowsNS[p])
	}
	r.raw("><s:Header><a:Action>")
	r.text(action)
	r.raw("</a:Action><a:MessageID>", newMessageID(), "</a:MessageID>")
	if activity {
		r.raw("<p:ActivityId>", strings.ToUpper(uuid.NewString()), "</p:ActivityId>")
	}
	r.raw("<a:To>", anonymous, "</a:To>")
	if relatesTo != "" {
		r.raw("<a:RelatesTo>")
		r.text(relatesTo)
		r.raw("</a:RelatesTo>")
	}
	r.raw("</s:Header><s:Body>")
	return r
}

// end closes the body and envelope.
func (r *response) end() []byte {
	r.raw("</", r.st.soap, ":Body></", r.st.soap, ":Envelope>")
	return r.Bytes()
}
