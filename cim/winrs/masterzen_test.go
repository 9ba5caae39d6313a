package winrs_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsman/transport"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/masterzen/winrm"
)

// The shortfalls of masterzen/winrm (at the pinned version) that this
// package's layer covers, shown on the library itself: if an upgrade
// fixes one, its test here fails and the layer can shrink.

// Its stdin writer sends EnvelopeSize-1000 bytes a Send, whose base64 is
// over a server's 500 KB limit, and reports the failure as
// io.ErrShortWrite rather than the server's answer; WriteClose always
// fails.
func TestMasterzenStdinWriter(t *testing.T) {
	s := server(t, wsmantest.Options{MaxEnvelopeSize: 512000})
	tr, err := transport.New(transport.Config{Host: s.Host(), Port: s.Port(), Auth: transport.AuthBasic, NoEncryption: true, User: testUser, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	params := *winrm.NewParameters("PT60S", "en-US", 512000)
	params.TransportDecorator = func() winrm.Transporter { return tr.TransporterContext(context.Background()) }
	h, p := hostPort(t, s.URL())
	c, err := winrm.NewClientWithParameters(&winrm.Endpoint{Host: h, Port: p}, "", "", &params)
	if err != nil {
		t.Fatal(err)
	}
	shell, err := c.CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	cmd, err := shell.ExecuteWithContext(context.Background(), "more")
	if err != nil {
		t.Fatal(err)
	}
	n, err := cmd.Stdin.Write(bytes.Repeat([]byte("x"), 600000))
	if n != 0 || !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("Write: %d, %v", n, err)
	}
	if l := logged(s, "Unknown"); len(l) != 0 {
		t.Fatalf("%d unparsed requests", len(l))
	}
	if _, err := cmd.Stdin.WriteClose([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("WriteClose: %v", err)
	}
	cmd.Close()
}

// Its Receive parser panics on an empty or truncated reply (in the
// library's own goroutine, which would end the process).
func TestMasterzenParserPanics(t *testing.T) {
	for _, body := range []string{"", "<s:Envelope"} {
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			winrm.ParseSlurpOutputErrResponse(body, io.Discard, io.Discard)
			return false
		}()
		if !panicked {
			t.Fatalf("%q did not panic", body)
		}
	}
	// Stream data that is not base64 is dropped without an error.
	var out bytes.Buffer
	_, _, err := winrm.ParseSlurpOutputErrResponse(`<a xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><rsp:Stream Name="stdout">@@@</rsp:Stream></a>`, &out, io.Discard)
	if err != nil || out.Len() != 0 {
		t.Fatalf("%v %q", err, out.String())
	}
}

// Its request builder writes a command inside CDATA without escaping, so
// "]]>" breaks the request; its PowerShell helper adds to the script and
// leaves out -NoProfile -NonInteractive.
func TestMasterzenCommandLine(t *testing.T) {
	// the <x/> after "]]>" is markup in the request
	msg := winrm.NewExecuteCommandRequest("http://h:5985/wsman", "S", "echo ]]><x/>", nil, winrm.DefaultParameters)
	if !strings.Contains(msg.String(), "<![CDATA[echo ]]><x/>]]>") {
		t.Fatalf("request %s", msg.String())
	}
	if line := winrm.Powershell("Get-Date"); strings.Contains(line, "-NoProfile") || !strings.HasPrefix(line, "powershell.exe -EncodedCommand ") {
		t.Fatalf("Powershell() = %q", line)
	}
	if got := decodeEncodedCommand(t, winrm.Powershell("Get-Date")); got != "$ProgressPreference = 'SilentlyContinue';Get-Date" {
		t.Fatalf("script %q", got)
	}
}
