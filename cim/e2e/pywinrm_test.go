package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/internal/testenv"
)

// debianPython is the interpreter Debian's python3-winrm installs for
// (another python3 earlier on PATH would not see it).
const debianPython = "/usr/bin/python3"

// pywinrmScript enumerates Win32_Service through pywinrm's Protocol (its
// HTTP transports, its NTLM message encryption) with hand-built
// Enumerate and Pull envelopes in PowerShell's DMTF form (class URI plus
// a __cimnamespace selector), three items at a time, following Pull
// until EndOfSequence. It prints the services and the request count as
// JSON. The password comes through the environment, never argv.
const pywinrmScript = `
import json, os, sys, uuid
import xml.etree.ElementTree as ET
from winrm.protocol import Protocol

endpoint, transport = sys.argv[1], sys.argv[2]
p = Protocol(endpoint, transport=transport, username=os.environ["E2E_USER"], password=os.environ["E2E_PASSWORD"],
             message_encryption="always" if transport == "ntlm" else "never", server_cert_validation="ignore")
S = "http://www.w3.org/2003/05/soap-envelope"
N = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
W = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"
URI = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Win32_Service"

def envelope(action, body):
    return ('<s:Envelope xmlns:s="%s" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="%s" xmlns:w="%s">'
            '<s:Header><a:To>%s</a:To><w:ResourceURI s:mustUnderstand="true">%s</w:ResourceURI>'
            '<a:ReplyTo><a:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>'
            '<a:Action s:mustUnderstand="true">%s/%s</a:Action>'
            '<w:MaxEnvelopeSize s:mustUnderstand="true">512000</w:MaxEnvelopeSize><a:MessageID>uuid:%s</a:MessageID>'
            '<w:Locale xml:lang="en-US" s:mustUnderstand="false"/><w:OperationTimeout>PT60.000S</w:OperationTimeout>'
            '<w:SelectorSet><w:Selector Name="__cimnamespace">root/cimv2</w:Selector></w:SelectorSet>'
            '</s:Header><s:Body>%s</s:Body></s:Envelope>') % (S, N, W, endpoint, URI, N, action, uuid.uuid4(), body)

def local(tag):
    return tag.rsplit("}", 1)[-1]

services, requests = [], 0
reply = p.send_message(envelope("Enumerate",
    '<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>3</w:MaxElements></n:Enumerate>'))
requests += 1
while True:
    body = ET.fromstring(reply).find("{%s}Body" % S)[0]
    items = body.find("{%s}Items" % W)
    if items is None:
        items = body.find("{%s}Items" % N)
    for item in (items if items is not None else []):
        props = {local(c.tag): (c.text or "") for c in item}
        services.append({k: props.get(k, "") for k in ("Name", "State", "StartMode", "ProcessId")})
    if body.find("{%s}EndOfSequence" % W) is not None or body.find("{%s}EndOfSequence" % N) is not None:
        break
    ctx = body.find("{%s}EnumerationContext" % N).text
    reply = p.send_message(envelope("Pull",
        '<n:Pull><n:EnumerationContext>%s</n:EnumerationContext><n:MaxElements>3</n:MaxElements></n:Pull>' % ctx))
    requests += 1
print(json.dumps({"services": services, "requests": requests}))
`

// requirePywinrm skips unless Debian's python3 imports winrm (and the
// NTLM modules it needs); under CIMSH_STRICT=1 it fails.
func requirePywinrm(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import winrm, winrm.protocol, requests_ntlm").CombinedOutput()
	if err != nil {
		testenv.Missing(t, testenv.NoPywinrm, debianPython+": "+strings.TrimSpace(string(out)))
	}
}

// opensslLegacyConf writes an OpenSSL config that enables the legacy
// provider: NTLM needs MD4, which OpenSSL 3 keeps there.
func opensslLegacyConf(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "openssl.cnf")
	conf := "openssl_conf = openssl_init\n\n[openssl_init]\nproviders = provider_sect\n\n" +
		"[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n\n" +
		"[default_sect]\nactivate = 1\n\n[legacy_sect]\nactivate = 1\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

type pyService struct {
	Name, State, StartMode, ProcessId string
}

// pywinrm, an independent client, enumerates from the test server with
// Basic and with NTLM message encryption, and sees what cim.Session sees
// from the same server: the server speaks the protocol the way others
// expect, not only the way its own client does.
func TestPywinrmCrossCheck(t *testing.T) {
	requirePywinrm(t)
	conf := opensslLegacyConf(t)
	cases := []struct {
		name      string
		transport string
		opts      wsmantest.Options
	}{
		{"basic-windows", "basic", wsmantest.Options{BasicUsers: basicUsers, AllowUnencrypted: true}},
		{"basic-omi", "basic", wsmantest.Options{Dialect: wsmantest.OMI, BasicUsers: basicUsers, AllowUnencrypted: true}},
		{"ntlm-sealed-windows", "ntlm", wsmantest.Options{NTLMUsers: ntlmUsers}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.UnauthenticatedHold = 2 * time.Second
			srv := wsmantest.NewServer(t, tc.opts)
			user, password := basicUser, basicPassword
			if tc.transport == "ntlm" {
				user, password = ntlmUser, ntlmPassword
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, debianPython, "-c", pywinrmScript, srv.URL(), tc.transport)
			cmd.Env = append(os.Environ(), "E2E_USER="+user, "E2E_PASSWORD="+password, "OPENSSL_CONF="+conf,
				"NO_PROXY=*", "no_proxy=*", "HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("pywinrm: %v\n%s", err, out)
			}
			var res struct {
				Services []pyService
				Requests int
			}
			if i := strings.LastIndex(string(out), "\n{"); i >= 0 {
				out = out[i+1:]
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("pywinrm output %q: %v", out, err)
			}
			// 8 services, 3 at a time: Enumerate and two Pulls.
			if res.Requests != 3 || len(res.Services) != 8 {
				t.Fatalf("pywinrm saw %d services in %d requests", len(res.Services), res.Requests)
			}
			if ops := strings.Join(srv.Operations(), ","); ops != "Enumerate,Pull,Pull" {
				t.Errorf("the server saw %s", ops)
			}
			if l := srv.Requests(); l[0].User != user {
				t.Errorf("the server saw user %q", l[0].User)
			}
			if tc.transport == "ntlm" {
				if c := srv.Counters(); c.Handshakes != 1 {
					t.Errorf("pywinrm made %d NTLM handshakes", c.Handshakes)
				}
			}

			// The same services through cim.Session.
			var s *cim.Session
			if tc.transport == "ntlm" {
				s = open(t, config(srv, cim.AuthNTLM, cim.NewCredential(ntlmUser, ntlmPassword), cim.SessionOption{}))
			} else {
				s = basicSession(t, srv)
			}
			got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(res.Services) {
				t.Fatalf("cim saw %d services, pywinrm %d", len(got), len(res.Services))
			}
			for i, inst := range got {
				want := pyService{text(inst, "Name"), text(inst, "State"), text(inst, "StartMode"), text(inst, "ProcessId")}
				if res.Services[i] != want {
					t.Errorf("service %d: pywinrm %+v, cim %+v", i, res.Services[i], want)
				}
			}
		})
	}
}
