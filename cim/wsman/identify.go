package wsman

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// Identify sends WS-Management Identify (Test-WSMan): an envelope with no
// addressing headers. It accepts OMI's IdentifyResponse in the SOAP
// namespace as well as the identity namespace.
func (c *Client) Identify(ctx context.Context) (*model.Identity, error) {
	body, err := c.post(ctx, []byte(identifyEnvelope), EffectRead, 0)
	if err != nil {
		return nil, err
	}
	return c.decodeIdentify(body)
}

func (c *Client) decodeIdentify(body []byte) (*model.Identity, error) {
	id, err := DecodeIdentify(body)
	if err != nil {
		if f, ok := model.AsFault(err); ok {
			f.ComputerName = c.opts.ComputerName
			return nil, f
		}
		return nil, c.protocolFault(err)
	}
	return id, nil
}

// DecodeIdentify decodes an IdentifyResponse body (elements matched by
// local name: OMI puts them in the SOAP envelope namespace).
func DecodeIdentify(body []byte) (*model.Identity, error) {
	d, se, ok, err := OpenBody(body)
	if err != nil {
		return nil, err
	}
	if !ok || se.Name.Local != "IdentifyResponse" {
		name := ""
		if ok {
			name = se.Name.Local
		}
		return nil, errUnexpected(name, "IdentifyResponse")
	}
	id := &model.Identity{}
	for {
		c, ok, err := findStart(d)
		if err != nil {
			return nil, err
		}
		if !ok {
			return id, nil
		}
		switch c.Name.Local {
		case "ProtocolVersion":
			id.ProtocolVersion, err = readTrimmed(d)
		case "ProductVendor":
			id.ProductVendor, err = readTrimmed(d)
		case "ProductVersion":
			id.ProductVersion, err = readTrimmed(d)
		case "SecurityProfiles":
			for {
				p, ok, perr := findStart(d)
				if perr != nil {
					return nil, perr
				}
				if !ok {
					break
				}
				if p.Name.Local == "SecurityProfileName" {
					s, terr := readTrimmed(d)
					if terr != nil {
						return nil, terr
					}
					id.SecurityProfiles = append(id.SecurityProfiles, s)
				} else if serr := skip(d); serr != nil {
					return nil, serr
				}
			}
		default:
			err = skip(d)
		}
		if err != nil {
			return nil, err
		}
	}
}
