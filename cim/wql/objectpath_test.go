package wql

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

func TestParseObjectPath(t *testing.T) {
	tests := []struct {
		in        string
		host      string
		ns, class string
		sels      string // name=value|name=value, a nested ref as name=>Class.key=value
	}{
		{`Win32_Service.Name="WinRM"`, "", "", "Win32_Service", "Name=WinRM"},
		{`Win32_Service`, "", "", "Win32_Service", ""},
		{`Win32_OperatingSystem=@`, "", "", "Win32_OperatingSystem", ""},
		{`\\host\root\cimv2:Class.Key=1,K2="x"`, "host", "root/cimv2", "Class", "Key=1|K2=x"},
		{`//host/root/cimv2:Class.Key=1`, "host", "root/cimv2", "Class", "Key=1"},
		{`\\.\root\cimv2:Win32_LogicalDisk.DeviceID="C:"`, ".", "root/cimv2", "Win32_LogicalDisk", "DeviceID=C:"},
		{`root\cimv2:Win32_Service.Name="a,b=c"`, "", "root/cimv2", "Win32_Service", "Name=a,b=c"},
		{`Win32_Service.Name='single'`, "", "", "Win32_Service", "Name=single"},
		{`X.A="q\"uote\\back", B = TRUE , C=-5`, "", "", "X", `A=q"uote\back|B=true|C=-5`},
		{`Win32_Process.Handle="4"`, "", "", "Win32_Process", "Handle=4"},
		{`Win32_DependentService.Antecedent="\\\\H\\root\\cimv2:Win32_Service.Name=\"A\"",Dependent="Win32_Service.Name=\"B\""`, "", "", "Win32_DependentService",
			"Antecedent=>Win32_Service.Name=A@root/cimv2|Dependent=>Win32_Service.Name=B"},
		{`X.K="Y=@"`, "", "", "X", "K=>Y"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, r, err := ParseObjectPathHost(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if host != tt.host || r.Namespace != tt.ns || r.ClassName != tt.class {
				t.Fatalf("host %q ns %q class %q", host, r.Namespace, r.ClassName)
			}
			var sels []string
			for _, s := range r.Selectors {
				if s.Ref != nil {
					d := s.Name + "=>" + s.Ref.ClassName
					for _, n := range s.Ref.Selectors {
						d += "." + n.Name + "=" + n.Value
					}
					if s.Ref.Namespace != "" {
						d += "@" + s.Ref.Namespace
					}
					sels = append(sels, d)
					continue
				}
				sels = append(sels, s.Name+"="+s.Value)
			}
			if got := strings.Join(sels, "|"); got != tt.sels {
				t.Fatalf("selectors %s, want %s", got, tt.sels)
			}
			// Formatting and parsing again gives the same reference.
			again, err := ParseObjectPath(FormatObjectPath(host, r))
			if err != nil {
				t.Fatalf("FormatObjectPath %q does not parse: %v", FormatObjectPath(host, r), err)
			}
			if !again.Equal(r) {
				t.Fatalf("round trip through %q: %+v != %+v", FormatObjectPath(host, r), again, r)
			}
		})
	}
}

func TestParseObjectPathErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "empty"},
		{`\\host`, "namespace"},
		{`\\host\root\cimv2`, `missing ":"`},
		{`:Class`, "empty namespace"},
		{`9Class.K=1`, "class name"},
		{`Class.`, "key name"},
		{`Class.K`, `expected "="`},
		{`Class.K=`, "no value"},
		{`Class.K="open`, "unterminated"},
		{`Class.K="a" L="b"`, `","`},
		{`Class.K=1,K=2`, "twice"},
		{`Class K=1`, `"."`},
		{`Class=`, `"=@"`},
	}
	for _, tt := range tests {
		_, err := ParseObjectPath(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), "wql: ") {
			t.Errorf("ParseObjectPath(%q) error %v, want one mentioning %q", tt.in, err, tt.msg)
		}
	}
}

func TestFormatObjectPath(t *testing.T) {
	r := &model.Reference{ClassName: "Win32_Service", Namespace: "root/cimv2", Selectors: []model.Selector{
		{Name: "Name", Value: `a"b\c`}, {Name: "__cimnamespace", Value: "root/cimv2"},
	}}
	if got, want := FormatObjectPath("SRV", r), `\\SRV\root\cimv2:Win32_Service.Name="a\"b\\c"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if got, want := FormatObjectPath("", r), `root\cimv2:Win32_Service.Name="a\"b\\c"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if FormatObjectPath("x", nil) != "" {
		t.Fatal("nil reference")
	}
}

func FuzzParseObjectPath(f *testing.F) {
	for _, s := range []string{`Win32_Service.Name="WinRM"`, `\\h\root\cimv2:X.K=1,L="a\"b"`, `X=@`, `A.R="B.K=\"v\""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, r, err := ParseObjectPathHost(s)
		if err != nil {
			return
		}
		text := FormatObjectPath(host, r)
		again, err := ParseObjectPath(text)
		if err != nil {
			t.Fatalf("%q parsed, but its formatted form %q does not: %v", s, text, err)
		}
		if !strings.EqualFold(again.ClassName, r.ClassName) || len(again.Selectors) != len(r.Selectors) {
			t.Fatalf("%q -> %q changed the reference", s, text)
		}
	})
}
