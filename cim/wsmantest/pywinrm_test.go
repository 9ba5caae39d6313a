package wsmantest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/cimsh/cimsh/internal/testenv"
)

// debianPython is the interpreter python3-winrm installs for.
const debianPython = "/usr/bin/python3"

// pywinrmEnumerate enumerates Win32_Service two at a time through
// pywinrm's Protocol (its transports, its NTLM sealing), following Pull
// until EndOfSequence, and prints the service names as JSON. The
// password comes from the environment, never from argv.
const pywinrmEnumerate = `
import json, os, sys, uuid
import xml.etree.ElementTree as ET
from winrm.protocol import Protocol
endpoint, transport = sys.argv[1:3]
p = Protocol(endpoint, transport=transport, username=os.environ["WSMT_USER"], password=os.environ["WSMT_PASSWORD"],
             message_encryption="auto" if transport == "ntlm" else "never", server_cert_validation="ignore")
NS = {"s": "http://www.w3.org/2003/05/soap-envelope", "n": "http://schemas.xmlsoap.org/ws/2004/09/enumeration",
      "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"}
URI = "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*"
def envelope(action, body):
    return ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
            'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">'
            '<s:Header><a:To>%s</a:To><w:ResourceURI s:mustUnderstand="true">%s</w:ResourceURI>'
            '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
            '<a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/enumeration/%s</a:Action>'
            '<w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><a:MessageID>uuid:%s</a:MessageID>'
            '<w:OperationTimeout>PT60S</w:OperationTimeout></s:Header><s:Body>%s</s:Body></s:Envelope>') % (endpoint, URI, action, uuid.uuid4(), body)
names, requests = [], 0
reply = p.send_message(envelope("Enumerate", '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>2</w:MaxElements>'
    '<w:Filter Dialect="http://schemas.microsoft.com/wbem/wsman/1/WQL">select * from Win32_Service</w:Filter></n:Enumerate>'))
requests += 1
while True:
    root = ET.fromstring(reply)
    resp = root.find("s:Body", NS)[0]
    for item in resp.find("w:Items", NS) if resp.find("w:Items", NS) is not None else resp.find("n:Items", NS):
        names.append(item.find("{%s}Name" % item.tag[1:].split("}")[0]).text)
    if resp.find("w:EndOfSequence", NS) is not None or resp.find("n:EndOfSequence", NS) is not None:
        break
    ctx = resp.find("n:EnumerationContext", NS).text
    reply = p.send_message(envelope("Pull", '<n:Pull><n:EnumerationContext>%s</n:EnumerationContext><n:MaxElements>2</n:MaxElements></n:Pull>' % ctx))
    requests += 1
print(json.dumps({"names": names, "requests": requests}))
`

func requirePywinrm(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import winrm, requests_ntlm").CombinedOutput()
	if err == nil {
		return
	}
	testenv.Missing(t, testenv.NoPywinrm, debianPython+": "+strings.TrimSpace(string(out)))
}

// pywinrm, an independent client, enumerates from the server with Basic
// and with NTLM message encryption.
func TestPywinrmEnumerates(t *testing.T) {
	requirePywinrm(t)
	for _, tc := range []struct {
		transport string
		opts      wsmantest.Options
	}{
		{"basic", wsmantest.Options{BasicUsers: map[string]string{"alice": "Py-Pa55word"}, AllowUnencrypted: true}},
		{"ntlm", wsmantest.Options{NTLMUsers: []ntlmserver.User{{Name: "alice", Password: "Py-Pa55word"}}}},
	} {
		t.Run(tc.transport, func(t *testing.T) {
			s := wsmantest.NewServer(t, tc.opts)
			// ntlm-auth needs MD4, which OpenSSL 3 only has in its legacy
			// provider.
			conf := filepath.Join(t.TempDir(), "openssl.cnf")
			if err := os.WriteFile(conf, []byte("openssl_conf = init\n[init]\nproviders = prov\n[prov]\ndefault = on\nlegacy = on\n[on]\nactivate = 1\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(debianPython, "-c", pywinrmEnumerate, s.URL(), tc.transport)
			cmd.Env = append(os.Environ(), "WSMT_USER=alice", "WSMT_PASSWORD=Py-Pa55word", "OPENSSL_CONF="+conf, "NO_PROXY=*", "no_proxy=*")
			done := make(chan struct{})
			var out []byte
			var err error
			go func() { out, err = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatal("pywinrm did not finish in 60 s")
			}
			if err != nil {
				t.Fatalf("pywinrm: %v\n%s", err, out)
			}
			var res struct {
				Names    []string
				Requests int
			}
			if err := json.Unmarshal(out[strings.LastIndex(string(out), "{"):], &res); err != nil {
				t.Fatalf("pywinrm output: %s", out)
			}
			if strings.Join(res.Names, ",") != "BITS,Dnscache,MapsBroker,nsi,RpcSs,Spooler,W32Time,WinRM" || res.Requests != 4 {
				t.Fatalf("pywinrm saw %v in %d requests", res.Names, res.Requests)
			}
			if ops := strings.Join(s.Operations(), ","); ops != "Enumerate,Pull,Pull,Pull" {
				t.Fatalf("server saw %s", ops)
			}
			if tc.transport == "ntlm" && s.Counters().Handshakes != 1 {
				t.Fatalf("NTLM handshakes %d", s.Counters().Handshakes)
			}
		})
	}
}
