package wsman

import (
	"errors"
	"strings"
	"testing"
)

// A reply that is not SOAP (a web server's page) says the server is not
// WS-Man and leaves the page out; a SOAP reply that is not a fault keeps
// its excerpt (it is a WS-Man server misbehaving).
func TestDecodeFaultNotSOAP(t *testing.T) {
	for _, tc := range []struct {
		status      int
		body        string
		want        string
		notEndpoint bool
	}{
		{501, "<!DOCTYPE HTML>\n<html><head><meta charset=\"utf-8\"><title>Error</title></head><body>x</body></html>", "not a WS-Management endpoint (HTTP 501)", true},
		{404, "Not Found", "not a WS-Management endpoint (HTTP 404)", true},
		{500, `{"error": "nope"}`, "not a WS-Management endpoint (HTTP 500)", true},
		{500, `<s:Envelope xmlns:s="` + NsSOAP + `"><s:Body><x/></s:Body></s:Envelope>`, "HTTP 500 reply is not a SOAP fault", false},
		{401, "<html>login</html>", "credentials rejected", false},
		// SOAP in an encoding the client does not read is still WS-Man.
		{500, `<?xml version="1.0" encoding="x-mac-roman"?><s:Envelope xmlns:s="` + NsSOAP + `"><s:Body><s:Fault/></s:Body></s:Envelope>`, "HTTP 500 reply is not a SOAP fault", false},
	} {
		f := DecodeFault(tc.status, []byte(tc.body))
		if got := f.Summary(); !strings.HasPrefix(got, tc.want) || tc.notEndpoint && strings.Contains(got, "<") {
			t.Errorf("%d %.20q: %q, want %q", tc.status, tc.body, got, tc.want)
		}
		if errors.Is(f.Err, errNotEndpoint) != tc.notEndpoint {
			t.Errorf("%d %.20q: errNotEndpoint %v", tc.status, tc.body, !tc.notEndpoint)
		}
	}
}
