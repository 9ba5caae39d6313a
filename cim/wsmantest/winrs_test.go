package wsmantest

import (
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"
)

const shellRSP = ` xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"`

// The WinRS answers have the shapes of the captures: an unknown ShellId
// is the captured w:InvalidSelectors fault with its detail and message;
// Create, Command, Receive and Delete answer as MS-WSMV 4.7 and pywinrm's
// Windows samples show.
func TestWinRSShapes(t *testing.T) {
	s := NewServer(t, Options{RunCommand: func(ctx context.Context, p *Process) int {
		io.WriteString(p.Stdout, "one")
		p.Flush()
		io.WriteString(p.Stderr, "two")
		return 7
	}})
	// unknown shell, compared with the capture
	want := parseFault(t, readFixture(t, "fault_InvalidSelectors_UnexpectedSelectors_FaultDetail.xml"))
	r := post(t, s, envelope(actionDelete, shellCmdURI, sel("ShellId", "B387C9DF-58ED-4E97-AE80-4117D8D12116"), ""))
	got := parseFault(t, r.body)
	if r.status != 500 || got != want {
		t.Fatalf("HTTP %d fault\n%+v\nwant\n%+v", r.status, got, want)
	}

	r = post(t, s, envelope(actionCreate, shellCmdURI, "", `<rsp:Shell`+shellRSP+`><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`))
	rc := r.bodyElem(t)
	id := rc.child(nsAddressing, "ReferenceParameters").child(nsWSMan, "SelectorSet").child(nsWSMan, "Selector").text()
	if !rc.is(nsTransfer, "ResourceCreated") || len(id) != 36 || r.headerText("Action") != nsTransfer+"/CreateResponse" || r.headerText("RelatesTo") == "" {
		t.Fatalf("create reply %s", r.body)
	}
	r = post(t, s, envelope(actionCommand, shellCmdURI, sel("ShellId", id), `<rsp:CommandLine`+shellRSP+`><rsp:Command>x</rsp:Command></rsp:CommandLine>`))
	cmd := r.bodyElem(t).child(nsShell, "CommandId").text()
	if !r.bodyElem(t).is(nsShell, "CommandResponse") || cmd == "" {
		t.Fatalf("command reply %s", r.body)
	}
	receive := envelope(actionReceive, shellCmdURI, sel("ShellId", id), `<rsp:Receive`+shellRSP+` SequenceId="0"><rsp:DesiredStream CommandId="`+cmd+`">stdout stderr</rsp:DesiredStream></rsp:Receive>`)
	var out, errOut string
	done := false
	for i := 0; i < 5 && !done; i++ {
		resp := post(t, s, receive).bodyElem(t)
		if v, _ := resp.attr("", "SequenceId"); !resp.is(nsShell, "ReceiveResponse") || v != "0" {
			t.Fatalf("receive reply %+v", resp)
		}
		for _, st := range resp.childrenNamed(nsShell, "Stream") {
			b, err := base64.StdEncoding.DecodeString(st.text())
			if err != nil {
				t.Fatal(err)
			}
			if name, _ := st.attr("", "Name"); name == "stdout" {
				out += string(b)
			} else {
				errOut += string(b)
			}
		}
		state := resp.child(nsShell, "CommandState")
		if v, _ := state.attr("", "State"); v == stateDone {
			done = true
			if code := state.child(nsShell, "ExitCode").text(); code != "7" {
				t.Fatalf("exit code %q", code)
			}
		}
	}
	if !done || out != "one" || errOut != "two" {
		t.Fatalf("done %v, %q %q", done, out, errOut)
	}
	if s.OpenShells() != 1 {
		t.Fatal("shell not counted")
	}
	r = post(t, s, envelope(actionDelete, shellCmdURI, sel("ShellId", strings.ToLower(id)), ""))
	if r.status != 200 || r.headerText("Action") != nsTransfer+"/DeleteResponse" || s.OpenShells() != 0 {
		t.Fatalf("delete: HTTP %d %s", r.status, r.body)
	}
}

// faultShape is what a fault says, for comparing with a capture.
type faultShape struct{ code, subcode, detail, wsmanCode, message string }

func parseFault(t *testing.T, body []byte) faultShape {
	t.Helper()
	root, err := parseXML(body)
	if err != nil {
		t.Fatal(err)
	}
	f := root.child(nsSOAP, "Body").child(nsSOAP, "Fault")
	d := f.child(nsSOAP, "Detail")
	wf := d.child(nsWSManFault, "WSManFault")
	code, _ := wf.attr("", "Code")
	return faultShape{
		code:      f.child(nsSOAP, "Code").child(nsSOAP, "Value").text(),
		subcode:   f.child(nsSOAP, "Code").child(nsSOAP, "Subcode").child(nsSOAP, "Value").text(),
		detail:    d.child(nsWSMan, "FaultDetail").text(),
		wsmanCode: code,
		message:   strings.Join(strings.Fields(wf.child(nsWSManFault, "Message").text()), " "),
	}
}
