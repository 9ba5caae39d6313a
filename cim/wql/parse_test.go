package wql

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT * FROM Win32_Process", "SELECT * FROM Win32_Process"},
		{"select name,processid from win32_process", "SELECT name, processid FROM win32_process"},
		{"  SeLeCt  *  fRoM  X  wHeRe  a=1  ", "SELECT * FROM X WHERE a = 1"},
		{"SELECT * FROM X WHERE a != 1", "SELECT * FROM X WHERE a <> 1"},
		{"SELECT * FROM X WHERE a<>-1 and b>=2.5 or c<=1e3", "SELECT * FROM X WHERE (a <> -1 AND b >= 2.5) OR c <= 1000.0"},
		{"SELECT * FROM X WHERE a = 1 AND (b = 2 OR c = 3)", "SELECT * FROM X WHERE a = 1 AND (b = 2 OR c = 3)"},
		{"SELECT * FROM X WHERE ((a = 1))", "SELECT * FROM X WHERE a = 1"},
		{"SELECT * FROM X WHERE NOT a = 1", "SELECT * FROM X WHERE NOT a = 1"},
		{"SELECT * FROM X WHERE NOT (a = 1 OR b = 2)", "SELECT * FROM X WHERE NOT (a = 1 OR b = 2)"},
		{"SELECT * FROM X WHERE NOT NOT a = 1", "SELECT * FROM X WHERE NOT NOT a = 1"},
		{`SELECT * FROM X WHERE Name = "it's \"q\""`, `SELECT * FROM X WHERE Name = 'it\'s "q"'`},
		{`SELECT * FROM X WHERE Path = 'C:\\Windows\\'`, `SELECT * FROM X WHERE Path = 'C:\\Windows\\'`},
		{"SELECT * FROM X WHERE a = TRUE OR b = false", "SELECT * FROM X WHERE a = TRUE OR b = FALSE"},
		{"SELECT * FROM X WHERE a IS NULL AND b is not null", "SELECT * FROM X WHERE a IS NULL AND b IS NOT NULL"},
		{"SELECT * FROM X WHERE a = NULL", "SELECT * FROM X WHERE a = NULL"},
		{"SELECT * FROM X WHERE Name LIKE '%svc[0-9]_'", "SELECT * FROM X WHERE Name LIKE '%svc[0-9]_'"},
		{"SELECT * FROM X WHERE Name NOT LIKE 'a%'", "SELECT * FROM X WHERE Name NOT LIKE 'a%'"},
		{"SELECT * FROM X WHERE TargetInstance ISA 'Win32_Process'", "SELECT * FROM X WHERE TargetInstance ISA 'Win32_Process'"},
		{"SELECT * FROM X WHERE TargetInstance ISA Win32_Process", "SELECT * FROM X WHERE TargetInstance ISA 'Win32_Process'"},
		{"SELECT * FROM X WHERE TargetInstance.Name = 'a'", "SELECT * FROM X WHERE TargetInstance.Name = 'a'"},
		{"SELECT * FROM X WHERE 5 < a", "SELECT * FROM X WHERE 5 < a"},
		{"SELECT * FROM X WHERE -5 >= a", "SELECT * FROM X WHERE -5 >= a"},
		{"SELECT * FROM X WHERE a = 18446744073709551615 AND b = -9223372036854775808", "SELECT * FROM X WHERE a = 18446744073709551615 AND b = -9223372036854775808"},
		{"SELECT * FROM X WHERE a = 0x1F", "SELECT * FROM X WHERE a = 31"},
		{"SELECT * FROM X WHERE a = - 0", "SELECT * FROM X WHERE a = 0"},
		{"SELECT * FROM X WHERE a = .5", "SELECT * FROM X WHERE a = 0.5"},
		{"SELECT * FROM X WHERE __CLASS = 'Y'", "SELECT * FROM X WHERE __CLASS = 'Y'"},
		{"SELECT * FROM X WHERE a != b.c", "SELECT * FROM X WHERE a <> b.c"},
		{"select * from __InstanceCreationEvent within 5 where TargetInstance isa 'Win32_Process'", "SELECT * FROM __InstanceCreationEvent WITHIN 5 WHERE TargetInstance ISA 'Win32_Process'"},
		{"SELECT * FROM __InstanceModificationEvent WITHIN 0.5 WHERE TargetInstance ISA \"Win32_Service\" AND TargetInstance.State <> PreviousInstance.State GROUP WITHIN 60 BY TargetInstance.Name, TargetInstance.State HAVING NumberOfEvents > 3",
			"SELECT * FROM __InstanceModificationEvent WITHIN 0.5 WHERE TargetInstance ISA 'Win32_Service' AND TargetInstance.State <> PreviousInstance.State GROUP WITHIN 60 BY TargetInstance.Name, TargetInstance.State HAVING NumberOfEvents > 3"},
		{"SELECT * FROM MyEvent GROUP WITHIN 1e1", "SELECT * FROM MyEvent GROUP WITHIN 10"},
		{`ASSOCIATORS OF {Win32_Service.Name="WinRM"}`, `ASSOCIATORS OF {Win32_Service.Name="WinRM"}`},
		{`associators of { Win32_Service.Name="a}b" } where resultclass = Win32_Process assocclass=Win32_DependentService role=Dependent resultrole=Antecedent keysonly`,
			`ASSOCIATORS OF {Win32_Service.Name="a}b"} WHERE AssocClass = Win32_DependentService ResultClass = Win32_Process Role = Dependent ResultRole = Antecedent KeysOnly`},
		{`ASSOCIATORS OF {X.K=1} WHERE ClassDefsOnly RequiredQualifier = Q RequiredAssocQualifier = "R"`, `ASSOCIATORS OF {X.K=1} WHERE RequiredQualifier = Q RequiredAssocQualifier = R ClassDefsOnly`},
		{`REFERENCES OF {X=@} WHERE ResultClass = Y Role = R SchemaOnly`, `REFERENCES OF {X=@} WHERE ResultClass = Y Role = R SchemaOnly`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tt.want {
				t.Fatalf("String()\n got %s\nwant %s", got, tt.want)
			}
			q2, err := Parse(q.String())
			if err != nil {
				t.Fatalf("canonical form does not re-parse: %v", err)
			}
			if q2.String() != tt.want {
				t.Fatalf("re-parsed String() %s", q2.String())
			}
		})
	}
}

func TestParseTree(t *testing.T) {
	q, err := Parse("SELECT Name, TargetInstance.Handle FROM Win32_Process WHERE a = 1 OR b = 'x' AND NOT c IS NULL")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(q.Properties, []string{"Name", "TargetInstance.Handle"}) || q.ClassName != "Win32_Process" {
		t.Fatalf("select list %v from %s", q.Properties, q.ClassName)
	}
	want := &Binary{Op: "OR",
		Left: &Compare{Property: "a", Op: "=", Value: Literal{Kind: LitInt, Mag: 1}},
		Right: &Binary{Op: "AND",
			Left:  &Compare{Property: "b", Op: "=", Value: Literal{Kind: LitString, Str: "x"}},
			Right: &Not{X: &IsNull{Property: "c"}},
		},
	}
	if !reflect.DeepEqual(q.Where, want) {
		t.Fatalf("tree %s, want %s", q.Where, want)
	}
	if got := q.WhereProperties(); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Fatalf("WhereProperties %v", got)
	}
	q, _ = Parse("SELECT * FROM X WHERE 3 > Count")
	if c := q.Where.(*Compare); c.Op != "<" || c.Property != "Count" || !c.Reversed {
		t.Fatalf("reversed comparison %+v", c)
	}
	q, _ = Parse("SELECT * FROM X WHERE a = -9223372036854775808")
	if c := q.Where.(*Compare); !c.Value.Neg || c.Value.Mag != 1<<63 {
		t.Fatalf("sint64 min literal %+v", c.Value)
	}
	q, _ = Parse(`ASSOCIATORS OF {\\.\root\cimv2:Win32_Service.Name="WinRM"} WHERE ResultClass = Win32_Process`)
	a := q.Associators
	if a == nil || a.References || a.Object.ClassName != "Win32_Service" || a.Object.Namespace != "root/cimv2" || a.ResultClass != "Win32_Process" {
		t.Fatalf("associators %+v", a)
	}
	f := a.Filter()
	if f.Source.ClassName != "Win32_Service" || f.ResultClass != "Win32_Process" || f.References {
		t.Fatalf("filter %+v", f)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		pos  int
		msgs []string // each must appear in Error()
	}{
		{"", 1, []string{"expected SELECT", "end of query"}},
		{"SELEC * FROM X", 1, []string{`"SELEC"`}},
		{"SELECT * FORM X", 10, []string{"expected FROM", `"FORM"`}},
		{"SELECT FROM X", 8, []string{"property name", `"FROM"`}},
		{"SELECT a, FROM X", 11, []string{"property name"}},
		{"SELECT * FROM", 14, []string{"class name", "end of query"}},
		{"SELECT * FROM X WHERE", 22, []string{"end of query"}},
		{"SELECT * FROM X WHERE a", 24, []string{"comparison operator"}},
		{"SELECT * FROM X WHERE a = ", 27, []string{"constant"}},
		{"SELECT * FROM X WHERE a = FROM", 27, []string{"constant", `"FROM"`}},
		{"SELECT * FROM X WHERE a = b.", 29, []string{"property name after"}},
		{"SELECT * FROM X WHERE 1 = 1", 27, []string{"property name"}},
		{"SELECT * FROM X WHERE (a = 1", 29, []string{`")"`, "position 23"}},
		{"SELECT * FROM X WHERE a = 1)", 28, []string{`")"`}},
		{"SELECT * FROM X WHERE a = 'abc", 27, []string{"unterminated string"}},
		{"SELECT * FROM X WHERE a IS 5", 28, []string{"IS only tests for NULL"}},
		{`SELECT * FROM X WHERE a IS NOT "NTFS"`, 32, []string{"NULL"}},
		{"SELECT * FROM X WHERE a LIKE 5", 30, []string{"pattern"}},
		{"SELECT * FROM X WHERE a LIKE '[a-'", 30, []string{"unclosed"}},
		{"SELECT * FROM X WHERE a = 18446744073709551616", 27, []string{"out of range"}},
		{"SELECT * FROM X WHERE a = -9223372036854775809", 28, []string{"out of range"}},
		{"SELECT * FROM X WHERE a = 1e999", 27, []string{"out of range"}},
		{"SELECT * FROM X WHERE a = 12ab", 27, []string{"malformed number"}},
		{"SELECT * FROM X WHERE a ! 1", 25, []string{"!="}},
		{"SELECT * FROM X WHERE a = 1 b", 29, []string{"after the end"}},
		{"SELECT * FROM X WHERE a = 1 AND", 32, []string{"end of query"}},
		{"SELECT * FROM X WHERE a = #", 27, []string{"unexpected character"}},
		{"SELECT * FROM X WHERE NOT a LIKE 'x' NOT", 38, []string{"after the end"}},
		{"SELECT * FROM X GROUP BY a", 23, []string{"expected WITHIN", `"BY"`}},
		{"SELECT * FROM X WITHIN 0", 24, []string{"positive"}},
		{"SELECT * FROM X WITHIN -1", 24, []string{"number of seconds", `"-"`}},
		{"SELECT * FROM X WITHIN", 23, []string{"number of seconds", "end of query"}},
		{"SELECT * FROM X WHERE a = 1 WITHIN 5", 29, []string{"after the end", `"WITHIN"`}},
		{"SELECT * FROM X GROUP WITHIN 5 BY", 34, []string{"property name"}},
		{"SELECT * FROM X GROUP WITHIN 5 HAVING", 38, []string{"end of query"}},
		{"SELECT * FROM X HAVING a = 1", 17, []string{"after the end", `"HAVING"`}},
		{"SELECT * FROM select", 15, []string{"class name", `"select"`}},
		{"ASSOCIATORS {X.K=1}", 13, []string{"expected OF"}},
		{"ASSOCIATORS OF X.K=1", 16, []string{"object path in braces"}},
		{"ASSOCIATORS OF {X.K=1", 16, []string{"unterminated object path"}},
		{"ASSOCIATORS OF {X.K=} WHERE KeysOnly", 16, []string{"bad object path", "no value"}},
		{"ASSOCIATORS OF {X.K=1} WHERE", 29, []string{"expected AssocClass"}},
		{"ASSOCIATORS OF {X.K=1} WHERE Color = Red", 30, []string{`"Color"`}},
		{"ASSOCIATORS OF {X.K=1} WHERE ResultClass Y", 42, []string{`"="`}},
		{"ASSOCIATORS OF {X.K=1} WHERE ResultClass = 'a b'", 44, []string{"name"}},
		{"ASSOCIATORS OF {X.K=1} WHERE ResultClass = A ResultClass = B", 46, []string{"twice"}},
		{"ASSOCIATORS OF {X.K=1} WHERE ClassDefsOnly SchemaOnly", 54, []string{"together"}},
		{"REFERENCES OF {X.K=1} WHERE AssocClass = A", 29, []string{"REFERENCES OF does not take", `"AssocClass"`}},
		{"REFERENCES OF {X.K=1} WHERE ResultRole = A", 29, []string{"ResultRole"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if se.Pos != tt.pos {
				t.Errorf("Pos %d, want %d (%s)", se.Pos, tt.pos, err)
			}
			if se.Query != tt.in {
				t.Errorf("Query %q", se.Query)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "wql: syntax error at position ") {
				t.Errorf("message %q lacks the package and position", msg)
			}
			for _, m := range tt.msgs {
				if !strings.Contains(msg, m) {
					t.Errorf("message %q does not contain %q", msg, m)
				}
			}
		})
	}
}

func TestParseDeepNesting(t *testing.T) {
	deep := "SELECT * FROM X WHERE " + strings.Repeat("(", 10000) + "a = 1" + strings.Repeat(")", 10000)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
		t.Fatalf("deep nesting: %v", err)
	}
	nots := "SELECT * FROM X WHERE " + strings.Repeat("NOT ", 10000) + "a = 1"
	if _, err := Parse(nots); err == nil {
		t.Fatal("10000 NOTs parsed")
	}
	ok := "SELECT * FROM X WHERE " + strings.Repeat("(", 100) + "a = 1" + strings.Repeat(")", 100)
	if _, err := Parse(ok); err != nil {
		t.Fatalf("100 levels: %v", err)
	}
}

func TestParseCondition(t *testing.T) {
	e, err := ParseCondition("Name = 'WinRM' or State <> 'Running'")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.String(); got != "Name = 'WinRM' OR State <> 'Running'" {
		t.Fatalf("got %s", got)
	}
	if _, err := ParseCondition("Name = "); err == nil {
		t.Fatal("incomplete condition parsed")
	}
	if _, err := ParseCondition("Name = 'a' FROM"); err == nil {
		t.Fatal("trailing tokens accepted")
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		class  string
		props  []string
		where  string
		want   string
		errMsg string
	}{
		{"Win32_Service", nil, "", "SELECT * FROM Win32_Service", ""},
		{"Win32_Service", []string{"Name", " State "}, "", "SELECT Name,State FROM Win32_Service", ""},
		{"Win32_Service", []string{"Name", "*"}, "", "SELECT * FROM Win32_Service", ""},
		{"Win32_Service", nil, " Name like 'Win%' ", "SELECT * FROM Win32_Service WHERE Name like 'Win%'", ""},
		{"Win32_Process", []string{"Name"}, "ProcessId = 4 AND Name <> \"x\"", `SELECT Name FROM Win32_Process WHERE ProcessId = 4 AND Name <> "x"`, ""},
		{"Win32 Service", nil, "", "", "not a class name"},
		{"", nil, "", "", "not a class name"},
		{"FROM", nil, "", "", "not a class name"},
		{"X", []string{"a,b"}, "", "", `"a,b" is not a property name`},
		{"X", []string{"where"}, "", "", "not a property name"},
		{"X", nil, "Name = ", "", "filter: syntax error at column 8: expected a constant, found end of the filter"},
		{"X", nil, "  Name = 'a'; DROP", "", `filter: syntax error at column 13: unexpected character ';'`},
	}
	for _, tt := range tests {
		got, err := Select(tt.class, tt.props, tt.where)
		if tt.errMsg != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errMsg) || !strings.HasPrefix(err.Error(), "wql: ") {
				t.Errorf("Select(%q, %q, %q) error %v, want %q", tt.class, tt.props, tt.where, err, tt.errMsg)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Select(%q, %q, %q) = %q, %v; want %q", tt.class, tt.props, tt.where, got, err, tt.want)
			continue
		}
		if _, err := Parse(got); err != nil {
			t.Errorf("Select result %q does not parse: %v", got, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM Win32_Process",
		"select Name, Handle from Win32_Process where Name like 'svc%' and (ProcessId > 4 or not CommandLine is null)",
		`SELECT * FROM X WHERE a = "q\"uote" OR b <> -12 OR c >= 1.5e-3 OR d = 0x10`,
		"SELECT * FROM X WHERE TargetInstance ISA 'Win32_Service' AND TargetInstance.State = 'Stopped'",
		"SELECT * FROM X WHERE 5 < a AND __CLASS != 'y'",
		`ASSOCIATORS OF {Win32_Service.Name="WinRM"} WHERE AssocClass = A ResultClass = B Role = C ResultRole = D KeysOnly`,
		`REFERENCES OF {\\h\root\cimv2:X.K="v",L=2} WHERE ResultClass = Y ClassDefsOnly`,
		"SELECT * FROM X WHERE a LIKE '[^a-c]%_[%]'",
		"SELECT * FROM __InstanceModificationEvent WITHIN 2.5 WHERE TargetInstance.State <> PreviousInstance.State GROUP WITHIN 10 BY TargetInstance.Name HAVING NumberOfEvents >= 2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", s, err)
			}
			if se.Pos < 1 || se.Pos > len(s)+1 {
				t.Fatalf("Parse(%q): position %d out of range", s, se.Pos)
			}
			return
		}
		canon := q.String()
		q2, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q does not parse: %v", s, canon, err)
		}
		if q2.String() != canon {
			t.Fatalf("String not stable:\n%q\n%q\n%q", s, canon, q2.String())
		}
	})
}
