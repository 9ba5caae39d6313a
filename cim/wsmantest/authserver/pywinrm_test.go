package authserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/cimsh/cimsh/internal/testenv"
)

// debianPython is Debian's interpreter, for which python3-winrm installs.
const debianPython = "/usr/bin/python3"

// requirePywinrm skips unless /usr/bin/python3 imports winrm; under
// CIMSH_STRICT=1 it fails instead.
func requirePywinrm(t *testing.T) {
	t.Helper()
	out, err := exec.Command(debianPython, "-c", "import winrm, requests_ntlm, requests_kerberos").CombinedOutput()
	if err == nil {
		return
	}
	testenv.Missing(t, testenv.NoPywinrm, debianPython+": "+strings.TrimSpace(string(out)))
}

const (
	identifyResponse  = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xml:lang="en-US"><s:Header/><s:Body><wsmid:IdentifyResponse xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"><wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion><wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>OS: 10.0.17763 SP: 0.0 Stack: 3.0</wsmid:ProductVersion></wsmid:IdentifyResponse></s:Body></s:Envelope>`
	enumerateResponse = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/EnumerateResponse</a:Action></s:Header><s:Body><n:EnumerateResponse><n:EnumerationContext/><w:Items><p:Win32_OperatingSystem xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem"><p:Caption>Microsoft Windows Server 2019 Datacenter</p:Caption><p:BuildNumber>17763</p:BuildNumber></p:Win32_OperatingSystem></w:Items><w:EndOfSequence/></n:EnumerateResponse></s:Body></s:Envelope>`
)

// cannedWSMan answers Identify and Enumerate with fixed responses and
// records what it was asked, by whom.
type cannedWSMan struct {
	mu   sync.Mutex
	seen []string
}

func (c *cannedWSMan) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	body := string(b)
	id, _ := FromContext(r.Context())
	var reply, op string
	switch {
	case strings.Contains(body, "Identify"):
		op, reply = "Identify", identifyResponse
	case strings.Contains(body, "enumeration/Enumerate"):
		op, reply = "Enumerate", enumerateResponse
	default:
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	c.seen = append(c.seen, op+" "+id.Scheme+" "+id.User+" sealed="+map[bool]string{true: "yes", false: "no"}[id.Sealed])
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	w.Write([]byte(reply))
}

// pywinrmScript sends Identify and an Enumerate through pywinrm's
// Protocol and prints the replies (or the exception class) as JSON. The
// password comes from the environment, never from argv.
const pywinrmScript = `
import json, os, sys
from winrm.protocol import Protocol
endpoint, transport, user, enc = sys.argv[1:5]
identify = ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
    '<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>')
enumerate = ('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" '
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
    '<a:To>' + endpoint + '</a:To>'
    '<w:ResourceURI s:mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_OperatingSystem</w:ResourceURI>'
    '<a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action>'
    '<a:MessageID>uuid:00000000-0000-0000-0000-000000000001</a:MessageID>'
    '</s:Header><s:Body><n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements></n:Enumerate></s:Body></s:Envelope>')
p = Protocol(endpoint=endpoint, transport=transport, username=user,
             password=os.environ['CIMSH_PYWINRM_PASSWORD'], message_encryption=enc,
             server_cert_validation='ignore')
out = []
try:
    for msg in (identify, enumerate, identify):
        r = p.send_message(msg)
        out.append(r.decode('utf-8') if isinstance(r, bytes) else r)
except Exception as e:
    import traceback
    traceback.print_exc()
    out.append('EXCEPTION ' + type(e).__name__)
print(json.dumps(out))
`

// opensslLegacyConf enables OpenSSL 3's default and legacy providers.
const opensslLegacyConf = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`

func runPywinrm(t *testing.T, endpoint, transport, user, password, enc string, extraEnv ...string) []string {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "client.py")
	if err := os.WriteFile(script, []byte(pywinrmScript), 0o600); err != nil {
		t.Fatal(err)
	}
	// NTLM needs MD4, which OpenSSL 3 (Debian 12) only offers through its
	// legacy provider; ntlm-auth fails with "unsupported hash type md4"
	// otherwise.
	osslConf := filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(osslConf, []byte(opensslLegacyConf), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, debianPython, script, endpoint, transport, user, enc)
	env := append([]string{"CIMSH_PYWINRM_PASSWORD=" + password, "NO_PROXY=*", "no_proxy=*", "OPENSSL_CONF=" + osslConf}, extraEnv...)
	for _, kv := range os.Environ() {
		name := strings.ToLower(strings.SplitN(kv, "=", 2)[0])
		if !strings.Contains(name, "proxy") && name != "openssl_conf" && !strings.HasPrefix(name, "krb5") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	msg := stderr.String()
	if password != "" {
		msg = strings.ReplaceAll(msg, password, "***")
	}
	if msg = strings.TrimSpace(msg); msg != "" {
		t.Logf("pywinrm stderr:\n%s", msg)
	}
	if err != nil {
		t.Fatalf("pywinrm: %v", err)
	}
	var replies []string
	if err := json.Unmarshal(out, &replies); err != nil {
		t.Fatalf("pywinrm output %q: %v", out, err)
	}
	return replies
}

// TestPywinrm: Debian's python3-winrm talks to the middleware with NTLM
// message encryption and with Basic; a cross-check by an independent
// client that the sealing and framing are what others expect.
func TestPywinrm(t *testing.T) {
	requirePywinrm(t)
	cfg := Config{
		NTLM:  []ntlmserver.User{{Name: "User", Domain: "Domain", Password: "Password"}},
		Basic: map[string]string{"basicuser": "basic-Pass1"},
	}
	check := func(t *testing.T, replies []string) {
		t.Helper()
		if len(replies) != 3 {
			t.Fatalf("replies %q", replies)
		}
		if replies[0] != identifyResponse || replies[2] != identifyResponse {
			t.Fatalf("Identify reply %.200q", replies[0])
		}
		if replies[1] != enumerateResponse {
			t.Fatalf("Enumerate reply %.200q", replies[1])
		}
	}

	t.Run("ntlm encrypted", func(t *testing.T) {
		wsman := &cannedWSMan{}
		h, ts := startServer(t, cfg, wsman, nil)
		check(t, runPywinrm(t, ts.URL+"/wsman", "ntlm", `Domain\User`, "Password", "always"))
		want := []string{"Identify ntlm User sealed=yes", "Enumerate ntlm User sealed=yes", "Identify ntlm User sealed=yes"}
		if strings.Join(wsman.seen, "|") != strings.Join(want, "|") {
			t.Fatalf("server saw %q", wsman.seen)
		}
		if h.Handshakes.Load() != 1 || h.Connections.Load() != 1 {
			t.Fatalf("handshakes %d connections %d", h.Handshakes.Load(), h.Connections.Load())
		}
	})

	t.Run("ntlm wrong password", func(t *testing.T) {
		_, ts := startServer(t, cfg, &cannedWSMan{}, nil)
		replies := runPywinrm(t, ts.URL+"/wsman", "ntlm", `Domain\User`, "Wrong", "always")
		if len(replies) != 1 || replies[0] != "EXCEPTION InvalidCredentialsError" {
			t.Fatalf("replies %q", replies)
		}
	})

	t.Run("basic", func(t *testing.T) {
		allow := cfg
		allow.AllowUnencrypted = true
		wsman := &cannedWSMan{}
		_, ts := startServer(t, allow, wsman, nil)
		check(t, runPywinrm(t, ts.URL+"/wsman", "basic", "basicuser", "basic-Pass1", "never"))
		if len(wsman.seen) != 3 || wsman.seen[1] != "Enumerate basic basicuser sealed=no" {
			t.Fatalf("server saw %q", wsman.seen)
		}
	})

	t.Run("kerberos", func(t *testing.T) {
		// requests-kerberos over MIT GSSAPI, with mutual authentication
		// required: it must accept the server's AP-REP.
		k := kdc.Start(t, "CIMSH.TEST")
		kt, err := k.ServiceKeytab()
		if err != nil {
			t.Fatal(err)
		}
		ccache := k.Kinit(t)
		krb := Config{Keytab: kt, SPN: k.SPN, AllowUnencrypted: true}
		wsman := &cannedWSMan{}
		h, ts := startServer(t, krb, wsman, nil)
		endpoint := strings.Replace(ts.URL, "127.0.0.1", "localhost", 1) + "/wsman"
		check(t, runPywinrm(t, endpoint, "kerberos", k.UserPrincipal(), "", "never",
			"KRB5_CONFIG="+k.Krb5Conf, "KRB5CCNAME=FILE:"+ccache))
		if len(wsman.seen) != 3 || wsman.seen[0] != "Identify kerberos alice sealed=no" {
			t.Fatalf("server saw %q", wsman.seen)
		}
		if h.Handshakes.Load() < 1 {
			t.Fatalf("handshakes %d", h.Handshakes.Load())
		}
	})

	t.Run("basic refused over http", func(t *testing.T) {
		_, ts := startServer(t, cfg, &cannedWSMan{}, nil)
		replies := runPywinrm(t, ts.URL+"/wsman", "basic", "basicuser", "basic-Pass1", "never")
		if len(replies) != 1 || replies[0] != "EXCEPTION InvalidCredentialsError" {
			t.Fatalf("replies %q", replies)
		}
	})
}
