package dcom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/dcom/wmio"
	"github.com/cimsh/cimsh/cim/dcomtest"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"github.com/cimsh/cimsh/cim/wsmantest/ntlmserver"
	"github.com/cimsh/cimsh/internal/testenv"
)

// impacketType is impacket's name for a CIM type.
func impacketType(t model.Type) string {
	switch t {
	case model.TypeBoolean:
		return "bool"
	case model.TypeInstance:
		return "object"
	case model.TypeUnknown:
		return "string"
	}
	return t.String()
}

// normalize writes a value as the cross-check script does for impacket's.
func normalize(v model.Value) map[string]any {
	out := map[string]any{"type": impacketType(v.Type()), "array": v.IsArray(), "value": nil}
	if v.IsNull() {
		return out
	}
	if v.IsArray() {
		elems := []any{}
		for _, e := range v.Elems() {
			elems = append(elems, scalar(e))
		}
		out["value"] = elems
		return out
	}
	out["value"] = scalar(v)
	return out
}

func scalar(v model.Value) any {
	switch x := v.Interface().(type) {
	case bool, float64, string:
		return x
	case uint64, int64, uint16:
		return json.Number(v.Text())
	case model.Datetime:
		return x.DMTF()
	case *model.Reference:
		return wmio.FormatPath(x)
	case *model.Instance:
		m := map[string]any{}
		for _, p := range x.All() {
			m[p.Name] = normalize(p.Value)
		}
		return m
	}
	return nil
}

// reparse round-trips through JSON so both sides compare as the same Go
// types (numbers as json.Number).
func reparse(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

type crossResult struct {
	Namespace string           `json:"namespace"`
	Class     string           `json:"class"`
	Error     string           `json:"error"`
	Instances []map[string]any `json:"instances"`
}

// TestImpacketCrossCheck runs impacket (an independent WMI client that
// works against Windows) against the test server on 127.0.0.1:135, as
// impacket always uses port 135, and checks that impacket and cimsh's
// DCOM provider read the same instances, property names, values and CIM
// types from every class the fixture serves, every value compared.
// (The script fills three gaps of impacket 0.10's value decoder with
// impacket's own structures: floats, a uint32 of 0xFFFFFFFF, datetime
// and reference arrays.)
func TestImpacketCrossCheck(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import impacket.dcerpc.v5.dcom.wmi").Run(); err != nil {
		testenv.Missing(t, testenv.NoImpacket, py+": ", err)
	}
	s, err := dcomtest.StartAt("127.0.0.1:135", dcomtest.Options{Users: []ntlmserver.User{{Name: user, Password: password}}})
	if err != nil {
		testenv.Missing(t, "cannot serve the endpoint mapper on 127.0.0.1:135, where impacket connects (run as root)", err)
	}
	defer s.Close()

	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	queries := fixtureQueries(t, c, "DCOMTEST")
	got := runImpacket(t, c, map[string]any{"user": user, "password": password, "host": "127.0.0.1", "queries": queries})
	p, err := dcom.New(dcom.Config{Host: "127.0.0.1", Port: 135, User: user, Password: password, Level: rpc.LevelPrivacy, ComputerName: "DCOMTEST"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	compared, instances, classes := compareWithImpacket(t, c, p, got)
	t.Logf("impacket and cimsh agree on %d values in %d instances of %d classes (%d queried)", compared, instances, classes, len(queries))
	if compared < 200 || classes < 8 {
		t.Fatalf("only %d values in %d classes compared", compared, classes)
	}
}

type query struct {
	Namespace string `json:"namespace"`
	Class     string `json:"class"`
}

// fixtureQueries lists every class the fixture of computer serves.
func fixtureQueries(t *testing.T, c context.Context, computer string) []query {
	t.Helper()
	fixture := wsmantest.FixtureProvider(computer)
	var queries []query
	for _, ns := range []string{"root/cimv2", "root/default"} {
		classes, err := fixture.EnumerateClasses(c, &model.EnumerateClassesRequest{Common: model.Common{Namespace: ns}})
		if err != nil {
			t.Fatal(err)
		}
		for _, cl := range classes {
			queries = append(queries, query{ns, cl.Name})
		}
	}
	return queries
}

// runImpacket runs testdata/impacket_query.py with req on stdin and an
// environment of env only.
func runImpacket(t *testing.T, c context.Context, req map[string]any, env ...string) []crossResult {
	t.Helper()
	in, _ := json.Marshal(req)
	cmd := exec.CommandContext(c, "/usr/bin/python3", "testdata/impacket_query.py")
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE=1"}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("impacket: %v\n%s", err, stderr.String())
	}
	var got struct{ Results []crossResult }
	d := json.NewDecoder(bytes.NewReader(out))
	d.UseNumber()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("impacket output: %v\n%s", err, out)
	}
	if qs, _ := req["queries"].([]query); len(got.Results) != len(qs) {
		t.Fatalf("impacket answered %d of %d queries", len(got.Results), len(qs))
	}
	return got.Results
}

// compareWithImpacket reads every class impacket read with p and
// compares instances, property names, values and CIM types.
func compareWithImpacket(t *testing.T, c context.Context, p *dcom.Provider, results []crossResult) (compared, instances, classes int) {
	t.Helper()
	for _, r := range results {
		e, err := p.Enumerate(c, &model.EnumerateRequest{Common: model.Common{Namespace: r.Namespace}, Query: "SELECT * FROM " + r.Class})
		var mine []*model.Instance
		if err == nil {
			for e.Next(c) {
				mine = append(mine, e.Instance())
			}
			err = e.Err()
			e.Close()
		}
		if (err != nil) != (r.Error != "") {
			t.Errorf("%s: cimsh: %v; impacket: %s", r.Class, err, r.Error)
			continue
		}
		if len(mine) != len(r.Instances) {
			t.Errorf("%s: cimsh read %d instances, impacket %d", r.Class, len(mine), len(r.Instances))
			continue
		}
		if len(mine) > 0 {
			classes++
		} else {
			t.Logf("%s/%s: no instances on either side (%v)", r.Namespace, r.Class, err)
		}
		for i, inst := range mine {
			instances++
			theirs := r.Instances[i]
			if len(theirs) != inst.Len() {
				t.Errorf("%s[%d]: cimsh has %d properties, impacket %d", r.Class, i, inst.Len(), len(theirs))
			}
			for _, prop := range inst.All() {
				tv, ok := theirs[prop.Name]
				if !ok {
					t.Errorf("%s[%d]: impacket has no property %s", r.Class, i, prop.Name)
					continue
				}
				mv := reparse(t, normalize(prop.Value)).(map[string]any)
				th := tv.(map[string]any)
				compared++
				if !reflect.DeepEqual(mv, th) {
					t.Errorf("%s[%d].%s:\n cimsh    %v\n impacket %v", r.Class, i, prop.Name, fmtJSON(mv), fmtJSON(th))
				}
			}
		}
	}
	return compared, instances, classes
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return strings.TrimSpace(fmt.Sprint(string(b)))
}

// TestImpacketKerberos runs impacket's DCOM client with Kerberos (its
// RPC_C_AUTHN_GSS_NEGOTIATE: SPNEGO carrying DCE-style Kerberos, then
// RFC 4121 wrap tokens at packet privacy) against the test server on
// 127.0.0.1:135, with tickets from a real MIT KDC: impacket reads every
// fixture class as cimsh does over Kerberos.
func TestImpacketKerberos(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import impacket.dcerpc.v5.dcom.wmi").Run(); err != nil {
		testenv.Missing(t, testenv.NoImpacket, "/usr/bin/python3: ", err)
	}
	kvno, err := exec.LookPath("kvno")
	if err != nil {
		testenv.Missing(t, testenv.NoKDC, err)
	}
	k, s, err := krbServerAt(t, "127.0.0.1:135")
	if err != nil {
		testenv.Missing(t, "cannot serve the endpoint mapper on 127.0.0.1:135, where impacket connects (run as root)", err)
	}
	// impacket asks the KDC on port 88 only; the ticket cache holds the
	// service ticket so that it needs no KDC at all.
	ccache := k.Kinit(t)
	env := append(k.Env(), "KRB5CCNAME="+ccache) // impacket opens the path as given
	cmd := exec.Command(kvno, "host/localhost")
	cmd.Env = append([]string{"PATH=/usr/bin:/bin"}, env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kvno: %v: %s", err, out)
	}
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	queries := fixtureQueries(t, c, "localhost")
	got := runImpacket(t, c, map[string]any{"kerberos": true, "user": k.User, "domain": k.Realm, "host": "localhost", "connect": "127.0.0.1", "queries": queries}, env...)
	if n := s.Authentications()["spnego/kerberos"] + s.Authentications()["spnego/kerberos+mic"]; n < 2 {
		t.Fatalf("impacket established %d SPNEGO/Kerberos contexts: %v", n, s.Authentications())
	}
	p, err := dcom.New(dcom.Config{Host: "localhost", Port: 135, Auth: dcom.AuthKerberos, CCache: ccache, Krb5Conf: k.Krb5Conf, ComputerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	compared, instances, classes := compareWithImpacket(t, c, p, got)
	t.Logf("over Kerberos, impacket and cimsh agree on %d values in %d instances of %d classes", compared, instances, classes)
	if compared < 200 || classes < 8 {
		t.Fatalf("only %d values in %d classes compared", compared, classes)
	}
}
