package sealed

import (
	"bytes"
	"encoding/hex"
	"os/exec"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// pywinrmScript drives pywinrm's own framing code (winrm/encryption.py)
// with an NTLM "session" whose wrap and unwrap only record: "encode"
// prints the body pywinrm sends for a message, "decode" prints the
// signature and message pywinrm extracts from a body.
const pywinrmScript = `
import struct, sys, binascii
from winrm.encryption import Encryption

class Sec:
    def wrap(self, msg):
        return msg, b"S" * 16
    def unwrap(self, msg, sig):
        sys.stdout.write(binascii.hexlify(sig).decode() + "\n")
        return msg

class Auth:
    session_security = Sec()

class Session:
    auth = Auth()

class Resp:
    pass

enc = Encryption(Session(), "ntlm")
mode, data = sys.argv[1], binascii.unhexlify(sys.argv[2])
if mode == "encode":
    body = enc._encrypt_message(data, "host") + Encryption.MIME_BOUNDARY + b"--\r\n"
    sys.stdout.write(binascii.hexlify(body).decode() + "\n")
else:
    r = Resp()
    r.content = data
    msg = enc._decrypt_response(r, "host")
    sys.stdout.write(binascii.hexlify(msg).decode() + "\n")
`

// pywinrm runs the script with Debian's python3 (where python3-winrm is
// installed); it skips without it, or fails under CIMSH_STRICT=1.
func pywinrm(t *testing.T, mode string, data []byte) []string {
	t.Helper()
	const py = "/usr/bin/python3"
	check := exec.Command(py, "-c", "import winrm.encryption")
	if err := check.Run(); err != nil {
		testenv.Missing(t, testenv.NoPywinrm, py+": ", err)
	}
	out, err := exec.Command(py, "-c", pywinrmScript, mode, hex.EncodeToString(data)).Output()
	if err != nil {
		t.Fatalf("pywinrm %s: %v", mode, err)
	}
	return strings.Fields(string(out))
}

// pywinrm, an independent implementation, reads what Encode writes and
// writes what Decode reads.
func TestPywinrmInterop(t *testing.T) {
	msg := []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>` + strings.Repeat("données ", 100) + `</s:Body></s:Envelope>`)

	// pywinrm encodes ("sealing" is the identity here), we decode.
	lines := pywinrm(t, "encode", msg)
	if len(lines) != 1 {
		t.Fatalf("pywinrm output %q", lines)
	}
	body, err := hex.DecodeString(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	sig, sealed, n, typ, err := Decode(ContentType(ProtocolSPNEGO), body)
	if err != nil {
		t.Fatalf("Decode of pywinrm's body: %v", err)
	}
	if !bytes.Equal(sealed, msg) || n != len(msg) || string(sig) != strings.Repeat("S", 16) || typ != OriginalType {
		t.Fatalf("decoded sig %q n %d type %q", sig, n, typ)
	}
	// Byte for byte the same framing as Encode.
	if ours, _ := Encode(ProtocolSPNEGO, sig, sealed, n); !bytes.Equal(ours, body) {
		t.Fatalf("Encode differs from pywinrm:\n ours %q\n pywinrm %q", ours[:120], body[:120])
	}

	// We encode, pywinrm decodes.
	ourSig := bytes.Repeat([]byte{0xA5}, 16)
	ours, _ := Encode(ProtocolSPNEGO, ourSig, msg, len(msg))
	lines = pywinrm(t, "decode", ours)
	if len(lines) != 2 {
		t.Fatalf("pywinrm output %q", lines)
	}
	if lines[0] != hex.EncodeToString(ourSig) || lines[1] != hex.EncodeToString(msg) {
		t.Fatalf("pywinrm decoded sig %s msg %.40s...", lines[0], lines[1])
	}
}
