package rpc

import (
	"bytes"
	"crypto/rc4"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// TestNegTokenBytes checks encodings against the bytes every SPNEGO
// capture shows: the bare accept-completed reply, the NTLM mechanism
// list the mechListMIC covers, and an initial token's framing.
func TestNegTokenBytes(t *testing.T) {
	if got := hex.EncodeToString((&NegTokenResp{State: NegAcceptCompleted}).Marshal()); got != "a1073005a0030a0100" {
		t.Errorf("accept-completed: %s", got)
	}
	if got := hex.EncodeToString(MechTypesDER([]asn1.ObjectIdentifier{OIDNTLM})); got != "300c060a2b06010401823702020a" {
		t.Errorf("NTLM mechTypes: %s", got)
	}
	init := (&NegTokenInit{MechTypes: []asn1.ObjectIdentifier{OIDNTLM}, MechToken: []byte("NTLMSSP\x00")}).Marshal()
	// 60 len 06 06 2b0601050502 (SPNEGO) a0 len 30 len a0 0e 300c...(mechTypes) a2 0a 04 08 token
	want := "602806062b0601050502a01e301ca00e300c060a2b06010401823702020aa20a0408" + hex.EncodeToString([]byte("NTLMSSP\x00"))
	if got := hex.EncodeToString(init); got != want {
		t.Errorf("NegTokenInit\n got %s\nwant %s", got, want)
	}
}

func TestNegTokenRoundTrip(t *testing.T) {
	long := bytes.Repeat([]byte{7}, 300) // two-byte lengths
	in := &NegTokenInit{MechTypes: []asn1.ObjectIdentifier{OIDKerberos, OIDNTLM}, MechToken: long, MechListMIC: []byte{1, 2}}
	gi, gr, err := ParseNegToken(in.Marshal())
	if err != nil || gr != nil || !bytes.Equal(gi.MechToken, long) || len(gi.MechTypes) != 2 || !gi.MechTypes[1].Equal(OIDNTLM) ||
		!bytes.Equal(gi.MechTypesDER, MechTypesDER(in.MechTypes)) || !bytes.Equal(gi.MechListMIC, []byte{1, 2}) {
		t.Fatalf("init: %+v %v", gi, err)
	}
	for _, r := range []*NegTokenResp{
		{State: NegAcceptIncomplete, SupportedMech: OIDNTLM, ResponseToken: long},
		{State: NegStateAbsent, ResponseToken: []byte("x"), MechListMIC: []byte("mic")},
		{State: NegReject},
		{State: NegRequestMIC, SupportedMech: OIDMSKerberos},
	} {
		gi, gr, err := ParseNegToken(r.Marshal())
		if err != nil || gi != nil || gr.State != r.State || !bytes.Equal(gr.ResponseToken, r.ResponseToken) ||
			!bytes.Equal(gr.MechListMIC, r.MechListMIC) || (r.SupportedMech != nil && !gr.SupportedMech.Equal(r.SupportedMech)) {
			t.Fatalf("resp %+v: %+v %v", r, gr, err)
		}
	}
	for _, bad := range []string{"", "a1", "a10330010a", "600a06082a864886f71201020201", "a1073005a0030a0105", "a1073005a0030a010000"} {
		b, _ := hex.DecodeString(bad)
		if _, _, err := ParseNegToken(b); !errors.Is(err, ErrSPNEGO) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func FuzzParseNegToken(f *testing.F) {
	f.Add((&NegTokenInit{MechTypes: []asn1.ObjectIdentifier{OIDNTLM}, MechToken: []byte("NTLMSSP\x00\x01")}).Marshal())
	f.Add((&NegTokenResp{State: NegAcceptIncomplete, SupportedMech: OIDNTLM, ResponseToken: []byte("t"), MechListMIC: []byte("m")}).Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		init, resp, err := ParseNegToken(b)
		if err != nil {
			return
		}
		if (init == nil) == (resp == nil) {
			t.Fatal("want exactly one token")
		}
		if init != nil {
			if _, _, err := ParseNegToken(init.Marshal()); err != nil {
				t.Fatalf("re-encoded NegTokenInit: %v", err)
			}
		} else if _, _, err := ParseNegToken(resp.Marshal()); err != nil {
			t.Fatalf("re-encoded NegTokenResp: %v", err)
		}
	})
}

// TestNTLMMICKeyState: a mechListMIC advances the sequence number but
// leaves the sealing handle where it was (MS-SPNG 3.3.5.1), on both
// sides, so that the first PDU after it verifies with sequence 1.
func TestNTLMMICKeyState(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 16)
	flags := uint32(ntlmsec.FlagExtendedSessionSecurity | ntlmsec.FlagKeyExch | ntlmsec.Flag128 | ntlmsec.FlagSeal | ntlmsec.FlagSign)
	cli, _ := NewNTLMSecurity(flags, key, false)
	srv, _ := NewNTLMSecurity(flags, key, true)
	fresh, _ := NewNTLMSecurity(flags, key, false)
	types := MechTypesDER([]asn1.ObjectIdentifier{OIDNTLM})
	mic, err := cli.MIC(types)
	if err != nil {
		t.Fatal(err)
	}
	if *cli.sendRC4 != *fresh.sendRC4 || cli.sendSeq != 1 {
		t.Fatalf("after MIC: RC4 moved or sequence %d", cli.sendSeq)
	}
	if err := srv.CheckMIC(types, mic); err != nil {
		t.Fatal(err)
	}
	smic, _ := srv.MIC(types)
	if err := cli.CheckMIC(types, smic); err != nil {
		t.Fatal(err)
	}
	stub := []byte("0123456789abcdef")
	pdu := Build(PTypeRequest, 3, 1, append(make([]byte, 8), stub...), &SecTrailer{AuthType: AuthNegotiate, AuthLevel: LevelPrivacy}, make([]byte, 16))
	if err := cli.Protect(pdu, LevelPrivacy, 24, 40); err != nil {
		t.Fatal(err)
	}
	if got := pdu[len(pdu)-4:]; !bytes.Equal(got, []byte{1, 0, 0, 0}) {
		t.Fatalf("first PDU's sequence number %x, want 1", got)
	}
	if err := srv.Verify(pdu, LevelPrivacy, 24, 40); err != nil || !bytes.Equal(pdu[24:40], stub) {
		t.Fatalf("first PDU after the MIC: %v", err)
	}
	// A tampered MIC, or one over other mechanism types, is refused.
	if err := srv.CheckMIC(types, append([]byte{1, 0, 0, 0}, bytes.Repeat([]byte{0}, 12)...)); !errors.Is(err, ErrSignature) {
		t.Fatalf("tampered MIC: %v", err)
	}
	var zero rc4.Cipher
	if *srv.recvRC4 == zero {
		t.Fatal("receiving handle lost")
	}
}
