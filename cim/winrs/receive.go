package winrs

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const (
	nsSOAP  = "http://www.w3.org/2003/05/soap-envelope"
	nsShell = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"

	shellURI      = nsShell + "/cmd"
	actionCreate  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
	actionDelete  = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
	actionCommand = nsShell + "/Command"
	actionReceive = nsShell + "/Receive"
	actionSend    = nsShell + "/Send"
	actionSignal  = nsShell + "/Signal"
	stateDone     = nsShell + "/CommandState/Done"
)

// receipt is what one ReceiveResponse carries: how many bytes of each
// stream (decoded, as masterzen/winrm will write them to its pipes), and
// whether the command is done, with its exit code.
type receipt struct {
	stdout, stderr int
	done           bool
	exitCode       *int64
}

// checkReceive reads a Receive reply the way masterzen/winrm's
// ParseSlurpOutputErrResponse will, and refuses what that parser would
// mishandle: it panics on a body that is not XML (its goroutine would
// take the process down), treats any other document as "no output yet"
// and Receives again for ever, drops stream data that is not base64
// without a word, and reports exit code 0 when the server sent none.
func checkReceive(body string) (receipt, error) {
	var r receipt
	if strings.TrimSpace(body) == "" {
		return r, errors.New("the Receive reply is empty")
	}
	dec := xml.NewDecoder(strings.NewReader(body))
	dec.Strict = true
	var path []xml.Name
	var stream string
	var text bytes.Buffer
	sawResponse := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return r, fmt.Errorf("the Receive reply is not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(path) == 0 && (t.Name.Space != nsSOAP || t.Name.Local != "Envelope") {
				return r, fmt.Errorf("the Receive reply is not a SOAP envelope (<%s>)", t.Name.Local)
			}
			if len(path) == 2 && path[1].Local == "Body" && t.Name.Space == nsShell && t.Name.Local == "ReceiveResponse" {
				sawResponse = true
			}
			path = append(path, t.Name)
			// Done as the library sees it: any element in that state.
			if attr(t, "State") == stateDone {
				r.done = true
			}
			if t.Name.Space != nsShell {
				break
			}
			switch t.Name.Local {
			case "Stream":
				stream = attr(t, "Name")
				text.Reset()
			case "ExitCode":
				text.Reset()
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			path = path[:len(path)-1]
			if t.Name.Space != nsShell {
				break
			}
			switch t.Name.Local {
			case "Stream":
				data, err := base64.StdEncoding.DecodeString(text.String())
				if err != nil {
					return r, fmt.Errorf("the Receive reply's %s data is not base64: %w", stream, err)
				}
				switch stream {
				case "stdout":
					r.stdout += len(data)
				case "stderr":
					r.stderr += len(data)
				}
				stream = ""
			case "ExitCode":
				s := strings.TrimSpace(text.String())
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return r, fmt.Errorf("the Receive reply's exit code %q is not a number", clip(s))
				}
				if r.exitCode == nil {
					r.exitCode = &n
				}
			}
		}
	}
	if !sawResponse {
		return r, errors.New("the Receive reply has no rsp:ReceiveResponse")
	}
	return r, nil
}

// checkXML refuses a reply that is not a SOAP envelope: masterzen/winrm
// parses what it gets without looking.
func checkXML(what, body string) error {
	dec := xml.NewDecoder(strings.NewReader(body))
	dec.Strict = true
	first := true
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			if first {
				return fmt.Errorf("the %s reply is empty", what)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("the %s reply is not well-formed XML: %w", what, err)
		}
		if se, ok := tok.(xml.StartElement); ok && first {
			if se.Name.Space != nsSOAP || se.Name.Local != "Envelope" {
				return fmt.Errorf("the %s reply is not a SOAP envelope (<%s>)", what, se.Name.Local)
			}
			first = false
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// clip shortens server text quoted in an error.
func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// checkRelatesTo refuses a reply whose wsa:RelatesTo is not the
// request's MessageID (or is missing), as cim/wsman does for CIM
// operations: on a reused connection, a reply to another request would
// otherwise be read as this one's (output lost or duplicated).
func checkRelatesTo(what, body, messageID string) error {
	if messageID == "" {
		return nil
	}
	dec := xml.NewDecoder(strings.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			// not XML: the checks after this one say so
			return nil
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch t.Name.Local {
		case "RelatesTo":
			var s string
			if dec.DecodeElement(&s, &t) != nil {
				return nil
			}
			if !strings.EqualFold(strings.TrimSpace(s), messageID) {
				return fmt.Errorf("the %s reply answers another request: RelatesTo %q, the request's MessageID is %q", what, clip(strings.TrimSpace(s)), messageID)
			}
			return nil
		case "Body":
			return fmt.Errorf("the %s reply has no RelatesTo header (the request's MessageID is %q)", what, messageID)
		}
	}
}
