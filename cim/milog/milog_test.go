package milog

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Every value kind comes back with its CIM type: uint64 max, sint64 min,
// reals, char16, datetimes and intervals, octets, embedded instances,
// references, NULLs and one-element arrays.
func TestRoundTripEveryKind(t *testing.T) {
	kinds := wsmantest.KindsValues()
	kinds.ComputerName = `SRV01 "lab" & <test>`
	svc := model.NewInstance("Win32_Service", "root/cimv2")
	svc.SetKey("Name", model.String("WinRM"))
	svc.Set("State", model.String("Running"))
	svc.Set("ProcessId", model.Uint(model.TypeUint32, 1204))
	var buf bytes.Buffer
	if err := Write(&buf, []*model.Instance{kinds, svc}); err != nil {
		t.Fatal(err)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d instances back", len(got))
	}
	for i, want := range []*model.Instance{kinds, svc} {
		g := got[i]
		if g.ClassName != want.ClassName || g.Namespace != want.Namespace || g.ComputerName != want.ComputerName {
			t.Errorf("instance %d: %s %s %q", i, g.ClassName, g.Namespace, g.ComputerName)
		}
		for _, p := range want.All() {
			v, ok := g.Get(p.Name)
			if p.Value.IsNull() && p.Value.IsArray() {
				continue // WinRM's form leaves empty and NULL arrays alike
			}
			if !ok || v.Type() != p.Value.Type() || v.IsArray() != p.Value.IsArray() || v.Text() != p.Value.Text() {
				t.Errorf("%s.%s: got %s %v %q, want %s %v %q", want.ClassName, p.Name, v.Type(), v.IsArray(), v.Text(), p.Value.Type(), p.Value.IsArray(), p.Value.Text())
			}
			if q, ok := g.Lookup(p.Name); !ok || q.Key != p.Key {
				t.Errorf("%s.%s: key flag lost", want.ClassName, p.Name)
			}
		}
	}
}

func TestReadRefusesOtherFiles(t *testing.T) {
	for _, in := range []string{"", "not xml", `<a/>`, `<l:MiLog xmlns:l="urn:cimsh:milog:1"><x/></l:MiLog>`,
		`<l:MiLog xmlns:l="urn:cimsh:milog:1"><l:Instance><p:C xmlns:p="u"><p:X>1</p:Y></p:C></l:Instance></l:MiLog>`} {
		if _, err := Read(strings.NewReader(in)); err == nil || !strings.HasPrefix(err.Error(), "milog: ") {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, []*model.Instance{wsmantest.KindsValues()})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		insts, err := Read(bytes.NewReader(b))
		if err != nil {
			if !printableASCII(err.Error()) {
				t.Fatalf("the error quotes raw bytes: %q", err)
			}
			return
		}
		var out bytes.Buffer
		if err := Write(&out, insts); err != nil {
			t.Fatal(err)
		}
	})
}

// TestReadLimits checks the caps on a log and on one instance, and that
// a log just under them reads.
func TestReadLimits(t *testing.T) {
	svc := model.NewInstance("Win32_Service", "root/cimv2")
	svc.SetKey("Name", model.String(strings.Repeat("x", 2000)))
	var buf bytes.Buffer
	if err := Write(&buf, []*model.Instance{svc, svc, svc}); err != nil {
		t.Fatal(err)
	}
	log := buf.Bytes()
	if got, err := readLimited(bytes.NewReader(log), int64(len(log)), 4096); err != nil || len(got) != 3 {
		t.Fatalf("at the limits: %d instances, %v", len(got), err)
	}
	for _, c := range []struct {
		maxFile, maxRecord int64
		want               string
	}{
		{int64(len(log)) - 100, 4096, "the file is larger than"},
		{1 << 20, 1000, "instance 1 is larger than"},
	} {
		_, err := readLimited(bytes.NewReader(log), c.maxFile, c.maxRecord)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("limits %d/%d: %v, want ErrTooLarge saying %q", c.maxFile, c.maxRecord, err, c.want)
		}
	}
	// A log cut short, and one with garbage for an instance.
	for _, in := range [][]byte{log[:len(log)/2], bytes.Replace(log, []byte(`"cim:cimString">`), []byte(`"cim:cimString">`+"\x00\xff<"), 1)} {
		if _, err := Read(bytes.NewReader(in)); err == nil {
			t.Errorf("no error for %.80q", in)
		}
	}
}

// TestReadErrorsQuoteNoRawBytes reads binary files: the error says the
// file is not a log and carries none of its bytes.
func TestReadErrorsQuoteNoRawBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		b := make([]byte, 1+rng.IntN(4096))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		if i%2 == 1 {
			// Past the header, into an instance.
			b = append([]byte(`<l:MiLog xmlns:l="urn:cimsh:milog:1"><l:Instance><l:Schema></l:Schema><p:C xmlns:p="u">`), b...)
			b = append(b, "</l:Instance></l:MiLog>"...)
		}
		_, err := Read(bytes.NewReader(b))
		if err == nil {
			continue
		}
		if msg := err.Error(); !printableASCII(msg) || len(msg) > 300 {
			t.Fatalf("error for random bytes: %q", msg)
		}
	}
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}
