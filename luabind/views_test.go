package luabind

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// TestDefaultColumns checks the REPL's table columns: the views of the
// five classes people list most (whatever the case of the class name),
// keys and the first few properties for other classes, and
// PSComputerName first when the rows come from several computers.
func TestDefaultColumns(t *testing.T) {
	withProps := func(class, host string, keys []string, props ...string) *model.Instance {
		i := model.NewInstance(class, "")
		for _, k := range keys {
			i.SetKey(k, model.String("k"))
		}
		for _, p := range props {
			i.Set(p, model.String("v"))
		}
		i.ComputerName = host
		return i
	}
	for _, class := range []string{"Win32_Service", "Win32_Process", "win32_logicaldisk", "Win32_OperatingSystem", "Win32_NetworkAdapterConfiguration"} {
		got := DefaultColumns([]*model.Instance{withProps(class, "h", []string{"Name"}, "A", "B")})
		if want := Views[strings.ToLower(class)]; len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want the view %v", class, got, want)
		}
	}
	other := withProps("Cimsh_Thing", "h", []string{"Id", "Ns"}, "__GENUS", "P1", "P2", "P3", "P4", "P5")
	if got, want := DefaultColumns([]*model.Instance{other}), []string{"Id", "Ns", "P1", "P2", "P3", "P4"}; !reflect.DeepEqual(got, want) {
		t.Errorf("other class: %v, want %v", got, want)
	}
	a, b := withProps("Win32_Service", "h1", []string{"Name"}), withProps("Win32_Service", "h2", []string{"Name"})
	if got := DefaultColumns([]*model.Instance{a, b}); got[0] != "PSComputerName" || got[1] != "ProcessId" {
		t.Errorf("several computers: %v", got)
	}
	mixed := DefaultColumns([]*model.Instance{a, withProps("Cimsh_Thing", "h1", []string{"Id"})})
	if mixed[0] != "Name" {
		t.Errorf("mixed classes use the first one's keys, not a view: %v", mixed)
	}
	if DefaultColumns(nil) != nil {
		t.Error("no instances, no columns")
	}
}
