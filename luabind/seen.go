package luabind

import (
	"strings"
	"sync"

	"github.com/cimsh/cimsh/cim/model"
)

// seenClasses are the class names of the instances a session has
// returned, per namespace. The class cache holds only fetched schemas,
// so without these `s:get_instance("Win32_Pro<Tab>` would not complete
// right after listing Win32_Process. Filled as instances reach Lua,
// read by completion: never a network call.
type seenClasses struct {
	mu   sync.Mutex
	byNS map[string]map[string]string // namespace -> lower name -> name
	// lastNS and lastClass are the pair added last: a loop adds the
	// same one for every instance.
	lastNS, lastClass string
}

func seenKey(ns string) string {
	return strings.ToLower(strings.Trim(strings.ReplaceAll(model.NamespaceOr(ns), `\`, "/"), "/"))
}

func (c *seenClasses) add(ns, class string) {
	if class == "" || strings.HasPrefix(class, "__") {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if class == c.lastClass && ns == c.lastNS {
		return
	}
	c.lastNS, c.lastClass = ns, class
	if c.byNS == nil {
		c.byNS = map[string]map[string]string{}
	}
	k := seenKey(ns)
	if c.byNS[k] == nil {
		c.byNS[k] = map[string]string{}
	}
	c.byNS[k][strings.ToLower(class)] = class
}

func (c *seenClasses) names(ns string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, n := range c.byNS[seenKey(ns)] {
		out = append(out, n)
	}
	return out
}
