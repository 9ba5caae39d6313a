package wsman

import (
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

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
		case isStd(se, NsWSMan, "FaultDetail"):
			s, err := p.text()
			if err != nil {
				return err
			}
			if f.Detail == "" {
				f.Detail = strings.TrimSpace(s)
			}
		case isStd(se, NsWSManFault, "WSManFault"):
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
	if v, ok := attrFoldStd(se, "Code"); ok {
		wf.code = parseCode(v)
	}
	if m, ok := attrFoldStd(se, "Machine"); ok {
		wf.machine = capMarked(m)
	}
	for {
		c, ok, err := p.child()
		if err != nil {
			return nil, err
		}
		if !ok {
			return wf, nil
		}
		if !isStd(c, NsWSManFault, "Message") {
			if err := p.skip(); err != nil {
				return nil, err
			}
			continue
		}
		// Message holds text, or a ProviderFault with the provider's
		// own WSManFault and extended error.
		text := cappedText{limit: MaxServerText}
		for done := false; !done; {
			t, err := p.next()
			if err != nil {
				return nil, err
			}
			switch t := t.(type) {
			case xml.CharData:
				text.writeString(string(t))
			case xml.StartElement:
				if isStd(t, NsWSManFault, "ProviderFault") {
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
	text := cappedText{limit: MaxServerText}
	for {
		t, err := p.next()
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.CharData:
			text.writeString(string(t))
		case xml.StartElement:
			switch {
			case isStd(t, NsWSManFault, "WSManFault"):
				wf, err := decodeWSManFault(p, t, f, depth)
				if err != nil {
					return nil, err
				}
				if inner == nil {
					inner = wf
				}
			case isStd(t, NsWSManFault, "ExtendedError"):
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

// decodeCIMError reads an instance in a fault detail and takes the CIM
// error fields it has (MSFT_WmiError, OMI_Error, CIM_Error,
// __ExtendedStatus); other elements are skipped. Only the text of its
// direct children matters, so it is read leniently (no types: a fault is
// reported whatever its detail holds), each text capped.
func decodeCIMError(p *nsScopes, se xml.StartElement, f *model.Fault) error {
	fields := map[string]string{}
	for {
		c, ok, err := p.child()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		name := c.Name.Local
		if _, want := cimErrorFields[name]; !want || isNilStd(c) {
			if err := p.skip(); err != nil {
				return err
			}
			continue
		}
		s, err := p.text()
		if err != nil {
			return err
		}
		if _, seen := fields[name]; !seen {
			fields[name] = collapse(s)
		}
	}
	num := func(name string) uint64 {
		s := fields[name]
		if s == "" {
			return 0
		}
		return uint64(parseCode(s))
	}
	if c := num("CIMStatusCode"); c != 0 && f.CIMStatus == 0 {
		f.CIMStatus = model.CIMStatus(c)
	}
	for _, name := range []string{"Message", "OMI_ErrorMessage", "error_WindowsErrorMessage", "Description"} {
		if s := fields[name]; s != "" && f.CIMMessage == "" {
			f.CIMMessage = s
		}
	}
	if s := fields["MessageID"]; s != "" && f.MessageID == "" {
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

// cimErrorFields are the properties of a CIM error that a fault takes.
var cimErrorFields = map[string]struct{}{
	"CIMStatusCode": {}, "Message": {}, "OMI_ErrorMessage": {}, "error_WindowsErrorMessage": {},
	"Description": {}, "MessageID": {}, "error_Code": {}, "StatusCode": {},
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

// capMarked caps a server text read through faultReader (whose cut marks
// it counts) at MaxServerText bytes.
func capMarked(s string) string {
	c := cappedText{limit: MaxServerText}
	c.writeString(s)
	return c.String()
}
