package cdxml

import (
	"errors"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// arg makes a named argument from any of the parameter's spellings.
func argT(t *testing.T, c *Cmdlet, name string, v model.Value) Arg {
	t.Helper()
	return Arg{Param: paramT(t, c, name), Value: v}
}

func num(n uint64) model.Value { return model.Uint(model.TypeUint64, n) }
func neg(n int64) model.Value  { return model.Sint(model.TypeSint64, n) }
func str(s string) model.Value { return model.String(s) }
func list(vs ...model.Value) model.Value {
	if len(vs) == 0 {
		return model.Array(model.TypeString, nil)
	}
	return model.Array(vs[0].Type(), vs)
}

// TestBindSets: the parameter set follows the arguments, the default set
// breaks ties, and mandatory parameters are those of the chosen set.
func TestBindSets(t *testing.T) {
	m := loadT(t, "testdata/own/Widget")
	get := cmdletT(t, m, "Get-Widget")
	call, err := get.Bind(nil, nil)
	if err != nil || call.Set != "ByName" {
		t.Fatalf("no arguments: set %v, %v", call, err)
	}
	call, err = get.Bind([]Arg{argT(t, get, "wid", num(7))}, nil)
	if err != nil || call.Set != "ById" {
		t.Fatalf("-WID 7: %v %v", call, err)
	}
	if v := call.Values[paramT(t, get, "id")]; !v.IsArray() || v.Len() != 1 || v.Elems()[0].Type() != model.TypeUint32 {
		t.Errorf("-Id is a list of uint32: %v", v)
	}
	call, err = get.Bind(nil, []model.Value{str("w*")})
	if err != nil || call.Set != "ByName" || call.Values[paramT(t, get, "name")].Elems()[0].Text() != "w*" {
		t.Fatalf("positional name: %v %v", call, err)
	}
	_, err = get.Bind([]Arg{argT(t, get, "name", str("a")), argT(t, get, "id", num(1))}, nil)
	if err == nil || !strings.Contains(err.Error(), "name and id cannot be used together") {
		t.Errorf("name with id: %v", err)
	}
	_, err = get.Bind(nil, []model.Value{str("a"), str("b")})
	if err == nil || !strings.Contains(err.Error(), "at most 1 positional") {
		t.Errorf("two positionals: %v", err)
	}

	rs := cmdletT(t, m, "Resize-Widget")
	_, err = rs.Bind([]Arg{argT(t, rs, "new_size", num(5))}, nil)
	var ae *ArgError
	if !errors.As(err, &ae) || ae.Param != "name" || !strings.Contains(err.Error(), "name: is mandatory (parameter set ByName; or use another set: ById (id!); ByBox (box!); InputObject (cdxml) (input_object!))") {
		t.Errorf("Resize without a selection: %v", err)
	}
	call, err = rs.Bind([]Arg{argT(t, rs, "Size", num(5))}, []model.Value{str("w1")})
	if err != nil || call.Set != "ByName" {
		t.Errorf("Resize w1 -Size 5: %v %v", call, err)
	}
	inst := model.NewInstance("Cimsh_Widget", "root/cimsh")
	call, err = rs.Bind([]Arg{argT(t, rs, "input_object", model.Embedded(inst)), argT(t, rs, "new_size", num(5))}, nil)
	if err != nil || call.Set != setInputObject || len(call.Inputs) != 1 {
		t.Errorf("input_object: %v %v", call, err)
	}

	fac := cmdletT(t, m, "Invoke-WidgetFactory")
	call, err = fac.Bind(nil, nil)
	if err != nil || call.Set != "FromKit" {
		t.Errorf("factory default set: %v %v", call, err)
	}
	call, err = fac.Bind([]Arg{argT(t, fac, "parts", list(str("a"), str("b"))), argT(t, fac, "color", str("blue"))}, nil)
	if err != nil || call.Set != "FromParts" {
		t.Errorf("factory parts: %v %v", call, err)
	}
	if v := call.Values[paramT(t, fac, "color")]; v.Type() != model.TypeUint16 || v.Text() != "4" {
		t.Errorf("Blue is 4 (uint16): %v", v)
	}
	_, err = fac.Bind([]Arg{argT(t, fac, "parts", list(str("a")))}, nil)
	if err == nil || !strings.Contains(err.Error(), "color: is mandatory (parameter set FromParts") {
		t.Errorf("Color is mandatory in FromParts: %v", err)
	}
	_, err = fac.Bind([]Arg{argT(t, fac, "kit", str("basic")), argT(t, fac, "parts", list(str("a")))}, nil)
	if err == nil || !strings.Contains(err.Error(), "kit and parts cannot be used together") {
		t.Errorf("kit with parts: %v", err)
	}
}

// TestBindValidation: every validation attribute refuses what it should,
// naming the parameter, and accepts what it should.
func TestBindValidation(t *testing.T) {
	m := loadT(t, "testdata/own/Widget")
	get, rs, set := cmdletT(t, m, "Get-Widget"), cmdletT(t, m, "Resize-Widget"), cmdletT(t, m, "Set-Widget")
	en, nw, fac := cmdletT(t, m, "Enable-Widget"), cmdletT(t, m, "New-Widget"), cmdletT(t, m, "Invoke-WidgetFactory")
	w := []model.Value{str("w1")}
	for _, c := range []struct {
		c    *Cmdlet
		args []Arg
		pos  []model.Value
		want string // "" when it binds
	}{
		{get, []Arg{{paramT(t, get, "flavor"), str("chocolate")}}, nil, ""},
		{get, []Arg{{paramT(t, get, "flavor"), str("Mint")}}, nil, `flavor: "Mint" is not one of "Vanilla", "Chocolate"`},
		{get, []Arg{{paramT(t, get, "id"), num(0)}}, nil, "id: 0 is not between 1 and 4294967295"},
		{get, []Arg{{paramT(t, get, "id"), list(num(3), num(4294967296))}}, nil, "id: element 2: "},
		{get, []Arg{{paramT(t, get, "id"), neg(-1)}}, nil, "id: "},
		{get, []Arg{{paramT(t, get, "min_size"), list(num(1), num(2))}}, nil, "min_size: takes one value (uint64), not a list"},
		{get, []Arg{{paramT(t, get, "name"), num(5)}}, nil, "name: wants a string, not uint64 5"},
		{get, []Arg{{paramT(t, get, "color"), str("red")}}, nil, ""},
		{get, []Arg{{paramT(t, get, "color"), num(2)}}, nil, ""},
		{get, []Arg{{paramT(t, get, "color"), num(3)}}, nil, "color: 3 is not a value of Cimsh.Color (Red, Green, Blue)"},
		{get, []Arg{{paramT(t, get, "color"), str("purple")}}, nil, `color: "purple" is not a value of Cimsh.Color`},
		{get, []Arg{{paramT(t, get, "enabled"), str("yes")}}, nil, `enabled: wants true or false, not "yes"`},
		{get, []Arg{{paramT(t, get, "box"), str("b1")}}, nil, `box: wants an instance, not "b1"`},
		{rs, []Arg{{paramT(t, rs, "new_size"), num(2000000)}}, w, "new_size: 2000000 is not between 1 and 1000000"},
		{rs, []Arg{{paramT(t, rs, "new_size"), num(5)}, {paramT(t, rs, "reason"), str("")}}, w, `reason: "" is 0 characters long, not 1 to 16`},
		{rs, []Arg{{paramT(t, rs, "new_size"), num(5)}, {paramT(t, rs, "reason"), str("much too long a reason")}}, w, "reason: "},
		{rs, []Arg{{paramT(t, rs, "new_size"), num(5)}, {paramT(t, rs, "what_if"), str("yes")}}, w, "what_if: is a switch"},
		{set, []Arg{{paramT(t, set, "owner"), str("")}}, w, "owner: cannot be an empty string"},
		{set, []Arg{{paramT(t, set, "tags"), list()}}, w, ""},
		{set, []Arg{{paramT(t, set, "tags"), list(str("a"), str("b"), str("c"), str("d"))}}, w, "tags: takes 0 to 3 values, got 4"},
		{set, []Arg{{paramT(t, set, "tags"), str("one")}}, w, ""},
		{en, []Arg{{paramT(t, en, "features"), str("Shiny, Fast")}}, w, ""},
		{en, []Arg{{paramT(t, en, "features"), num(7)}}, w, ""},
		{en, []Arg{{paramT(t, en, "features"), num(8)}}, w, "features: 8 is not a value of Cimsh.Features"},
		{nw, []Arg{{paramT(t, nw, "id"), num(1)}}, []model.Value{str("")}, "name: cannot be an empty string"},
		{nw, []Arg{{paramT(t, nw, "name"), str("n")}}, nil, "id: is mandatory"},
		{nw, []Arg{{paramT(t, nw, "name"), str("n")}, {paramT(t, nw, "id"), num(1)}, {paramT(t, nw, "created"), str("2024-03-01T08:00:00Z")}}, nil, ""},
		{nw, []Arg{{paramT(t, nw, "name"), str("n")}, {paramT(t, nw, "id"), num(1)}, {paramT(t, nw, "created"), str("yesterday")}}, nil, "created: "},
		{fac, []Arg{{paramT(t, fac, "parts"), list()}, {paramT(t, fac, "color"), str("red")}}, nil, "parts: takes 1 to 8 values, got 0"},
		{fac, []Arg{{paramT(t, fac, "parts"), list(str("a"), str(""))}, {paramT(t, fac, "color"), str("red")}}, nil, "parts: element 2 cannot be an empty string"},
		{fac, nil, []model.Value{str("DELUXE")}, ""},
	} {
		call, err := c.c.Bind(c.args, c.pos)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %v: %v", c.c.Name, c.args, err)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%s %v: got %v (%v), want %q", c.c.Name, c.args, err, call, c.want)
		case err != nil:
			var ae *ArgError
			if !errors.As(err, &ae) {
				t.Errorf("%T is not an *ArgError", err)
			}
		}
	}
}
