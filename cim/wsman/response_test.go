package wsman

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	xml "github.com/cimsh/cimsh/cim/wsman/xmltok"
)

var (
	reEnvelope  = regexp.MustCompile(`<(?:([\w.-]+):)?Envelope\b`)
	reRelatesTo = regexp.MustCompile(`(?s)<(?:[\w.-]+:)?RelatesTo\b[^>]*>.*?</(?:[\w.-]+:)?RelatesTo>`)
	reAction    = regexp.MustCompile(`(?s)<(?:[\w.-]+:)?Action\b[^>]*>.*?</(?:[\w.-]+:)?Action>`)
)

// answering gives a canned reply the addressing headers of an answer to
// req, as a real server writes them: RelatesTo the request's MessageID
// (replacing the capture's), and the response Action when the capture
// has none. Identify requests and bodies that are not envelopes are left
// alone.
func answering(req, body []byte) []byte {
	want := requestExchange(req)
	if want.messageID == "" {
		return body
	}
	s := string(body)
	m := reEnvelope.FindStringSubmatch(s)
	if m == nil {
		return body
	}
	p := ""
	if m[1] != "" {
		p = m[1] + ":"
	}
	s = reRelatesTo.ReplaceAllString(s, "")
	ins := `<wsa:RelatesTo xmlns:wsa="` + NsAddressing + `">` + want.messageID + `</wsa:RelatesTo>`
	if !reAction.MatchString(s) {
		ins += `<wsa:Action xmlns:wsa="` + NsAddressing + `">` + want.action + `Response</wsa:Action>`
	}
	reHeader := regexp.MustCompile(`<` + regexp.QuoteMeta(p) + `Header\b[^>]*?(/?)>`)
	if h := reHeader.FindStringSubmatchIndex(s); h != nil {
		if h[3] > h[2] { // <s:Header/>
			return []byte(s[:h[0]] + "<" + p + "Header>" + ins + "</" + p + "Header>" + s[h[1]:])
		}
		return []byte(s[:h[1]] + ins + s[h[1]:])
	}
	i := strings.Index(s, "<"+p+"Body")
	if i < 0 {
		return body
	}
	return []byte(s[:i] + "<" + p + "Header>" + ins + "</" + p + "Header>" + s[i:])
}

// fixtureExchange reads the MessageID and Action of a captured request.
func fixtureExchange(t *testing.T, name string) exchange {
	t.Helper()
	d := NewDecoder(fixture(t, name))
	var ex exchange
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("%s: no Body: %v", name, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case is(se, NsAddressing, "MessageID"):
			ex.messageID, _ = readTrimmed(d)
		case is(se, NsAddressing, "Action"):
			ex.action, _ = readTrimmed(d)
		case is(se, NsSOAP, "Body"):
			return ex
		}
	}
}

// TestReplyChecksOnCaptures checks the real exchanges of Windows, OMI
// and the MS-WSMV examples: each captured reply answers its captured
// request, and fails against another request.
func TestReplyChecksOnCaptures(t *testing.T) {
	pairs := []struct{ request, reply string }{
		{"mswsmv_4.1.1_get_request.xml", "mswsmv_4.1.1_get_response_with_cim_Location.xml"},
		{"mswsmv_4.1.2.1_enumerate_request.xml", "mswsmv_4.1.2.2_enumerate_response.xml"},
		{"mswsmv_4.1.2.3_pull_request.xml", "mswsmv_4.1.2.4_pull_response.xml"},
		{"mswsmv_4.1.3_put_request.xml", "mswsmv_4.1.3_put_response.xml"},
		{"mswsmv_4.1.4_invoke_Win32_Process_Create_request.xml", "mswsmv_4.1.4_invoke_Win32_Process_Create_response.xml"},
		{"omi_posthttp_test1_request.xml", "omi_posthttp_test1_response.xml"},
		{"omi_posthttp_test2_request.xml", "omi_posthttp_test2_response.xml"},
		// OMI answers an Invoke with the request's own Action.
		{"omi_posthttp_test3_request.xml", "omi_posthttp_test3_response.xml"},
		{"win2016_cimsession_03_Req_schema.xml", "win2016_cimsession_03_Res_schema.xml"},
		{"request_template_enumerate_wql.xml", "win2008_enumerate_wql_star_Win32_LogicalDisk_page0_response.xml"},
		{"request_template_enumerate_wql.xml", "win2012_enumerate_wql_star_Win32_OperatingSystem_response.xml"},
		{"request_template_enumerate_wql.xml", "win2012_enumerate_wql_proplist_Win32_OperatingSystem_response_xmlfragment.xml"},
		{"request_template_pull.xml", "win2008_pull_wql_star_Win32_LogicalDisk_page1_response.xml"},
		{"request_template_subscribe_eventlog.xml", "win_subscribe_eventlog_response.xml"},
	}
	for _, p := range pairs {
		want := fixtureExchange(t, p.request)
		if want.messageID == "" || want.action == "" {
			t.Fatalf("%s: MessageID %q Action %q", p.request, want.messageID, want.action)
		}
		got, err := readReplyHeader(fixture(t, p.reply))
		if err != nil {
			t.Errorf("%s: %v", p.reply, err)
			continue
		}
		if err := checkReply(want, got); err != nil {
			t.Errorf("%s answering %s: %v", p.reply, p.request, err)
		}
		// The same reply to a request with another MessageID, or to
		// another operation, is refused.
		other := want
		other.messageID = "uuid:00000000-1111-2222-3333-444444444444"
		var me *ReplyMismatchError
		if err := checkReply(other, got); !errors.As(err, &me) || me.What != "RelatesTo" {
			t.Errorf("%s answering another message: %v", p.reply, err)
		}
		other = want
		other.action = ActionDelete
		if err := checkReply(other, got); !errors.As(err, &me) || me.What != "Action" {
			t.Errorf("%s answering a Delete: %v", p.reply, err)
		}
	}
	// Identify: no addressing headers on either side.
	got, err := readReplyHeader(fixture(t, "win_identify_response_unauthenticated.xml"))
	if err != nil || got.hasAction || got.hasRelatesTo {
		t.Fatalf("identify header %+v %v", got, err)
	}
	if err := checkReply(requestExchange([]byte(identifyEnvelope)), got); err != nil {
		t.Errorf("identify: %v", err)
	}
	// A fault relating to the request is not an answer to check: it is
	// decoded as the fault.
	for _, f := range []string{"fault_max_concurrent_operations_InternalError.xml", "omi_fault_InternalError_get_instance.xml"} {
		got, err := readReplyHeader(fixture(t, f))
		if err != nil || !got.fault {
			t.Errorf("%s: fault %v err %v", f, got.fault, err)
		}
	}
}

func TestCheckReply(t *testing.T) {
	const id = "uuid:5E6FD101-710A-4EEA-A50D-70C0BF863AA3"
	invoke := "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service/StopService"
	h := func(action, relates string) replyHeader {
		return replyHeader{action: action, relatesTo: relates, hasAction: action != "", hasRelatesTo: relates != ""}
	}
	tests := []struct {
		name string
		want exchange
		got  replyHeader
		bad  string // "" or the header that did not match
	}{
		{"get", exchange{id, ActionGet}, h(ActionGet+"Response", id), ""},
		{"uuid case", exchange{id, ActionGet}, h(ActionGet+"Response", strings.ToLower(id)), ""},
		{"other message", exchange{id, ActionGet}, h(ActionGet+"Response", "uuid:9A989269-283B-4624-BAC5-BC291F72E854"), "RelatesTo"},
		{"no RelatesTo", exchange{id, ActionGet}, h(ActionGet+"Response", ""), "RelatesTo"},
		{"put answer to a get", exchange{id, ActionGet}, h(ActionPut+"Response", id), "Action"},
		{"echoed get", exchange{id, ActionGet}, h(ActionGet, id), "Action"},
		{"no Action", exchange{id, ActionPull}, h("", id), "Action"},
		{"pull", exchange{id, ActionPull}, h(ActionPull+"Response", id), ""},
		{"enumerate answered as pull", exchange{id, ActionEnumerate}, h(ActionPull+"Response", id), "Action"},
		{"windows invoke", exchange{id, invoke}, h(invoke+"Response", id), ""},
		{"omi invoke echo", exchange{id, invoke}, h(invoke, id), ""},
		{"invoke of another method", exchange{id, invoke}, h(strings.Replace(invoke, "Stop", "Start", 1)+"Response", id), "Action"},
		{"uri case", exchange{id, invoke}, h(strings.ToLower(invoke)+"Response", id), ""},
		{"fault", exchange{id, ActionGet}, replyHeader{fault: true}, ""},
		{"identify", exchange{}, replyHeader{}, ""},
	}
	for _, tt := range tests {
		err := checkReply(tt.want, tt.got)
		var me *ReplyMismatchError
		switch {
		case tt.bad == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.bad != "" && (!errors.As(err, &me) || me.What != tt.bad):
			t.Errorf("%s: got %v, want a %s mismatch", tt.name, err, tt.bad)
		case tt.bad != "" && !strings.Contains(err.Error(), tt.bad):
			t.Errorf("%s: %q does not name %s", tt.name, err, tt.bad)
		}
	}
}

func TestRequestExchange(t *testing.T) {
	c := NewClient(&replayTransport{}, Options{Endpoint: "http://h:5985/wsman"})
	env := c.appendHeader(nil, &request{action: "http://x/a&b/M", resourceURI: "http://x/a&b"})
	ex := requestExchange(env)
	if ex.action != "http://x/a&b/M" || !strings.HasPrefix(ex.messageID, "uuid:") || len(ex.messageID) != 41 {
		t.Errorf("exchange %+v", ex)
	}
}

// TestReplyMismatchIsProtocolFault: a reply with another RelatesTo fails
// the operation with a protocol fault naming what did not match.
func TestReplyMismatchIsProtocolFault(t *testing.T) {
	other := strings.Replace(string(enumReply(false, "", true, "a")), "<s:Header/>",
		`<s:Header><a:Action>`+ActionEnumerate+`Response</a:Action><a:RelatesTo>uuid:00000000-0000-0000-0000-000000000001</a:RelatesTo></s:Header>`, 1)
	_, c := newReplay(reply{body: []byte(other), asIs: true})
	_, err := c.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Service"})
	f, ok := model.AsFault(err)
	if !ok || f.Category != model.CategoryProtocol || !strings.Contains(f.Error(), "RelatesTo") || !strings.Contains(f.Error(), "uuid:00000000-0000-0000-0000-000000000001") {
		t.Fatalf("got %v", err)
	}
}
