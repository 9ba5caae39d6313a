package wsman

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/internal/testenv"
)

// addFixtureSeeds adds every fixture file as a seed when CIMSH_FIXTURES
// is set (the fuzz targets run without it too).
func addFixtureSeeds(f *testing.F, add func([]byte)) {
	dir, err := testenv.FixturesDir()
	if err != nil {
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			add(b)
		}
	}
}

func FuzzDecodeInstance(f *testing.F) {
	f.Add([]byte(`<p:C xmlns:p="u" xmlns:xsi="` + NsXSI + `"><p:A>1</p:A><p:A xsi:nil="true"/><p:B xsi:type="p:D_Type"><p:E>x&#1;</p:E></p:B></p:C>`))
	f.Add([]byte(`<p:C xmlns:p="u"><p:R><a:Address xmlns:a="` + NsAddressing + `">x</a:Address></p:R><p:T><cim:Datetime xmlns:cim="c">2001-01-01T00:00:00Z</cim:Datetime></p:T></p:C>`))
	f.Add([]byte(`<w:XmlFragment xmlns:w="` + NsWSMan + `"><A><B><C/></B></A></w:XmlFragment>`))
	addFixtureSeeds(f, func(b []byte) { f.Add(b) })
	schema := allKindsSchemaForFuzz()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, sch := range []*model.Class{nil, schema} {
			d := NewDecoder(body)
			se, ok, err := findStart(d)
			if err != nil || !ok {
				return
			}
			inst, err := DecodeInstance(d, se, sch)
			if err != nil {
				continue
			}
			// What was decoded must encode to XML this package reads back.
			if !validName(inst.ClassName) {
				inst.ClassName = "C"
			}
			out := AppendInstance(nil, inst, "")
			d2 := NewDecoder(out)
			se2, ok, err := findStart(d2)
			if err != nil || !ok {
				t.Fatalf("re-encoding unreadable: %v\n%s", err, out)
			}
			if _, err := DecodeInstance(d2, se2, sch); err != nil {
				t.Fatalf("re-encoding does not decode: %v\n%s", err, out)
			}
		}
	})
}

func allKindsSchemaForFuzz() *model.Class {
	return &model.Class{Name: "C", Properties: []model.PropertyDecl{
		{Name: "A", Type: model.TypeUint64, Array: true},
		{Name: "B", Type: model.TypeInstance},
		{Name: "E", Type: model.TypeDatetime},
		{Name: "R", Type: model.TypeReference},
		{Name: "T", Type: model.TypeDatetime},
		{Name: "Name", Type: model.TypeString, Key: true},
	}}
}

func FuzzDecodeFault(f *testing.F) {
	f.Add(500, []byte(`<s:Envelope xmlns:s="`+NsSOAP+`"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault></s:Body></s:Envelope>`))
	f.Add(401, []byte(""))
	f.Add(500, []byte("<html>"))
	addFixtureSeeds(f, func(b []byte) { f.Add(500, b) })
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		flt := DecodeFault(status, body)
		if flt == nil || flt.Category == "" {
			t.Fatalf("DecodeFault(%d) = %+v", status, flt)
		}
		if msg := flt.Error(); msg == "" {
			t.Fatalf("empty message")
		}
	})
}

// FuzzDecodeResponse runs the client's response decoding (enumeration
// batches, EPRs, classes, identify) over arbitrary bodies.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(enumReply(false, "uuid:x", true, "a", "b"))
	f.Add([]byte(win32ServiceClassReply))
	addFixtureSeeds(f, func(b []byte) { f.Add(b) })
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = DecodeIdentify(body)
		d, se, ok, err := OpenBody(body)
		if err != nil || !ok {
			return
		}
		switch {
		case se.Name.Local == "CLASS":
			_, _ = DecodeClass(d, se)
		case strings.HasSuffix(se.Name.Local, "Response"):
			idec := &itemDecoder{namespace: "root/cimv2", fragClass: "C",
				schema: func(string) (*model.Class, error) { return allKindsSchemaForFuzz(), nil }}
			_, _ = decodeEnumResponse(d, idec)
		default:
			_, _ = DecodeEPR(d, se)
		}
	})
}
