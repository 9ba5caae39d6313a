package cdxml

import "testing"

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		match      bool
	}{
		{"w*", "W1", true},
		{"w?", "w12", false},
		{"w[12]", "w2", true},
		{"w[a-c]x", "wBx", true},
		{"w[a-c]x", "wdx", false},
		{"*", "", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"odd_`[x`]%", "odd_[x]%", true},
		{"odd_[x]%", "odd_[x]%", false},
		{"[", "[", true}, // unclosed: a literal
		{"a`*", "a*", true},
		{"a`*", "ab", false},
	} {
		if got := wildcardMatch(c.pattern, c.s); got != c.match {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
	for _, c := range []struct {
		pattern, like string
		ok            bool
	}{
		{"w*", "w%", true},
		{"w?_%", "w_[_][%]", true},
		{"[ab]*", "[ab]%", true},
		{"[a-c]", "[a-c]", true},
		{"`[x`]", "[[]x]", true},
		{"[^a]", "", false},
		{"[a-]", "", false},
	} {
		got, ok := wildcardToLike(c.pattern)
		if got != c.like || ok != c.ok {
			t.Errorf("wildcardToLike(%q) = %q, %v", c.pattern, got, ok)
		}
	}
	if hasWildcard("a`*") || !hasWildcard("a*") || !hasWildcard("[x]") || hasWildcard("plain") {
		t.Error("hasWildcard")
	}
}
