package wsman

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// enumReply builds an EnumerateResponse (pull=false) or PullResponse with
// Win32_Service-shaped items named by names.
func enumReply(pull bool, ctxID string, eos bool, names ...string) []byte {
	el := "EnumerateResponse"
	items := "w:Items"
	if pull {
		el, items = "PullResponse", "n:Items"
	}
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `" xmlns:a="` + NsAddressing + `"><s:Header/><s:Body><n:` + el + `>`)
	if ctxID != "-" {
		b.WriteString(`<n:EnumerationContext>` + ctxID + `</n:EnumerationContext>`)
	}
	b.WriteString(`<` + items + `>`)
	for _, n := range names {
		b.WriteString(`<w:Item><p:Win32_Service xmlns:p="` + PrefixDMTFClass + `Win32_Service"><p:Name>` + n + `</p:Name><p:ProcessId>42</p:ProcessId></p:Win32_Service>`)
		b.WriteString(`<a:EndpointReference><a:Address>` + AnonymousAddress + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + PrefixDMTFClass + `Win32_Service</w:ResourceURI><w:SelectorSet><w:Selector Name="Name">` + n + `</w:Selector></w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`)
	}
	b.WriteString(`</` + items + `>`)
	if eos {
		b.WriteString(`<w:EndOfSequence/>`)
	}
	b.WriteString(`</n:` + el + `></s:Body></s:Envelope>`)
	return []byte(b.String())
}

func faultReply(code, subcode, reason string) []byte {
	return []byte(`<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:w="` + NsWSMan + `" xmlns:n="` + NsEnumeration + `"><s:Body><s:Fault><s:Code><s:Value>s:` + code +
		`</s:Value><s:Subcode><s:Value>` + subcode + `</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">` + reason + `</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`)
}

func actions(reqs [][]byte) []string {
	var out []string
	for _, r := range reqs {
		s := string(r)
		i := strings.Index(s, `<a:Action s:mustUnderstand="true">`)
		if i < 0 {
			out = append(out, "Identify")
			continue
		}
		s = s[i+len(`<a:Action s:mustUnderstand="true">`):]
		s = s[:strings.Index(s, "<")]
		out = append(out, s[strings.LastIndex(s, "/")+1:])
	}
	return out
}

func newReplay(replies ...reply) (*replayTransport, *Client) {
	rt := &replayTransport{replies: replies}
	return rt, NewClient(rt, Options{Endpoint: "http://host:5985/wsman", ComputerName: "host", NoSchema: true})
}

func collect(t *testing.T, e model.Enumerator) []string {
	t.Helper()
	var names []string
	for e.Next(context.Background()) {
		names = append(names, prop(t, e.Instance(), "Name").Text())
	}
	return names
}

func TestEnumerateOneRoundTrip(t *testing.T) {
	rt, c := newReplay(reply{body: enumReply(false, "", true, "a", "b", "c")})
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, e)
	e.Close()
	if strings.Join(got, ",") != "a,b,c" || e.Err() != nil {
		t.Fatalf("got %v err %v", got, e.Err())
	}
	if n := len(rt.requests()); n != 1 {
		t.Errorf("%d requests for 3 instances, want 1", n)
	}
	// Keys come from the EPR of EnumerateObjectAndEPR.
	req := string(rt.requests()[0])
	for _, want := range []string{"<w:OptimizeEnumeration/>", "<w:MaxElements>32000</w:MaxElements>", "<w:EnumerationMode>EnumerateObjectAndEPR</w:EnumerationMode>", `<w:Selector Name="__cimnamespace">root/cimv2</w:Selector>`} {
		if !strings.Contains(req, want) {
			t.Errorf("request lacks %s", want)
		}
	}
	if strings.Contains(req, "OperationID") || strings.Contains(req, "\n") {
		t.Errorf("request has OperationID or indentation:\n%s", req)
	}
}

// The Pull after each page goes out while the page is decoded: when the
// loop stops after "b", the Pull for ctx2 has been sent, and Close
// releases the context its reply carries.
func TestEnumeratePullAndReleaseOnClose(t *testing.T) {
	rt, c := newReplay(
		reply{body: enumReply(false, "uuid:ctx1", false, "a")},
		reply{body: enumReply(true, "uuid:ctx2", false, "b")},
		reply{body: enumReply(true, "uuid:ctx3", false, "c")}, // prefetched, never read
		reply{body: []byte(emptyReply)},                       // the Release
	)
	c.aheadPages = 1 // one page ahead of the consumer (more: TestCloseStopsThePagesDecodedAhead)
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if !e.Next(ctx) || !e.Next(ctx) {
		t.Fatalf("Next: %v", e.Err())
	}
	if got := prop(t, e.Instance(), "Name").Text(); got != "b" {
		t.Errorf("second = %q", got)
	}
	e.Close()
	e.Close()
	reqs := rt.requests()
	if got := strings.Join(actions(reqs), ","); got != "Enumerate,Pull,Pull,Release" {
		t.Fatalf("actions = %s", got)
	}
	// Close stops the prefetched Pull: the context released is its
	// reply's when the reply came first, else the one it was sent with.
	if !strings.Contains(string(reqs[1]), "<n:EnumerationContext>uuid:ctx1</n:EnumerationContext>") ||
		!strings.Contains(string(reqs[2]), "<n:EnumerationContext>uuid:ctx2</n:EnumerationContext>") ||
		!strings.Contains(string(reqs[3]), "<n:EnumerationContext>uuid:ctx3</n:EnumerationContext>") &&
			!strings.Contains(string(reqs[3]), "<n:EnumerationContext>uuid:ctx2</n:EnumerationContext>") {
		t.Errorf("contexts not carried:\n%s\n%s\n%s", reqs[1], reqs[2], reqs[3])
	}
}

func TestOMIDeadContextNotReleased(t *testing.T) {
	rt, c := newReplay(reply{body: enumReply(false, "NNNN", true, "a")})
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	e.Next(context.Background())
	e.Close()
	c.Close()
	if got := actions(rt.requests()); len(got) != 1 {
		t.Errorf("actions = %v: the context that came with EndOfSequence must not be pulled or released", got)
	}
}

func TestReleaseOnClientCloseAndCancel(t *testing.T) {
	// The pipeline Pulls ahead of the consumer while Close runs: however
	// many Pulls went out before Close stopped it, the Release names the
	// context the last reply that came gave (a Pull Close cancelled got
	// none; a Pull is never resent).
	rt, c := newReplay(
		reply{body: enumReply(false, "uuid:open0", false, "a")},
		reply{body: enumReply(true, "uuid:open1", false, "b")},
		reply{body: enumReply(true, "uuid:open2", false, "c")},
		reply{body: enumReply(true, "uuid:open3", false, "d")},
		reply{body: enumReply(true, "uuid:open4", false, "e")},
		reply{body: enumReply(true, "uuid:open5", false, "f")},
		reply{body: enumReply(true, "uuid:open6", false, "g")},
		reply{body: []byte(emptyReply)},
	)
	if _, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	reqs := rt.requests()
	got := actions(reqs)
	pulls := len(got) - 2
	rt.mu.Lock()
	answered := 8 - len(rt.replies) - 2 // less the Enumerate's and the Release's
	rt.mu.Unlock()
	switch {
	case !rt.closed:
		t.Errorf("transport not closed")
	case pulls < 0 || pulls > 6 || got[0] != "Enumerate" || got[len(got)-1] != "Release" ||
		strings.Count(strings.Join(got, ","), "Pull") != pulls:
		t.Errorf("actions = %v, want Enumerate, Pulls, Release", got)
	case answered < pulls-1 || answered > pulls:
		t.Errorf("%d Pulls sent, %d answered: only the last may go unanswered", pulls, answered)
	case !strings.Contains(string(reqs[len(reqs)-1]), fmt.Sprintf("<n:EnumerationContext>uuid:open%d<", answered)):
		t.Errorf("after %d answered Pulls the Release names another context:\n%.2000s", answered, reqs[len(reqs)-1])
	}
	if _, err := c.Get(context.Background(), &model.GetRequest{Path: &model.Reference{ClassName: "X", Selectors: []model.Selector{{Name: "K", Value: "1"}}}}); err == nil {
		t.Errorf("Get after Close succeeded")
	}

	// Cancellation during a Pull releases with a fresh deadline.
	rt, c = newReplay(
		reply{body: enumReply(false, "uuid:c1", false, "a")},
		reply{err: context.Canceled},
		reply{body: []byte(emptyReply)},
	)
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.Next(ctx)
	cancel()
	if e.Next(ctx) {
		t.Fatal("Next succeeded after cancel")
	}
	f, ok := model.AsFault(e.Err())
	if !ok || f.Category != model.CategoryCanceled {
		t.Errorf("err = %v", e.Err())
	}
	if got := strings.Join(actions(rt.requests()), ","); got != "Enumerate,Pull,Release" {
		t.Errorf("actions = %s", got)
	}
}

func TestPullRecoveries(t *testing.T) {
	rt, c := newReplay(
		reply{body: enumReply(false, "uuid:1", false, "a")},
		reply{status: 500, body: faultReply("Receiver", "w:TimedOut", "The operation timed out")},
		reply{status: 500, body: faultReply("Receiver", "w:TimedOut", "The operation timed out")},
		reply{status: 500, body: faultReply("Sender", "w:EncodingLimit", "too big")},
		reply{body: enumReply(true, "-", true, "b")},
	)
	e, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service", BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, e)
	if strings.Join(got, ",") != "a,b" || e.Err() != nil {
		t.Fatalf("got %v err %v", got, e.Err())
	}
	reqs := rt.requests()
	if !strings.Contains(string(reqs[4]), "<n:MaxElements>25</n:MaxElements>") {
		t.Errorf("after EncodingLimit the Pull asks for %s", reqs[4][strings.Index(string(reqs[4]), "<n:MaxElements>"):][:40])
	}

	// Timeouts beyond the bound end the enumeration with the fault.
	var replies []reply
	replies = append(replies, reply{body: enumReply(false, "uuid:1", false)})
	for i := 0; i < 5; i++ {
		replies = append(replies, reply{status: 500, body: faultReply("Receiver", "w:TimedOut", "timed out")})
	}
	replies = append(replies, reply{body: []byte(emptyReply)})
	rt, c = newReplay(replies...)
	e, _ = c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if e.Next(context.Background()) {
		t.Fatal("Next succeeded")
	}
	if f, ok := model.AsFault(e.Err()); !ok || f.Category != model.CategoryTimeout || f.Subcode != "w:TimedOut" {
		t.Errorf("err = %v", e.Err())
	}
	if got := strings.Join(actions(rt.requests()), ","); got != "Enumerate,Pull,Pull,Pull,Pull,Release" {
		t.Errorf("actions = %s", got)
	}

	// An expired context is reported as such and not released.
	rt, c = newReplay(
		reply{body: enumReply(false, "uuid:1", false)},
		reply{status: 500, body: faultReply("Sender", "n:InvalidEnumerationContext", "The enumeration context supplied in the message is not valid.")},
	)
	e, _ = c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if e.Next(context.Background()) {
		t.Fatal("Next succeeded")
	}
	e.Close()
	if f, ok := model.AsFault(e.Err()); !ok || f.Subcode != "n:InvalidEnumerationContext" || !strings.Contains(f.Error(), "InvalidEnumerationContext") {
		t.Errorf("err = %v", e.Err())
	}
	if got := strings.Join(actions(rt.requests()), ","); got != "Enumerate,Pull" {
		t.Errorf("actions = %s", got)
	}

	// EncodingLimit on the Enumerate itself: fewer elements.
	rt, c = newReplay(
		reply{status: 500, body: faultReply("Sender", "w:EncodingLimit", "too big")},
		reply{body: enumReply(false, "", true, "a")},
	)
	e, err = c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	if err != nil {
		t.Fatal(err)
	}
	if got := collect(t, e); len(got) != 1 || !strings.Contains(string(rt.requests()[1]), "<w:MaxElements>8000</w:MaxElements>") {
		t.Errorf("got %v", got)
	}
}

func TestFaultsThroughClient(t *testing.T) {
	tests := []struct {
		name   string
		rep    reply
		cat    model.Category
		substr string
	}{
		{"401", reply{status: 401, body: []byte("<html>denied</html>")}, model.CategoryAccessDenied, "credentials rejected"},
		{"empty 500", reply{status: 500}, model.CategoryProtocol, "empty HTTP 500 reply"},
		{"html 500", reply{status: 500, body: []byte("<html><body>proxy error</body></html>")}, model.CategoryProtocol, "not a WS-Management endpoint (HTTP 500 from http://host:5985/wsman) [HTTP 500]"},
		{"not xml", reply{status: 503, body: []byte("Service Unavailable")}, model.CategoryUnreachable, "HTTP 503"},
		{"soap fault", reply{status: 500, body: faultReply("Sender", "w:AccessDenied", "Access is denied.")}, model.CategoryAccessDenied, "Access is denied. [HTTP 500, w:AccessDenied]"},
		{"network", reply{err: errors.New("dial tcp: connection refused")}, model.CategoryUnreachable, "connection refused"},
		{"fault in 200", reply{body: faultReply("Sender", "a:DestinationUnreachable", "no such resource")}, model.CategoryInvalidClass, "no such resource"},
		{"garbage 200", reply{body: []byte("not xml at all")}, model.CategoryProtocol, "not a WS-Management endpoint (HTTP 200 from http://host:5985/wsman)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newReplay(tc.rep)
			_, err := c.Get(context.Background(), &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "x"}}}})
			f, ok := model.AsFault(err)
			if !ok {
				t.Fatalf("err = %T %v", err, err)
			}
			if f.Category != tc.cat || f.ComputerName != "host" || !strings.Contains(f.Error(), tc.substr) {
				t.Errorf("fault = %q category %q computer %q; want %q containing %q", f.Error(), f.Category, f.ComputerName, tc.cat, tc.substr)
			}
		})
	}
}

func TestWMIFaultDetail(t *testing.T) {
	body := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:w="` + NsWSMan + `"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:InvalidParameter</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot process the request.</s:Text></s:Reason><s:Detail>` +
		`<p:MSFT_WmiError b:IsCIM_Error="true" xmlns:b="http://schemas.microsoft.com/wbem/wsman/1/cim/Binding" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/MSFT_WmiError" xmlns:cim="` + NsCIMCommon + `" xmlns:xsi="` + NsXSI + `" xsi:type="p:MSFT_WmiError_Type">` +
		`<p:CIMStatusCode xsi:type="cim:cimUnsignedInt">5</p:CIMStatusCode><p:CIMStatusCodeDescription xsi:nil="true"/><p:ErrorSource xsi:nil="true"/><p:Message xsi:type="cim:cimString">Invalid class </p:Message>` +
		`<p:MessageID xsi:type="cim:cimString">HRESULT 0x80041010</p:MessageID><p:error_Code xsi:type="cim:cimUnsignedInt">2147749904</p:error_Code></p:MSFT_WmiError></s:Detail></s:Fault></s:Body></s:Envelope>`
	f := DecodeFault(500, []byte(body))
	if f.CIMStatus != model.CIMInvalidClass || f.CIMMessage != "Invalid class" || f.MessageID != "HRESULT 0x80041010" || f.ErrorCode != 0x80041010 {
		t.Errorf("fault = %+v", f)
	}
	if f.Category != model.CategoryInvalidClass {
		t.Errorf("category = %q", f.Category)
	}
	want := "Invalid class [HTTP 500, w:InvalidParameter, CIM 5 CIM_ERR_INVALID_CLASS, 0x80041010]"
	if f.Error() != want {
		t.Errorf("Error() = %q, want %q", f.Error(), want)
	}
	omi := `<SOAP-ENV:Envelope xmlns:SOAP-ENV="` + NsSOAP + `" xmlns:wsman="` + NsWSMan + `"><SOAP-ENV:Body><SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value><SOAP-ENV:Subcode><SOAP-ENV:Value>wsman:InvalidParameter</SOAP-ENV:Value></SOAP-ENV:Subcode></SOAP-ENV:Code>` +
		`<SOAP-ENV:Reason><SOAP-ENV:Text xml:lang="en-US">CIM_ERR_NOT_FOUND</SOAP-ENV:Text></SOAP-ENV:Reason><SOAP-ENV:Detail><p:OMI_Error xmlns:p="` + PrefixDMTFClass + `OMI_Error" xmlns:xsi="` + NsXSI + `"><p:OMI_Code>6</p:OMI_Code><p:OMI_Category>6</p:OMI_Category><p:OMI_Type>MI</p:OMI_Type><p:OMI_ErrorMessage>instance not found</p:OMI_ErrorMessage><p:CIMStatusCode>6</p:CIMStatusCode><p:Message>instance not found</p:Message></p:OMI_Error></SOAP-ENV:Detail></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>`
	f = DecodeFault(500, []byte(omi))
	if f.Category != model.CategoryNotFound || f.CIMStatus != model.CIMNotFound || f.CIMMessage != "instance not found" || f.Subcode != "w:InvalidParameter" {
		t.Errorf("OMI fault = %+v", f)
	}
	if !errors.Is(f, model.ErrNotFound) {
		t.Errorf("errors.Is(ErrNotFound) is false")
	}
}

func TestOperationTimeoutHeader(t *testing.T) {
	rt := &replayTransport{replies: []reply{{body: []byte(emptyReply)}, {body: []byte(emptyReply)}}}
	c := NewClient(rt, Options{Endpoint: "http://h/wsman", OperationTimeout: 5 * time.Minute, NoSchema: true})
	path := &model.Reference{ClassName: "C", Selectors: []model.Selector{{Name: "K", Value: "1"}}}
	c.Delete(context.Background(), &model.DeleteRequest{Path: path})
	c.Delete(context.Background(), &model.DeleteRequest{Common: model.Common{OperationTimeout: 1500 * time.Millisecond}, Path: path})
	reqs := rt.requests()
	if !strings.Contains(string(reqs[0]), "<w:OperationTimeout>PT60.000S</w:OperationTimeout>") {
		t.Errorf("5 min not capped at PT60.000S")
	}
	if !strings.Contains(string(reqs[1]), "<w:OperationTimeout>PT1.500S</w:OperationTimeout>") {
		t.Errorf("request timeout not sent")
	}
	if !strings.Contains(string(reqs[0]), `<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>`) {
		t.Errorf("locale header missing")
	}
}

func TestMalformedBatchReleasesContext(t *testing.T) {
	bad := `<s:Envelope xmlns:s="` + NsSOAP + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Body><n:EnumerateResponse><n:EnumerationContext>uuid:leak</n:EnumerationContext><w:Items><p:C xmlns:p="u"><p:A>1</p:B></p:C></w:Items></n:EnumerateResponse></s:Body></s:Envelope>`
	// The pre-scan finds the context, so a Pull may go out before the
	// page is found malformed; its reply never comes. It is cancelled, no
	// other Pull follows, and the context is released.
	rt, c := newReplay(reply{body: []byte(bad)})
	rt.holdPulls = make(chan struct{})
	_, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "C"})
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryProtocol {
		t.Fatalf("err = %v", err)
	}
	reqs := rt.requests()
	got := strings.Join(actions(reqs), ",")
	if got != "Enumerate,Release" && got != "Enumerate,Pull,Release" {
		t.Fatalf("actions = %s", got)
	}
	for _, r := range reqs[1:] {
		if !strings.Contains(string(r), ">uuid:leak</") {
			t.Errorf("a request after the Enumerate does not name its context:\n%s", r)
		}
	}
}
