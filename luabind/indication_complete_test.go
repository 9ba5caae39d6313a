package luabind

import (
	"strings"
	"testing"
)

// Tab completion knows register_indication_event's options and a
// subscription's methods and fields.
func TestIndicationComplete(t *testing.T) {
	e := newEnv(t)
	e.ok(`
		s = cim.new_session()
		sub = assert(s:register_indication_event{query = "SELECT * FROM __InstanceCreationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_Service'"})
	`)
	defer e.ok(`sub:close()`)
	for _, c := range []struct {
		text string
		want []string
	}{
		{`s:register_indication_event{acti`, []string{"action="}},
		{`s:register_indication_event{source`, []string{"source_identifier="}},
		{`cim.register_indication_event{cim_s`, []string{"cim_session="}},
		{`s:register_ind`, []string{"register_indication_event"}},
		{`sub:wa`, []string{"wait"}},
		{`sub:cl`, []string{"close"}},
		{`sub:co`, nil},
		{`sub.source`, []string{"source_identifier"}},
	} {
		if got, _ := e.m.Complete(c.text); strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("Complete(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
