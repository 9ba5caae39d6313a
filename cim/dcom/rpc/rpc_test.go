package rpc

import (
	"bytes"
	"testing"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

func TestBindRoundTrip(t *testing.T) {
	b := &Bind{MaxXmit: 4280, MaxRecv: 4280, Contexts: []ContextElem{{ID: 1, Abstract: NDR20, Transfer: []SyntaxID{NDR20}}}}
	got, err := ParseBind(b.Marshal())
	if err != nil || len(got.Contexts) != 1 || got.Contexts[0].Abstract != NDR20 || got.MaxRecv != 4280 {
		t.Fatalf("%+v %v", got, err)
	}
	a := &BindAck{MaxXmit: 5840, MaxRecv: 5840, SecondaryAddr: "135", Results: []ContextResult{{Transfer: NDR20}}}
	ga, err := ParseBindAck(a.Marshal())
	if err != nil || ga.SecondaryAddr != "135" || len(ga.Results) != 1 || ga.Results[0].Transfer != NDR20 {
		t.Fatalf("%+v %v", ga, err)
	}
}

// TestSecurity: a sealed PDU unseals and verifies on the other side;
// a flipped bit or a replay fails.
func TestSecurity(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 16)
	flags := uint32(ntlmsec.FlagExtendedSessionSecurity | ntlmsec.FlagKeyExch | ntlmsec.Flag128 | ntlmsec.FlagSeal | ntlmsec.FlagSign)
	for _, level := range []uint8{LevelIntegrity, LevelPrivacy} {
		cli, _ := NewNTLMSecurity(flags, key, false)
		srv, _ := NewNTLMSecurity(flags, key, true)
		stub := []byte("0123456789abcdef")
		body := append(make([]byte, 8), stub...)
		pdu := Build(PTypeRequest, 3, 1, body, &SecTrailer{AuthType: AuthWinNT, AuthLevel: level}, make([]byte, 16))
		cli.Protect(pdu, level, 24, 40)
		if level == LevelPrivacy && bytes.Contains(pdu, stub) {
			t.Fatal("stub not sealed")
		}
		tampered := append([]byte(nil), pdu...)
		if err := srv.Verify(pdu, level, 24, 40); err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		if !bytes.Equal(pdu[24:40], stub) {
			t.Fatalf("unsealed %q", pdu[24:40])
		}
		srv2, _ := NewNTLMSecurity(flags, key, true)
		tampered[30] ^= 1
		if err := srv2.Verify(tampered, level, 24, 40); err == nil {
			t.Fatal("tampered PDU verified")
		}
	}
}

func FuzzParsePDU(f *testing.F) {
	f.Add(Build(PTypeBind, 3, 1, (&Bind{Contexts: []ContextElem{{Abstract: NDR20, Transfer: []SyntaxID{NDR20}}}}).Marshal(), &SecTrailer{AuthType: 10, AuthLevel: 6}, []byte("NTLMSSP\x00")))
	f.Add(Build(PTypeRequest, 0x83, 2, make([]byte, 40), nil, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePDU(b)
		if err != nil {
			return
		}
		ParseBind(p.Body)
		ParseBindAck(p.Body)
		ParseRequest(p.Flags, p.Body)
		if len(p.Body)+len(p.Auth) > len(b) {
			t.Fatal("parts longer than the PDU")
		}
	})
}
