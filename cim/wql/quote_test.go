package wql

import (
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// TestErrorsQuoteLittle checks that an error quotes at most
// model.MaxQuoted bytes of each piece of the query it names (a 1 MB
// property name, number, object path key or string literal), with the
// piece's full length, rather than echoing the query back.
func TestErrorsQuoteLittle(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	nines := strings.Repeat("9", 1<<20)
	class := &model.Class{Name: "C", Properties: []model.PropertyDecl{{Name: "N", Type: model.TypeUint32}, {Name: "D", Type: model.TypeDatetime}}}
	inst := model.NewInstanceOf("C", "", model.Property{Name: "N", Value: model.Uint(model.TypeUint32, 1)}, model.Property{Name: "D", Value: model.DatetimeValue(model.Datetime{})})
	for _, q := range []string{
		"SELECT * FROM C WHERE " + huge + " 1",
		"SELECT * FROM C WHERE N = " + nines,
		"SELECT * FROM C WHERE N = 0x" + nines,
		"SELECT * FROM C WHERE N = " + nines + ".5e99999",
		"SELECT * FROM __InstanceCreationEvent WITHIN " + nines,
		"ASSOCIATORS OF {C." + huge + "}",
		"ASSOCIATORS OF {C." + huge + "=}",
		"ASSOCIATORS OF {C." + huge + "=1," + huge + "=2}",
		"SELECT * FROM C WHERE " + huge + " = 1",
		"SELECT * FROM C WHERE N = '" + huge + "'",
		"SELECT * FROM C WHERE D = '" + huge + "'",
	} {
		parsed, err := Parse(q)
		if err == nil {
			if err = parsed.Check(class); err == nil {
				_, err = parsed.Match(inst)
			}
		}
		if err == nil {
			t.Errorf("%.60q: no error", q)
			continue
		}
		if msg := err.Error(); len(msg) > 3*model.MaxQuoted || !strings.Contains(msg, "bytes)") {
			t.Errorf("%.60q: error of %d bytes: %.300q", q, len(msg), msg)
		}
	}
}
