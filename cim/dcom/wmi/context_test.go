package wmi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"github.com/cimsh/cimsh/cim/dcom/orpc"
)

// TestContextLayout checks an encoded context byte by byte against
// MS-WMI 2.2.13.1-4: one GUID, the property count, then each property's
// name (UTF-16 with a character count), flags 0, VARIANT type and value
// (8 bytes for scalars; count, element size and strings for arrays).
func TestContextLayout(t *testing.T) {
	ref, err := MarshalContext([]ContextProp{{"B", true}, {"N", int32(-2)}, {"S", "é"}, {"A", []string{"x", ""}}})
	if err != nil {
		t.Fatal(err)
	}
	o, err := orpc.ParseObjref(ref)
	if err != nil || o.IID != orpc.IIDWbemContext || o.CLSID != orpc.CLSIDWbemContext {
		t.Fatalf("objref %+v %v", o, err)
	}
	var want []byte
	u32 := func(v uint32) { want = binary.LittleEndian.AppendUint32(want, v) }
	u16 := func(v uint16) { want = binary.LittleEndian.AppendUint16(want, v) }
	u32(1)
	want = append(want, o.Data[4:20]...) // the context's GUID
	u32(4)
	u32(1)
	u16('B')
	u32(0)
	u16(11)
	want = append(want, 0xff, 0xff, 0, 0, 0, 0, 0, 0)
	u32(1)
	u16('N')
	u32(0)
	u16(3)
	want = append(want, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0)
	u32(1)
	u16('S')
	u32(0)
	u16(8)
	u32(1)
	u16(0xe9)
	u32(1)
	u16('A')
	u32(0)
	u16(0x2008)
	u32(2)
	u32(8)
	u32(1)
	u16('x')
	u32(0)
	if !bytes.Equal(o.Data, want) {
		t.Fatalf("context\n got %x\nwant %x", o.Data, want)
	}
	got, err := ParseContext(ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := []ContextProp{{"B", true}, {"N", int32(-2)}, {"S", "é"}, {"A", []string{"x", ""}}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("parsed %+v", got)
	}
	if v, _ := ContextValue(got, "b").(bool); !v {
		t.Fatal("ContextValue is case-sensitive")
	}
	for _, cut := range []int{0, 3, 20, 30, len(o.Data) - 1} {
		bad := orpc.MarshalCustom(orpc.IIDWbemContext, orpc.CLSIDWbemContext, o.Data[:cut])
		if _, err := ParseContext(bad); !errors.Is(err, ErrContext) {
			t.Errorf("truncated at %d: %v", cut, err)
		}
	}
}

func FuzzParseContext(f *testing.F) {
	ref, _ := MarshalContext([]ContextProp{{"__PUT_EXTENSIONS", true}, {"__PUT_EXT_PROPERTIES", []string{"Name"}}})
	f.Add(ref)
	f.Fuzz(func(t *testing.T, b []byte) {
		props, err := ParseContext(b)
		if err != nil {
			return
		}
		again, err := MarshalContext(props)
		if err != nil {
			t.Fatal(err)
		}
		if p2, err := ParseContext(again); err != nil || len(p2) != len(props) {
			t.Fatalf("re-encoded context: %v", err)
		}
	})
}
