package luabind

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestWSManBadValues: a server reply holding a value that does not fit
// its declared type (ProcessId, a uint32, sent as -1) is an operational
// failure: get_instance and query return nil, err naming the class,
// property, value and type; a streaming loop raises it.
func TestWSManBadValues(t *testing.T) {
	for _, d := range []wsmantest.Dialect{wsmantest.Windows, wsmantest.OMI} {
		t.Run(d.String(), func(t *testing.T) {
			e, srv := newWSManEnv(t, wsmantest.Options{Dialect: d, MaxBatch: 3})
			re := regexp.MustCompile(`(<[\w-]+:ProcessId>)[^<]*(</)`)
			bad := func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
				r.Body = re.ReplaceAll(r.Body, []byte("${1}-1${2}"))
			}
			// A Pull of a context the server no longer holds is not the
			// operation's: an operation that failed on its first page gave
			// up on the Pull it had sent ahead and released the context,
			// and the server may read that Pull during the next operation.
			current := func(l *wsmantest.LoggedRequest) bool { return l.IsOperation("Pull") && !l.UnknownContext }
			instances := func(l *wsmantest.LoggedRequest) bool {
				return (l.IsOperation("Enumerate") || current(l) || l.IsOperation("Get")) && !strings.Contains(l.ResourceURI, "cim-xml")
			}
			e.ok(`assert(s:get_instance("Win32_Service"))`) // the schema is known from here on
			srv.RewriteReplies(instances, 1, bad)
			e.ok(`
				local list, err = s:get_instance("Win32_Service")
				assert(list == nil and err, "bad value accepted")
				assert(err.category == "protocol", err.category)
				local msg = tostring(err)
				for _, want in ipairs{"Win32_Service", "ProcessId", '"-1"', "uint32"} do
					assert(msg:find(want, 1, true), msg .. " does not name " .. want)
				end
				assert(not msg:find("wsman:", 1, true), msg)
			`)
			srv.RewriteReplies(instances, 1, bad)
			e.ok(`
				local list, err = s:query("SELECT * FROM Win32_Service")
				assert(list == nil and err and err.category == "protocol", tostring(err))
			`)
			// The second page is bad: the loop raises after the first.
			srv.RewriteReplies(current, 1, bad)
			e.ok(`
				local n = 0
				local ok, err = pcall(function()
					for svc in s:instances("Win32_Service") do n = n + 1 end
				end)
				assert(not ok, "the loop ended without an error")
				assert(n == 3, n)
				err = tostring(err)
				assert(err:find("instances: ", 1, true) and err:find("ProcessId", 1, true) and err:find('"-1"', 1, true), err)
			`)
			if n := srv.Counters().Enumerations; n != 0 {
				t.Errorf("%d enumeration contexts left open", n)
			}
			e.ok(`assert(s:get_instance("Win32_Service"))`)
		})
	}
}
