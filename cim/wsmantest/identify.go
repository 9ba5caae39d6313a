package wsmantest

import (
	"github.com/cimsh/cimsh/cim/model"
)

// identify answers Identify: Windows in the identity namespace (with the
// OS version zeroed when unauthenticated), OMI in the SOAP namespace.
func (c *call) identify() ([]byte, *FaultSpec) {
	id := c.identity()
	unauth, _ := c.ctx.Value(ctxUnauthenticated).(bool)
	if c.st.dialect == OMI {
		r := &response{st: c.st}
		r.raw(`<SOAP-ENV:Envelope xmlns:SOAP-ENV="`, nsSOAP, `" xmlns:wsmid="`, nsIdentity, `">`,
			`<SOAP-ENV:Header></SOAP-ENV:Header><SOAP-ENV:Body><SOAP-ENV:IdentifyResponse>`)
		identityFields(&r.xw, id)
		r.raw(`</SOAP-ENV:IdentifyResponse>`)
		return r.end(), nil
	}
	if unauth {
		id.ProductVersion = "OS: 0.0.0 SP: 0.0 Stack: 3.0"
		id.SecurityProfiles = nil
	}
	r := &response{st: c.st}
	r.raw(`<s:Envelope xmlns:s="`, nsSOAP, `"><s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid="`, nsIdentity, `">`)
	identityFields(&r.xw, id)
	r.raw(`</wsmid:IdentifyResponse>`)
	return r.end(), nil
}

func identityFields(w *xw, id model.Identity) {
	w.elem("wsmid:ProtocolVersion", id.ProtocolVersion)
	w.elem("wsmid:ProductVendor", id.ProductVendor)
	w.elem("wsmid:ProductVersion", id.ProductVersion)
	if len(id.SecurityProfiles) > 0 {
		w.raw("<wsmid:SecurityProfiles>")
		for _, p := range id.SecurityProfiles {
			w.elem("wsmid:SecurityProfileName", p)
		}
		w.raw("</wsmid:SecurityProfiles>")
	}
}

// identity is what Identify reports: a custom provider's own identity,
// the fixture machine's Windows in the Windows dialect, or the dialect's
// product.
func (c *call) identity() model.Identity {
	var id model.Identity
	if c.s.opts.Provider != nil || c.st.dialect != OMI {
		if got, err := c.s.provider.Identify(c.ctx); err == nil && got != nil {
			id = *got
		}
	}
	if id.ProtocolVersion == "" {
		id.ProtocolVersion = nsWSMan
	}
	if c.st.dialect == OMI {
		if id.ProductVendor == "" {
			id.ProductVendor = "Microsoft"
		}
		if id.ProductVersion == "" {
			id.ProductVersion = "1.6.8-1"
		}
	} else {
		if id.ProductVendor == "" {
			id.ProductVendor = "Microsoft Corporation"
		}
		if id.ProductVersion == "" {
			id.ProductVersion = "OS: 10.0.14393 SP: 0.0 Stack: 3.0"
		}
		if id.SecurityProfiles == nil {
			scheme := "http"
			if c.s.opts.TLS {
				scheme = "https"
			}
			id.SecurityProfiles = []string{"http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/" + scheme + "/spnego-kerberos"}
			if len(c.s.opts.BasicUsers) > 0 {
				id.SecurityProfiles = append(id.SecurityProfiles, "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/"+scheme+"/basic")
			}
		}
	}
	if c.s.opts.ProductVersion != "" {
		id.ProductVersion = c.s.opts.ProductVersion
	}
	return id
}
