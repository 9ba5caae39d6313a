package cdxml

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// allowDoc has one static cmdlet whose parameters cover the Allow* and
// null-related attributes, mandatory and not.
const allowDoc = `<PowerShellMetadata xmlns="http://schemas.microsoft.com/cmdlets-over-objects/2009/11">
<Class ClassName="root/cimsh/Cimsh_Widget"><Version>1.0</Version><DefaultNoun>Allow</DefaultNoun>
<StaticCmdlets><Cmdlet><CmdletMetadata Verb="Test"/><Method MethodName="M"><Parameters>
  <Parameter ParameterName="Plain"><Type PSType="string"/><CmdletParameterMetadata IsMandatory="true"/></Parameter>
  <Parameter ParameterName="EmptyOK"><Type PSType="string"/><CmdletParameterMetadata IsMandatory="true"><AllowEmptyString/></CmdletParameterMetadata></Parameter>
  <Parameter ParameterName="NullOK"><Type PSType="string"/><CmdletParameterMetadata IsMandatory="true"><AllowNull/></CmdletParameterMetadata></Parameter>
  <Parameter ParameterName="List"><Type PSType="string[]"/><CmdletParameterMetadata IsMandatory="true"/></Parameter>
  <Parameter ParameterName="ListEmptyOK"><Type PSType="string[]"/><CmdletParameterMetadata IsMandatory="true"><AllowEmptyCollection/><AllowEmptyString/></CmdletParameterMetadata></Parameter>
  <Parameter ParameterName="Optional"><Type PSType="string[]"/><CmdletParameterMetadata/></Parameter>
  <Parameter ParameterName="NotNull"><Type PSType="string"/><CmdletParameterMetadata><ValidateNotNull/></CmdletParameterMetadata></Parameter>
  <Parameter ParameterName="Number"><Type PSType="uint32"/><CmdletParameterMetadata><ValidateNotNull/></CmdletParameterMetadata></Parameter>
</Parameters></Method></Cmdlet></StaticCmdlets></Class></PowerShellMetadata>`

// TestAllowAttributes: a mandatory parameter refuses null, "" and an
// empty list (and a list's "" and null elements), as PowerShell's
// binder does, unless AllowNull, AllowEmptyString or
// AllowEmptyCollection says otherwise; ValidateNotNull refuses null on
// any parameter; an optional parameter takes all of them.
func TestAllowAttributes(t *testing.T) {
	d, err := Parse("allow.cdxml", []byte(allowDoc))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compile("allow", []*Document{d})
	if err != nil {
		t.Fatal(err)
	}
	c := cmdletT(t, m, "test_allow")
	null := model.Null(model.TypeString)
	base := map[string]model.Value{"plain": str("p"), "empty_ok": str("e"), "null_ok": str("n"), "list": list(str("a")), "list_empty_ok": list(str("b"))}
	for _, tc := range []struct {
		param string
		value model.Value
		want  string // "" when it binds
	}{
		{"plain", str(""), "plain: is mandatory and cannot be an empty string"},
		{"plain", null, "plain: cannot be null"},
		{"empty_ok", str(""), ""},
		{"empty_ok", null, "empty_ok: cannot be null"},
		{"null_ok", null, ""},
		{"null_ok", str(""), "null_ok: is mandatory and cannot be an empty string"},
		{"list", list(), "list: is mandatory and cannot be an empty list"},
		{"list", list(str("a"), str("")), "list: element 2 cannot be an empty string (the parameter is mandatory)"},
		{"list", model.Array(model.TypeString, []model.Value{str("a"), null}), "list: element 2 cannot be null"},
		{"list", list(str("")), "list: is mandatory and cannot be an empty string"},
		{"list_empty_ok", list(), ""},
		{"list_empty_ok", list(str("a"), str("")), ""},
		{"optional", list(), ""},
		{"optional", list(str("")), ""},
		{"not_null", null, "not_null: cannot be null"},
		{"not_null", str(""), ""},
		{"number", model.Null(model.TypeUint32), "number: cannot be null"},
	} {
		var args []Arg
		for name, v := range base {
			if name != tc.param {
				args = append(args, argT(t, c, name, v))
			}
		}
		args = append(args, argT(t, c, tc.param, tc.value))
		_, err := c.Bind(args, nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s = %v: %v", tc.param, tc.value, err)
		case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
			t.Errorf("%s = %v: got %v, want %q", tc.param, tc.value, err, tc.want)
		}
	}
}
