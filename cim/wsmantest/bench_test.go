package wsmantest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// bulkProvider serves n Win32_Process-shaped instances.
func bulkProvider(n int) model.Provider {
	fx := wsmantest.FixtureProvider("BENCH")
	cl, err := fx.GetClass(context.Background(), &model.GetClassRequest{ClassName: "Win32_Process"})
	if err != nil {
		panic(err)
	}
	e, _ := fx.Enumerate(context.Background(), &model.EnumerateRequest{ClassName: "Win32_Process"})
	e.Next(context.Background())
	proto := e.Instance()
	e.Close()
	list := make([]*model.Instance, n)
	for i := range list {
		inst := proto.Clone()
		inst.Set("Handle", model.String(strconv.Itoa(10000+i)))
		inst.Set("ProcessId", model.Uint(model.TypeUint32, uint64(10000+i)))
		inst.Set("CommandLine", model.String(fmt.Sprintf(`C:\Windows\system32\svchost.exe -k netsvcs -p -s Service%d`, i)))
		list[i] = inst
	}
	p := memprov.New(model.Identity{}, "BENCH")
	p.Register("root/cimv2", memprov.ClassDef{Class: cl, List: func(context.Context) ([]*model.Instance, error) { return list, nil }})
	return p
}

var ctxRE = regexp.MustCompile(`EnumerationContext>(uuid:[^<]+)<`)

// BenchmarkServerEnumerate measures the server: a 2000-instance
// enumeration over loopback with raw HTTP (Enumerate, then Pull until
// EndOfSequence), bytes per second of response.
func BenchmarkServerEnumerate(b *testing.B) {
	s := wsmantest.NewServer(b, wsmantest.Options{Provider: bulkProvider(2000)})
	const uri = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Win32_Process"
	env := func(action, body string) []byte {
		return []byte(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header><w:ResourceURI>` + uri +
			`</w:ResourceURI><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/` + action + `</a:Action><a:MessageID>uuid:1</a:MessageID><w:SelectorSet><w:Selector Name="__cimnamespace">root/cimv2</w:Selector></w:SelectorSet></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`)
	}
	c := &http.Client{}
	var total int64
	for i := 0; i < b.N; i++ {
		body := env("Enumerate", `<n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>32000</w:MaxElements></n:Enumerate>`)
		for {
			resp, err := c.Post(s.URL(), "application/soap+xml;charset=UTF-8", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			total += int64(len(out))
			m := ctxRE.FindSubmatch(out)
			if m == nil {
				break
			}
			body = env("Pull", `<n:Pull><n:EnumerationContext>`+string(m[1])+`</n:EnumerationContext><n:MaxElements>32000</n:MaxElements></n:Pull>`)
		}
	}
	b.SetBytes(total / int64(b.N))
	b.ReportMetric(float64(s.Counters().Requests)/float64(b.N), "requests/op")
}

// BenchmarkClientEnumerate measures cim/wsman's client against the
// server: the same 2000 instances, decoded with the schema.
func BenchmarkClientEnumerate(b *testing.B) {
	s := wsmantest.NewServer(b, wsmantest.Options{Provider: bulkProvider(2000)})
	c := wsman.NewClient(plainTransport{url: s.URL()}, wsman.Options{Endpoint: s.URL()})
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		e, err := c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Process"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for e.Next(ctx) {
			n++
		}
		if e.Err() != nil || n != 2000 {
			b.Fatalf("%d instances, %v", n, e.Err())
		}
		e.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*2000), "µs/instance")
}

// plainTransport posts without authentication (the server has none).
type plainTransport struct{ url string }

func (p plainTransport) Post(ctx context.Context, body []byte, _ wsman.Effect) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, &wsman.HTTPError{StatusCode: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: out}
	}
	return out, nil
}

func (plainTransport) Close() error { return nil }
