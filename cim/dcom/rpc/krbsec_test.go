package rpc

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/cimsh/cimsh/cim/internal/krb5gss"
)

func krbPair(t *testing.T, etype int32) (cli, srv *KerberosSecurity) {
	t.Helper()
	cli, srv, _ = krbPairKey(t, etype)
	return cli, srv
}

// krbPairKey is krbPair that also returns the subkey.
func krbPairKey(t *testing.T, etype int32) (cli, srv *KerberosSecurity, sub types.EncryptionKey) {
	t.Helper()
	session := types.EncryptionKey{KeyType: etype, KeyValue: bytes.Repeat([]byte{5}, map[int32]int{17: 16, 18: 32}[etype])}
	sub, err := krb5gss.NewSubkey(session)
	if err != nil {
		t.Fatal(err)
	}
	if cli, err = NewKerberosSecurity(sub, false, 1000, 77); err != nil {
		t.Fatal(err)
	}
	if srv, err = NewKerberosSecurity(sub, true, 77, 1000); err != nil {
		t.Fatal(err)
	}
	return cli, srv, sub
}

// krbPDU builds a request fragment around stub with room for a token of
// authLen bytes.
func krbPDU(stub []byte, level uint8, authLen int) ([]byte, int, int) {
	body := append(make([]byte, 8), stub...)
	pdu := Build(PTypeRequest, 3, 1, body, &SecTrailer{AuthType: AuthKerberos, AuthLevel: level}, make([]byte, authLen))
	return pdu, 24, 16 + len(body)
}

// TestKerberosSecurity: wrap tokens (the stub sealed in place, any EC a
// sender chooses, Windows' 16 included) and MIC tokens verify in both
// directions over several messages; a flipped bit, a replayed token and
// a token in the wrong direction are refused.
func TestKerberosSecurity(t *testing.T) {
	for _, et := range []int32{17, 18} {
		for _, level := range []uint8{LevelIntegrity, LevelPrivacy} {
			cli, srv := krbPair(t, et)
			for i, ec := range []int{krbEC, 0, 7, krbEC} {
				stub := bytes.Repeat([]byte{byte('a' + i)}, 32+16*i)
				authLen := cli.AuthLen(level)
				if level == LevelPrivacy {
					authLen += ec - krbEC
				}
				pdu, start, end := krbPDU(stub, level, authLen)
				if err := cli.protect(pdu, level, start, end, ec); err != nil {
					t.Fatal(err)
				}
				if level == LevelPrivacy && bytes.Contains(pdu, stub) {
					t.Fatal("stub not sealed")
				}
				replay := append([]byte(nil), pdu...)
				if err := srv.Verify(pdu, level, start, end); err != nil {
					t.Fatalf("etype %d level %d EC %d: %v", et, level, ec, err)
				}
				if !bytes.Equal(pdu[start:end], stub) {
					t.Fatalf("etype %d level %d: stub %q", et, level, pdu[start:end])
				}
				if err := srv.Verify(replay, level, start, end); !errors.Is(err, ErrSignature) {
					t.Fatalf("replayed token: %v", err)
				}
				// The answer goes the other way.
				back, bs, be := krbPDU(stub, level, srv.AuthLen(level))
				if err := srv.Protect(back, level, bs, be); err != nil {
					t.Fatal(err)
				}
				if err := cli.Verify(back, level, bs, be); err != nil {
					t.Fatalf("reply: %v", err)
				}
			}
			pdu, start, end := krbPDU([]byte("0123456789abcdef"), level, cli.AuthLen(level))
			cli.Protect(pdu, level, start, end)
			mirror := append([]byte(nil), pdu...)
			pdu[start+3] ^= 1
			if err := srv.Verify(pdu, level, start, end); !errors.Is(err, ErrSignature) {
				t.Fatalf("tampered: %v", err)
			}
			if err := cli.Verify(mirror, level, start, end); !errors.Is(err, ErrSignature) {
				t.Fatalf("own token accepted as the peer's: %v", err)
			}
		}
	}
}

// TestKerberosMIC: SPNEGO's mechListMIC takes a sequence number, so the
// first PDU after it uses the next one on both sides.
func TestKerberosMIC(t *testing.T) {
	cli, srv, sub := krbPairKey(t, 18)
	data := MechTypesDER(nil)
	mic, _ := cli.MIC(data)
	if err := srv.CheckMIC(data, mic); err != nil {
		t.Fatal(err)
	}
	if err := srv.CheckMIC(data, mic); !errors.Is(err, ErrSignature) {
		t.Fatalf("replayed MIC: %v", err)
	}
	pdu, start, end := krbPDU(bytes.Repeat([]byte{1}, 16), LevelPrivacy, cli.AuthLen(LevelPrivacy))
	cli.Protect(pdu, LevelPrivacy, start, end)
	srv2, _ := NewKerberosSecurity(sub, true, 77, 1001)
	if err := srv2.Verify(pdu, LevelPrivacy, start, end); err != nil {
		t.Fatalf("first PDU after the MIC: %v", err)
	}
}

func FuzzKerberosVerify(f *testing.F) {
	cli, _ := NewKerberosSecurity(types.EncryptionKey{KeyType: 17, KeyValue: bytes.Repeat([]byte{4}, 16)}, false, 1, 1)
	pdu, start, end := krbPDU(bytes.Repeat([]byte{1}, 16), LevelPrivacy, cli.AuthLen(LevelPrivacy))
	cli.Protect(pdu, LevelPrivacy, start, end)
	f.Add(pdu, uint8(LevelPrivacy))
	f.Fuzz(func(t *testing.T, b []byte, level uint8) {
		srv, _ := NewKerberosSecurity(types.EncryptionKey{KeyType: 17, KeyValue: bytes.Repeat([]byte{4}, 16)}, true, 1, 1)
		p, err := ParsePDU(b)
		if err != nil || p.Trailer == nil {
			return
		}
		srv.Verify(p.Raw, level, ResponseHeaderLen, headerLen+len(p.Body))
	})
}

// TestReadAPRepRefused: an AP-REP under the wrong key, or cut short, is
// refused as ErrKerberos.
func TestReadAPRepRefused(t *testing.T) {
	session := types.EncryptionKey{KeyType: 18, KeyValue: bytes.Repeat([]byte{9}, 32)}
	rep, err := krb5gss.APRep(session, time.Now(), 1, nil, 42)
	if err != nil {
		t.Fatal(err)
	}
	wrong := types.EncryptionKey{KeyType: 18, KeyValue: bytes.Repeat([]byte{8}, 32)}
	if _, err := ReadAPRep(rep, wrong); !errors.Is(err, ErrKerberos) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := ReadAPRep(rep[:len(rep)/2], session); !errors.Is(err, ErrKerberos) {
		t.Fatalf("truncated: %v", err)
	}
}
