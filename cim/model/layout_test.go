package model

import (
	"strings"
	"testing"
)

// Instances that share a layout (as a decoder's do) or came from Clone
// change their own names, keys and values only: every change on one
// leaves the others as they were.
func TestSharedLayoutIsNeverWritten(t *testing.T) {
	props := []Property{{Name: "Handle", Value: String("1"), Key: true}, {Name: "Name", Value: String("a")}, {Name: "Size", Value: Uint(TypeUint32, 7)}}
	first := NewInstanceOf("C", "root/x", props...)
	describe := func(i *Instance) string {
		var b strings.Builder
		for _, p := range i.All() {
			b.WriteString(p.Name + "=" + p.Value.Text())
			if p.Key {
				b.WriteString("*")
			}
			b.WriteString(" ")
		}
		return b.String()
	}
	const want = "Handle=1* Name=a Size=7 "
	changes := map[string]func(i *Instance){
		"SetKeyAt":   func(i *Instance) { i.SetKeyAt(1, true) },
		"MarkKeys":   func(i *Instance) { i.MarkKeys([]string{"size"}) },
		"Rename":     func(i *Instance) { i.Rename(0, "Other") },
		"Remove":     func(i *Instance) { i.Remove("Handle") },
		"Append":     func(i *Instance) { i.Append(Property{Name: "Extra", Value: String("x")}) },
		"Set new":    func(i *Instance) { i.Set("Extra", String("x")) },
		"SetKey new": func(i *Instance) { i.SetKey("Extra", String("x")) },
		"Set":        func(i *Instance) { i.Set("Name", String("b")) },
		"SetAt":      func(i *Instance) { i.SetAt(2, Uint(TypeUint32, 8)) },
		"Retain":     func(i *Instance) { i.Retain(func(p Property) bool { return p.Key }) },
		"SetProperties": func(i *Instance) {
			i.SetProperties([]Property{{Name: "Q", Value: String("q")}})
		},
	}
	for name, change := range changes {
		// Shared through SetLayout, as a shape's items share their proto's.
		a, b := NewInstance("C", "root/x"), NewInstance("C", "root/x")
		a.SetLayout(first.Layout(), append([]Value(nil), first.Values()...))
		b.SetLayout(first.Layout(), append([]Value(nil), first.Values()...))
		change(a)
		if got := describe(b); got != want {
			t.Errorf("%s on one of two instances sharing a layout: the other is %q", name, got)
		}
		if got := describe(first); got != want {
			t.Errorf("%s on an instance sharing first's layout: first is %q", name, got)
		}
		if describe(a) == want {
			t.Errorf("%s changed nothing", name)
		}
		// Clone, then either changes.
		c := first.Clone()
		change(c)
		if got := describe(first); got != want {
			t.Errorf("%s on a clone: the original is %q", name, got)
		}
		d := NewInstanceOf("C", "root/x", props...)
		e := d.Clone()
		change(d)
		if got := describe(e); got != want {
			t.Errorf("%s on the original: its clone is %q", name, got)
		}
	}
	// An instance built by Append has room to grow; its clone and it
	// append independently.
	g := NewInstance("C", "")
	for _, p := range props {
		g.Append(p)
	}
	h := g.Clone()
	g.Append(Property{Name: "G", Value: String("g")})
	h.Append(Property{Name: "H", Value: String("h")})
	if got := describe(g); got != want+"G=g " {
		t.Errorf("g = %q", got)
	}
	if got := describe(h); got != want+"H=h " {
		t.Errorf("h = %q", got)
	}
}
