package luabind

import (
	"context"
	"strings"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	lua "github.com/yuin/gopher-lua"
)

// opGetClass is get_class: one class, or the classes matching wildcards.
func (m *Module) opGetClass(L *lua.LState, self *sessionUD) int {
	c := m.begin(L, "get_class", self, 1)
	a := c.a
	name := a.str("class_name")
	if s, ok := c.posString(L, 0, "the class name"); ok {
		if a.has("class_name") {
			a.raise("give the class name once")
		}
		name = s
	}
	ns := a.str("namespace")
	methodPat, propPat := a.str("method_name"), a.str("property_name")
	t := m.resolveTarget(a, self)
	if name != "" && !strings.ContainsAny(name, "*?") && methodPat == "" && propPat == "" {
		return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
			cls, err := s.GetClass(ctx, ns, name)
			return opResult{items: []any{cls}, single: true}, err
		})
	}
	return m.run(L, t, func(ctx context.Context, s *cim.Session) (opResult, error) {
		classes, err := s.Classes(ctx, ns, "")
		if err != nil {
			return opResult{}, err
		}
		var items []any
		for _, cls := range classes {
			if name != "" && !globMatch(name, cls.Name) {
				continue
			}
			if methodPat != "" && !anyMethod(cls, methodPat) || propPat != "" && !anyProperty(cls, propPat) {
				continue
			}
			items = append(items, cls)
		}
		return opResult{items: items}, nil
	})
}

func anyMethod(c *model.Class, pat string) bool {
	for _, md := range c.Methods {
		if globMatch(pat, md.Name) {
			return true
		}
	}
	return false
}

func anyProperty(c *model.Class, pat string) bool {
	for _, p := range c.Properties {
		if globMatch(pat, p.Name) {
			return true
		}
	}
	return false
}

// globMatch matches name against a pattern with * and ?, ignoring case.
func globMatch(pat, name string) bool {
	p, n := []rune(strings.ToLower(pat)), []rune(strings.ToLower(name))
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(p) {
			switch p[i] {
			case '*':
				for k := j; k <= len(n); k++ {
					if match(i+1, k) {
						return true
					}
				}
				return false
			case '?':
				if j >= len(n) {
					return false
				}
			default:
				if j >= len(n) || n[j] != p[i] {
					return false
				}
			}
			i++
			j++
		}
		return j == len(n)
	}
	return match(0, 0)
}
