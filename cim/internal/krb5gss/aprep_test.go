package krb5gss

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/types"
)

// TestAPRepRoundTrip: the AP-REPs both sides build read back, raw and
// framed; a wrong key, a garbled token or an AP-REP for another AP-REQ
// is refused without a panic.
func TestAPRepRoundTrip(t *testing.T) {
	session := types.EncryptionKey{KeyType: 18, KeyValue: bytes.Repeat([]byte{9}, 32)}
	sub, err := NewSubkey(session)
	if err != nil || sub.KeyType != 18 || len(sub.KeyValue) != 32 || bytes.Equal(sub.KeyValue, session.KeyValue) {
		t.Fatalf("subkey %+v %v", sub, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	rep, err := APRep(session, now, 123456, &sub, 42)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range [][]byte{rep, Frame(TokAPRep, rep)} {
		part, err := ReadAPRep(tok, session)
		if err != nil || !part.CTime.Equal(now) || part.Cusec != 123456 || part.SequenceNumber != 42 || !bytes.Equal(part.Subkey.KeyValue, sub.KeyValue) || !HasSubkey(part) {
			t.Fatalf("%+v %v", part, err)
		}
	}
	req := &APReq{Key: session, CTime: now, Cusec: 123456}
	if _, err := req.ReadAPRep(Frame(TokAPRep, rep)); err != nil {
		t.Fatal(err)
	}
	other := &APReq{Key: session, CTime: now, Cusec: 123457}
	if _, err := other.ReadAPRep(rep); !errors.Is(err, ErrNotAnswered) {
		t.Fatalf("AP-REP for another AP-REQ: %v", err)
	}
	wrong := types.EncryptionKey{KeyType: 18, KeyValue: bytes.Repeat([]byte{8}, 32)}
	if _, err := ReadAPRep(rep, wrong); err == nil {
		t.Fatal("wrong key accepted")
	}
	if _, err := ReadAPRep(rep[:len(rep)/2], session); err == nil {
		t.Fatal("truncated AP-REP accepted")
	}
	if _, err := ReadAPRep(Frame(TokAPReq, rep), session); err == nil {
		t.Fatal("an AP-REP framed as an AP-REQ accepted")
	}
	if got := UnframeAPReq(Frame(TokAPReq, []byte("req"))); string(got) != "req" {
		t.Fatalf("unframed %q", got)
	}
	if seq, err := NewSequenceNumber(); err != nil || seq < 1 || seq > 1<<30 {
		t.Fatalf("sequence number %d %v", seq, err)
	}
}

func FuzzReadAPRep(f *testing.F) {
	session := types.EncryptionKey{KeyType: 17, KeyValue: bytes.Repeat([]byte{9}, 16)}
	rep, _ := APRep(session, time.Unix(1e9, 0), 1, nil, 2)
	f.Add(rep)
	f.Add(Frame(TokAPRep, rep))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ReadAPRep(b, session)
		UnframeAPReq(b)
	})
}
