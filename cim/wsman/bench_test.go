package wsman

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// win32ProcessProps is the property list of Win32_Process with its
// types, in the order Windows sends them.
var win32ProcessProps = []struct {
	name string
	typ  model.Type
}{
	{"Caption", model.TypeString}, {"CommandLine", model.TypeString}, {"CreationClassName", model.TypeString},
	{"CreationDate", model.TypeDatetime}, {"CSCreationClassName", model.TypeString}, {"CSName", model.TypeString},
	{"Description", model.TypeString}, {"ExecutablePath", model.TypeString}, {"ExecutionState", model.TypeUint16},
	{"Handle", model.TypeString}, {"HandleCount", model.TypeUint32}, {"InstallDate", model.TypeDatetime},
	{"KernelModeTime", model.TypeUint64}, {"MaximumWorkingSetSize", model.TypeUint32}, {"MinimumWorkingSetSize", model.TypeUint32},
	{"Name", model.TypeString}, {"OSCreationClassName", model.TypeString}, {"OSName", model.TypeString},
	{"OtherOperationCount", model.TypeUint64}, {"OtherTransferCount", model.TypeUint64}, {"PageFaults", model.TypeUint32},
	{"PageFileUsage", model.TypeUint32}, {"ParentProcessId", model.TypeUint32}, {"PeakPageFileUsage", model.TypeUint32},
	{"PeakVirtualSize", model.TypeUint64}, {"PeakWorkingSetSize", model.TypeUint32}, {"Priority", model.TypeUint32},
	{"PrivatePageCount", model.TypeUint64}, {"ProcessId", model.TypeUint32}, {"QuotaNonPagedPoolUsage", model.TypeUint32},
	{"QuotaPagedPoolUsage", model.TypeUint32}, {"QuotaPeakNonPagedPoolUsage", model.TypeUint32}, {"QuotaPeakPagedPoolUsage", model.TypeUint32},
	{"ReadOperationCount", model.TypeUint64}, {"ReadTransferCount", model.TypeUint64}, {"SessionId", model.TypeUint32},
	{"Status", model.TypeString}, {"TerminationDate", model.TypeDatetime}, {"ThreadCount", model.TypeUint32},
	{"UserModeTime", model.TypeUint64}, {"VirtualSize", model.TypeUint64}, {"WindowsVersion", model.TypeString},
	{"WorkingSetSize", model.TypeUint64}, {"WriteOperationCount", model.TypeUint64}, {"WriteTransferCount", model.TypeUint64},
}

func win32ProcessSchema() *model.Class {
	cl := &model.Class{Name: "Win32_Process", Namespace: "root/cimv2"}
	for _, p := range win32ProcessProps {
		cl.Properties = append(cl.Properties, model.PropertyDecl{Name: p.name, Type: p.typ, Key: p.name == "Handle"})
	}
	return cl
}

// pullResponse builds a Windows-shaped PullResponse with n
// Win32_Process instances (EnumerateObjectAndEPR items).
func pullResponse(n int) []byte {
	var b strings.Builder
	b.WriteString(`<s:Envelope xml:lang="en-US" xmlns:s="` + NsSOAP + `" xmlns:a="` + NsAddressing + `" xmlns:n="` + NsEnumeration + `" xmlns:w="` + NsWSMan + `"><s:Header><a:Action>` + NsEnumeration + `/PullResponse</a:Action><a:MessageID>uuid:F257A833-F80A-43BE-BAA2-F9C35C7CE271</a:MessageID><a:To>` + AnonymousAddress + `</a:To></s:Header><s:Body><n:PullResponse><n:EnumerationContext>uuid:5BB9D3D1-8FF1-40FA-ADA2-BE91F7F050E6</n:EnumerationContext><n:Items>`)
	for i := 0; i < n; i++ {
		b.WriteString(`<w:Item><p:Win32_Process xmlns:xsi="` + NsXSI + `" xmlns:p="` + PrefixDMTFClass + `Win32_Process" xmlns:cim="` + NsCIMCommon + `" xsi:type="p:Win32_Process_Type">`)
		for _, p := range win32ProcessProps {
			switch {
			case p.name == "InstallDate" || p.name == "TerminationDate" || p.name == "Status":
				fmt.Fprintf(&b, `<p:%s xsi:nil="true"/>`, p.name)
			case p.typ == model.TypeDatetime:
				fmt.Fprintf(&b, `<p:%s><cim:Datetime>2024-03-0%dT10:11:12.%06d-07:00</cim:Datetime></p:%s>`, p.name, i%9+1, i, p.name)
			case p.typ == model.TypeString:
				v := fmt.Sprintf(`process%d.exe`, i)
				if p.name == "CommandLine" || p.name == "ExecutablePath" {
					v = fmt.Sprintf(`C:\Windows\System32\svchost.exe -k netsvcs -p -s Schedule%d`, i)
				}
				if p.name == "Handle" {
					v = fmt.Sprint(1000 + i)
				}
				fmt.Fprintf(&b, `<p:%s>%s</p:%s>`, p.name, v, p.name)
			case p.typ == model.TypeUint16:
				fmt.Fprintf(&b, `<p:%s>%d</p:%s>`, p.name, (123456789+i*7)%(1<<16), p.name)
			default:
				fmt.Fprintf(&b, `<p:%s>%d</p:%s>`, p.name, 123456789+i*7, p.name)
			}
		}
		b.WriteString(`</p:Win32_Process><a:EndpointReference><a:Address>` + AnonymousAddress + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + PrefixDMTFClass + `Win32_Process</w:ResourceURI><w:SelectorSet>`)
		fmt.Fprintf(&b, `<w:Selector Name="Handle">%d</w:Selector><w:Selector Name="__cimnamespace">root/cimv2</w:Selector>`, 1000+i)
		b.WriteString(`</w:SelectorSet></a:ReferenceParameters></a:EndpointReference></w:Item>`)
	}
	b.WriteString(`</n:Items></n:PullResponse></s:Body></s:Envelope>`)
	return []byte(b.String())
}

func TestPullResponseDecodes(t *testing.T) {
	body := pullResponse(50)
	schema := win32ProcessSchema()
	b := decodeBatch(t, body, map[string]*model.Class{"win32_process": schema}, "")
	if len(b.items) != 50 {
		t.Fatalf("%d items", len(b.items))
	}
	p := b.items[49]
	if p.Ref == nil || p.Len() != len(win32ProcessProps) || !p.IsKey("Handle") {
		t.Fatalf("item = %v (%d props)", p, p.Len())
	}
	wantType(t, p, "KernelModeTime", model.TypeUint64, false)
	wantType(t, p, "CreationDate", model.TypeDatetime, false)
	wantText(t, p, "Handle", "1049")
}

func benchmarkDecode(b *testing.B, withSchema bool) {
	const n = 1000
	body := pullResponse(n)
	schemas := map[string]*model.Class{"win32_process": win32ProcessSchema()}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, _, _, err := OpenBody(body)
		if err != nil {
			b.Fatal(err)
		}
		idec := &itemDecoder{namespace: "root/cimv2"}
		if withSchema {
			idec.schema = func(class string) (*model.Class, error) { return schemas[strings.ToLower(class)], nil }
		}
		bt, err := decodeEnumResponse(d, idec)
		if err != nil || len(bt.items) != n {
			b.Fatalf("%v %d", err, len(bt.items))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/instance")
}

// BenchmarkDecodePull decodes a ~1000-instance Win32_Process PullResponse
// (about 2.4 MB); allocs/op divided by 1000 is the allocations per
// instance.
func BenchmarkDecodePull(b *testing.B) {
	b.Run("schema", func(b *testing.B) { benchmarkDecode(b, true) })
	b.Run("schemaless", func(b *testing.B) { benchmarkDecode(b, false) })
}

func BenchmarkAppendInstance(b *testing.B) {
	body := pullResponse(1)
	bt := decodeBatchB(b, body)
	inst := bt.items[0]
	buf := AppendInstance(nil, inst, "")
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf = AppendInstance(buf[:0], inst, "")
	}
}

func decodeBatchB(b *testing.B, body []byte) *batch {
	d, _, _, err := OpenBody(body)
	if err != nil {
		b.Fatal(err)
	}
	idec := &itemDecoder{namespace: "root/cimv2", schema: func(string) (*model.Class, error) { return win32ProcessSchema(), nil }}
	bt, err := decodeEnumResponse(d, idec)
	if err != nil {
		b.Fatal(err)
	}
	return bt
}

// mixedPullResponse is pullResponse with items of k shapes: item i has
// one more NULL, a different property for each i%k (real pages mix
// processes whose paths the account may and may not read).
func mixedPullResponse(n, k int) []byte {
	names := []string{"Caption", "CommandLine", "Description", "ExecutablePath", "CSName", "OSName", "WindowsVersion", "CreationClassName"}
	body := string(pullResponse(n))
	parts := strings.Split(body, "<w:Item>")
	for i := 1; i < len(parts); i++ {
		// k shapes: one NULL of k; k = 0: NULLs by the bits of i (a
		// shape an item, nearly).
		var nulls []string
		if k > 0 {
			nulls = []string{names[(i-1)%k]}
		} else {
			for j, name := range names {
				if (i*37)>>j&1 != 0 {
					nulls = append(nulls, name)
				}
			}
		}
		for _, name := range nulls {
			open, end := "<p:"+name+">", "</p:"+name+">"
			a := strings.Index(parts[i], open)
			e := strings.Index(parts[i], end)
			if a < 0 || e < 0 {
				panic(name)
			}
			parts[i] = parts[i][:a] + `<p:` + name + ` xsi:nil="true"/>` + parts[i][e+len(end):]
		}
	}
	return []byte(strings.Join(parts, "<w:Item>"))
}

// BenchmarkDecodeMixedShapes decodes pages whose items take 2 or 6
// shapes (more than a page keeps) or nearly one each (0), with shapes and
// token by token.
func BenchmarkDecodeMixedShapes(b *testing.B) {
	schemas := map[string]*model.Class{"win32_process": win32ProcessSchema()}
	for _, k := range []int{2, 6, 0} {
		body := mixedPullResponse(200, k)
		for _, shapes := range []bool{true, false} {
			b.Run(fmt.Sprintf("shapes%d/%v", k, shapes), func(b *testing.B) {
				noShape.Store(!shapes)
				defer noShape.Store(false)
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					d, _, _, err := OpenBody(body)
					if err != nil {
						b.Fatal(err)
					}
					idec := &itemDecoder{namespace: "root/cimv2", schema: func(class string) (*model.Class, error) { return schemas[strings.ToLower(class)], nil }}
					bt, err := decodeEnumResponse(d, idec)
					if err != nil || len(bt.items) != 200 {
						b.Fatalf("%v %d", err, len(bt.items))
					}
				}
			})
		}
	}
}

// BenchmarkKeptInstances decodes pages of Win32_Process and keeps every
// instance, as get_instance does, and reports the live heap an instance
// holds after a collection (live-B/instance) beside the XML it came from
// (xml-B/instance): what "memory proportional to the values" is measured
// by.
func BenchmarkKeptInstances(b *testing.B) {
	const pages, n = 20, 1000
	body := pullResponse(n)
	schema := win32ProcessSchema()
	var live float64
	for i := 0; i < b.N; i++ {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		kept := make([]*model.Instance, 0, pages*n)
		for range pages {
			d, _, _, err := OpenBody(body)
			if err != nil {
				b.Fatal(err)
			}
			idec := &itemDecoder{namespace: "root/cimv2", schema: func(string) (*model.Class, error) { return schema, nil }}
			bt, err := decodeEnumResponse(d, idec)
			if err != nil {
				b.Fatal(err)
			}
			kept = append(kept, bt.items...)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		live = float64(ms.HeapAlloc-base) / float64(len(kept))
		runtime.KeepAlive(kept)
	}
	b.ReportMetric(live, "live-B/instance")
	b.ReportMetric(float64(len(body))/n, "xml-B/instance")
}
