package winrs

import (
	"bytes"
	"testing"

	"github.com/masterzen/winrm"
)

const receiveHead = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body><rsp:ReceiveResponse>`

// What checkReceive accepts, masterzen/winrm's parser reads the same
// way: the byte counts it reports are exactly what the library writes
// to its pipes, so the receipts line up with the pipes. (The exit code is
// read here: the library's Atoi makes " 3" or a number past int32 on a
// 32-bit build 0.)
func FuzzCheckReceive(f *testing.F) {
	f.Add(receiveHead + `<rsp:Stream Name="stdout" CommandId="C">aGVsbG8=</rsp:Stream><rsp:Stream Name="stderr" CommandId="C">b29wcw==</rsp:Stream><rsp:CommandState CommandId="C" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>3</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`)
	f.Add(receiveHead + `<rsp:Stream Name="stdout">aGk=
</rsp:Stream><rsp:Stream Name="stdout" End="true"/></rsp:ReceiveResponse></s:Body></s:Envelope>`)
	f.Add("")
	f.Add("<s:Envelope")
	f.Fuzz(func(t *testing.T, body string) {
		rc, err := checkReceive(body)
		if err != nil {
			return
		}
		var out, errb bytes.Buffer
		done, _, perr := winrm.ParseSlurpOutputErrResponse(body, &out, &errb)
		if perr != nil || out.Len() != rc.stdout || errb.Len() != rc.stderr || done != rc.done {
			t.Fatalf("checkReceive %+v, library done=%v out=%d err=%d %v", rc, done, out.Len(), errb.Len(), perr)
		}
	})
}
