package transport

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/masterzen/winrm"
)

const createShellReply = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse</a:Action></s:Header><s:Body><x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">11111111-2222-3333-4444-555555555555</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated></s:Body></s:Envelope>`

// masterzen's shell runs over this client's connection and auth.
func TestWinRMTransporter(t *testing.T) {
	var sawCreate, sawBasic atomic.Bool
	srv := newRawServer(t, func(connN, reqN int, req *http.Request, body []byte) (rawAction, int, string) {
		sawBasic.Store(strings.HasPrefix(req.Header.Get("Authorization"), "Basic "))
		switch {
		case strings.Contains(string(body), "transfer/Create"):
			sawCreate.Store(true)
			return rawReply, 200, createShellReply
		case strings.Contains(string(body), "transfer/Delete"):
			return rawReply, 500, soapFault
		}
		return rawReply, 400, ""
	})
	c, _ := New(srv.config(t))
	defer c.Close()
	params := *winrm.DefaultParameters // a copy: never modify the shared one
	params.TransportDecorator = func() winrm.Transporter { return c.TransporterContext(context.Background()) }
	h, p := hostPort(t, srv.ln.Addr().String())
	wc, err := winrm.NewClientWithParameters(&winrm.Endpoint{Host: h, Port: p}, "ignored", "ignored", &params)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stats().Dials != 0 {
		t.Fatal("NewClientWithParameters dialed")
	}
	shell, err := wc.CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	if !sawCreate.Load() || !sawBasic.Load() {
		t.Fatalf("create %v basic %v", sawCreate.Load(), sawBasic.Load())
	}
	// A fault reply comes back as an error holding the fault body (what
	// masterzen's Receive loop inspects), not as a nil error.
	err = shell.Close()
	if err == nil || !strings.Contains(err.Error(), "http error 500") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("close: %v", err)
	}
	if s := c.Stats(); s.Dials != 1 || s.Posts != 2 {
		t.Fatalf("stats %+v", s)
	}
	if tr := c.Transporter(); tr.Transport(nil) != nil {
		t.Fatal("Transport")
	}
}
