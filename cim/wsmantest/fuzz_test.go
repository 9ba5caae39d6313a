package wsmantest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzServe feeds arbitrary envelopes to the request handler (both
// dialects): it must answer every one with a response or a fault, never
// panic.
func FuzzServe(f *testing.F) {
	seeds := [][]byte{
		envelope(actionGet, wmiDiskURI, sel("DeviceID", "C:"), ""),
		envelope(actionEnumerate, wqlURI, "", enumBody(5, `<w:Filter Dialect="`+dialectWQL+`">select Name from Win32_Service</w:Filter>`)),
		envelope(actionEnumerate, allClassesDMTF, cimv2Sel, enumBody(5, `<w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode><w:Filter Dialect="`+dialectAssociation+
			`"><b:AssociatedInstances><b:Object><a:Address>x</a:Address><a:ReferenceParameters><w:ResourceURI>`+dmtfSvcURI+
			`</w:ResourceURI><w:SelectorSet>`+sel("Name", "WinRM")+`</w:SelectorSet></a:ReferenceParameters></b:Object></b:AssociatedInstances></w:Filter>`)),
		envelope(actionPut, kindsURI, cimv2Sel+sel("Id", "all"), `<p:Cimsh_ValueKinds xmlns:p="`+kindsURI+`"><p:Id>all</p:Id><p:Inner xmlns:q="`+prefixDMTFClass+`Cimsh_Inner" xmlns:xsi="`+nsXSI+`" xsi:type="q:Cimsh_Inner_Type"><q:Count>3</q:Count></p:Inner></p:Cimsh_ValueKinds>`),
		envelope(prefixDMTFClass+"Win32_Process/Create", prefixDMTFClass+"Win32_Process", cimv2Sel, `<p:Create_INPUT xmlns:p="x"><p:CommandLine>a</p:CommandLine></p:Create_INPUT>`),
		envelope(actionPull, dmtfSvcURI, cimv2Sel, `<n:Pull><n:EnumerationContext>uuid:x</n:EnumerationContext></n:Pull>`),
		envelope(actionGet, classSchemaURI, cimv2Sel+sel("ClassName", "Win32_Service"), ""),
		subscribeEnvelope("SELECT * FROM __InstanceCreationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_Process'", "<e:Expires>PT1.000S</e:Expires>"),
		envelope(actionUnsubscribe, wmiAllURI, "", `<e:Unsubscribe xmlns:e="`+nsEventing+`"/>`, identifierHeader("X")),
		envelope(actionRenew, wmiAllURI, "", `<e:Renew xmlns:e="`+nsEventing+`"><e:Expires>PT1.000S</e:Expires></e:Renew>`, identifierHeader("X")),
		[]byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><i:Identify xmlns:i="` + nsIdentity + `"/></s:Body></s:Envelope>`),
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	// The handler alone: no listener, so fuzz workers run no server
	// goroutines.
	servers := map[bool]*Server{false: newServer(Options{MaxEnvelopeSize: 1 << 20}), true: newServer(Options{Dialect: OMI, MaxEnvelopeSize: 1 << 20})}
	f.Fuzz(func(t *testing.T, body []byte, omi bool) {
		s := servers[omi]
		req := httptest.NewRequest(http.MethodPost, "/wsman", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.serveWSMan(rec, req)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("no answer in 5 s to %q", body)
		}
		// Each input on its own: an enumeration it left open would keep
		// its class's provider busy for the next (OMI, busy.go).
		s.ExpireEnumerations()
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("HTTP %d", rec.Code)
		}
		if rec.Code == http.StatusOK && rec.Body.Len() == 0 {
			t.Fatal("empty 200")
		}
	})
}

// FuzzParseXML checks the request tree builder on arbitrary input.
func FuzzParseXML(f *testing.F) {
	f.Add([]byte(`<a xmlns:p="u"><p:b x="1">t<c/></p:b></a>`))
	f.Add([]byte(`<a><b>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseXML(data)
		if err == nil && n == nil {
			t.Fatal("nil tree without an error")
		}
		if err == nil {
			if req, err := parseRequest(data); err == nil {
				classify(req)
			}
		}
	})
}
