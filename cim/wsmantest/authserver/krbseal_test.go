package authserver

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/wsmantest/kdc"
	"github.com/cimsh/cimsh/internal/testenv"
)

// mitSealScript is an independent Kerberos initiator: MIT GSSAPI through
// python3-gssapi. It authenticates with the Kerberos scheme (requiring
// mutual authentication, so the AP-REP and its subkey are checked), then
// sends WinRM-framed messages sealed with gss_wrap_iov the way WinRM
// clients do, and unwraps the server's sealed replies.
const mitSealScript = `
import base64, json, struct, sys
import http.client
import gssapi, gssapi.raw as gr
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
proto = 'application/HTTP-Kerberos-session-encrypted'
B = b'--Encrypted Boundary'
flags = (gssapi.RequirementFlag.mutual_authentication | gssapi.RequirementFlag.integrity |
         gssapi.RequirementFlag.confidentiality | gssapi.RequirementFlag.out_of_sequence_detection)
ctx = gssapi.SecurityContext(name=gssapi.Name('HTTP@localhost', gssapi.NameType.hostbased_service),
                             usage='initiate', mech=gssapi.MechType.kerberos, flags=flags)
conn = http.client.HTTPConnection(host, port, timeout=30)
conn.request('POST', '/wsman', body=b'', headers={'Authorization': 'Kerberos ' + base64.b64encode(ctx.step()).decode()})
r = conn.getresponse(); r.read()
if r.status != 200:
    print(json.dumps(['HTTP %d on authentication' % r.status])); sys.exit(0)
scheme, tok = r.getheader('WWW-Authenticate').split(' ', 1)
ctx.step(base64.b64decode(tok))
out = []
for i in range(n):
    msg = ('<s:Envelope><s:Body><wsmid:Identify n="%d"/>%s</s:Body></s:Envelope>' % (i, 'x' * (i * 53))).encode()
    iov = gr.IOV(gr.IOVBufferType.header, msg, gr.IOVBufferType.padding, std_layout=False)
    gr.wrap_iov(ctx, iov, confidential=True)
    header, data, padding = iov[0].value, iov[1].value, iov[2].value or b''
    body = (B + b'\r\n\tContent-Type: ' + proto.encode() + b'\r\n\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=' +
            str(len(msg)).encode() + b'\r\n' + B + b'\r\n\tContent-Type: application/octet-stream\r\n' +
            struct.pack('<I', len(header)) + header + data + padding + B + b'--\r\n')
    conn.request('POST', '/wsman', body=body, headers={
        'Content-Type': 'multipart/encrypted;protocol="%s";boundary="Encrypted Boundary"' % proto})
    r = conn.getresponse(); reply = r.read()
    if r.status != 200:
        out.append('HTTP %d' % r.status); break
    payload = reply.split(b'application/octet-stream\r\n', 1)[1].rsplit(B + b'--', 1)[0]
    siglen = struct.unpack('<I', payload[:4])[0]
    out.append(ctx.unwrap(payload[4:]).message.decode())
print(json.dumps(out))
`

// TestKerberosSealedMIT: Kerberos message sealing (RFC 4121 wrap tokens
// under the acceptor subkey) interoperates with MIT GSSAPI, over plain
// HTTP without AllowUnencrypted.
func TestKerberosSealedMIT(t *testing.T) {
	if out, err := exec.Command(debianPython, "-c", "import gssapi, gssapi.raw; gssapi.raw.wrap_iov").CombinedOutput(); err != nil {
		testenv.Missing(t, testenv.NoGSSAPI, debianPython+": "+strings.TrimSpace(string(out)))
	}
	k := kdc.Start(t, "CIMSH.TEST")
	kt, err := k.ServiceKeytab()
	if err != nil {
		t.Fatal(err)
	}
	ccache := k.Kinit(t)
	echo := &echoHandler{}
	h, ts := startServer(t, Config{Keytab: kt, SPN: k.SPN}, echo, nil)
	host, port, _ := net.SplitHostPort(ts.Listener.Addr().String())

	script := filepath.Join(t.TempDir(), "seal.py")
	if err := os.WriteFile(script, []byte(mitSealScript), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const n = 5
	cmd := exec.CommandContext(ctx, debianPython, script, host, port, "5")
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+k.Krb5Conf, "KRB5CCNAME=FILE:"+ccache)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("MIT client: %v\n%s", err, stderr.String())
	}
	var replies []string
	if err := json.Unmarshal(out, &replies); err != nil {
		t.Fatalf("output %q: %v\n%s", out, err, stderr.String())
	}
	if len(replies) != n {
		t.Fatalf("replies %q\n%s", replies, stderr.String())
	}
	for i, r := range replies {
		if !strings.HasPrefix(r, `<echo user="alice" scheme="kerberos" sealed=true type="application/soap+xml;charset=UTF-8"><s:Envelope><s:Body><wsmid:Identify n="`) {
			t.Fatalf("reply %d: %.200q", i, r)
		}
	}
	if h.Handshakes.Load() != 1 || h.Connections.Load() != 1 || len(echo.seen) != n {
		t.Fatalf("handshakes %d connections %d served %d", h.Handshakes.Load(), h.Connections.Load(), len(echo.seen))
	}
}
