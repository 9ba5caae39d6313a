// Package cdxmltest serves the CIM classes that cimsh's CDXML test
// modules work against, on top of the WS-Man test server's fixture
// computer: Cimsh_Widget, Cimsh_Box and their association Cimsh_BoxContents
// in root/cimsh (for testdata/own/Widget), PSCore_Test1 in root/default
// (for PowerShell's own CimTest module, testdata/public/powershell), with
// the instances PowerShell's CreateCimTest.mof creates, and
// Win32_Environment, CIM_DataFile and CIM_ProcessExecutable in root/cimv2
// (for the examples of Microsoft's documentation,
// testdata/public/microsoft-docs).
package cdxmltest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Namespaces of the test classes.
const (
	WidgetNamespace = "root/cimsh"
	CimTestNS       = "root/default"
)

// UnluckySize is the NewSize that Cimsh_Widget.Resize refuses with
// ReturnValue 5, leaving the widget as it was.
const UnluckySize = 13

// World is the fixture computer with the test classes; its methods let a
// test look at the state behind them.
type World struct {
	*memprov.Provider

	mu      sync.Mutex
	widgets map[string]*model.Instance // by lower-case Name
	tests   map[string]*model.Instance // PSCore_Test1 by id
	nextID  uint64

	environment map[string]*model.Instance // Win32_Environment by user\name, lower case
}

var widgetClass = &model.Class{Name: "Cimsh_Widget", Properties: []model.PropertyDecl{
	{Name: "Name", Type: model.TypeString, Key: true},
	{Name: "Id", Type: model.TypeUint32},
	{Name: "Size", Type: model.TypeUint64},
	{Name: "Color", Type: model.TypeUint16},
	{Name: "Enabled", Type: model.TypeBoolean},
	{Name: "Features", Type: model.TypeUint32},
	{Name: "Owner", Type: model.TypeString},
	{Name: "Tags", Type: model.TypeString, Array: true},
	{Name: "Created", Type: model.TypeDatetime},
	{Name: "LastReason", Type: model.TypeString},
}, Methods: []model.Method{
	{Name: "Resize", ReturnType: model.TypeUint32, Parameters: []model.Parameter{
		{Name: "NewSize", Type: model.TypeUint64, In: true},
		{Name: "Reason", Type: model.TypeString, In: true},
		{Name: "OldSize", Type: model.TypeUint64, Out: true},
	}},
	{Name: "Enable", ReturnType: model.TypeUint32, Parameters: []model.Parameter{
		{Name: "Features", Type: model.TypeUint32, In: true},
	}},
	{Name: "Build", ReturnType: model.TypeUint32, Static: true, Parameters: []model.Parameter{
		{Name: "Kit", Type: model.TypeString, In: true},
		{Name: "Color", Type: model.TypeUint16, In: true},
		{Name: "WidgetName", Type: model.TypeString, Out: true},
	}},
	{Name: "BuildCustom", ReturnType: model.TypeUint32, Static: true, Parameters: []model.Parameter{
		{Name: "Parts", Type: model.TypeString, Array: true, In: true},
		{Name: "Color", Type: model.TypeUint16, In: true},
		{Name: "WidgetName", Type: model.TypeString, Out: true},
	}},
}}

var boxClass = &model.Class{Name: "Cimsh_Box", Properties: []model.PropertyDecl{
	{Name: "Name", Type: model.TypeString, Key: true},
}}

var contentsClass = &model.Class{Name: "Cimsh_BoxContents",
	Qualifiers: []model.Qualifier{{Name: "Association", Value: model.Bool(true)}},
	Properties: []model.PropertyDecl{
		{Name: "Box", Type: model.TypeReference, RefClass: "Cimsh_Box", Key: true},
		{Name: "Widget", Type: model.TypeReference, RefClass: "Cimsh_Widget", Key: true},
	}}

var testClass = &model.Class{Name: "PSCore_Test1", Properties: []model.PropertyDecl{
	{Name: "id", Type: model.TypeString, Key: true},
	{Name: "field1", Type: model.TypeString},
	{Name: "field2", Type: model.TypeSint32},
	{Name: "datetime", Type: model.TypeDatetime},
}}

// Widget is one row of the widget table.
type Widget struct {
	Name    string
	Id      uint64
	Size    uint64
	Color   uint64
	Enabled bool
	Owner   string
}

// Widgets are the widgets a new World holds, and Boxes which box holds
// which (b3 is empty).
var (
	Widgets = []Widget{
		{"w1", 1, 10, 1, true, "ann"},
		{"w2", 2, 200, 2, false, "bob"},
		{"w3", 3, 3000, 4, true, "cy"},
		{"odd_[x]%", 4, 50, 1, false, "dee"},
	}
	Boxes = map[string][]string{"b1": {"w1", "w2"}, "b2": {"w3"}, "b3": nil}
)

// New returns the fixture computer (wsmantest.FixtureProvider) with the
// test classes added, stamped with computer.
func New(computer string) *World {
	p, ok := wsmantest.FixtureProvider(computer).(*memprov.Provider)
	if !ok {
		panic("cdxmltest: the fixture provider is not a memprov.Provider")
	}
	w := &World{Provider: p, widgets: map[string]*model.Instance{}, tests: map[string]*model.Instance{}, nextID: 100,
		environment: map[string]*model.Instance{}}
	created := model.NewTimestamp(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, x := range Widgets {
		inst := model.NewInstance("Cimsh_Widget", WidgetNamespace)
		inst.SetKey("Name", model.String(x.Name))
		inst.Set("Id", model.Uint(model.TypeUint32, x.Id))
		inst.Set("Size", model.Uint(model.TypeUint64, x.Size))
		inst.Set("Color", model.Uint(model.TypeUint16, x.Color))
		inst.Set("Enabled", model.Bool(x.Enabled))
		inst.Set("Features", model.Uint(model.TypeUint32, 0))
		inst.Set("Owner", model.String(x.Owner))
		inst.Set("Tags", model.Array(model.TypeString, []model.Value{model.String("t-" + x.Name)}))
		inst.Set("Created", model.DatetimeValue(created))
		inst.Set("LastReason", model.Null(model.TypeString))
		w.widgets[strings.ToLower(x.Name)] = inst
	}
	p.Register(WidgetNamespace, memprov.ClassDef{Class: widgetClass, List: w.listWidgets,
		Create: w.createWidget, Modify: w.modifyWidget, Delete: w.deleteWidget,
		Methods: map[string]memprov.MethodFunc{"Resize": w.resize, "Enable": w.enable, "Build": w.build, "BuildCustom": w.build}})
	p.Register(WidgetNamespace, memprov.ClassDef{Class: boxClass, List: func(context.Context) ([]*model.Instance, error) {
		var out []*model.Instance
		for _, n := range sortedKeys(Boxes) {
			b := model.NewInstance("Cimsh_Box", WidgetNamespace)
			b.SetKey("Name", model.String(n))
			out = append(out, b)
		}
		return out, nil
	}})
	p.Register(WidgetNamespace, memprov.ClassDef{Class: contentsClass, List: w.listContents})

	for i := 1; i <= 4; i++ {
		t := model.NewInstance("PSCore_Test1", CimTestNS)
		t.SetKey("id", model.String(fmt.Sprint(i)))
		t.Set("field1", model.String(fmt.Sprintf("instance %d", i)))
		t.Set("field2", model.Sint(model.TypeSint32, int64(-i)))
		if i == 1 {
			t.Set("datetime", model.DatetimeValue(model.NewTimestamp(time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC))))
		} else {
			t.Set("datetime", model.Null(model.TypeDatetime))
		}
		w.tests[fmt.Sprint(i)] = t
	}
	p.Register(CimTestNS, memprov.ClassDef{Class: testClass,
		List: func(context.Context) ([]*model.Instance, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			return cloneSorted(w.tests), nil
		},
		Create: func(_ context.Context, inst *model.Instance) (*model.Instance, error) {
			return w.put(w.tests, "id", inst, true)
		},
		Modify: func(_ context.Context, inst *model.Instance) (*model.Instance, error) {
			return w.put(w.tests, "id", inst, false)
		},
		Delete: func(_ context.Context, path *model.Reference) error { return w.remove(w.tests, "id", path) },
	})
	w.registerDocs(p)
	return w
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func cloneSorted(m map[string]*model.Instance) []*model.Instance {
	var out []*model.Instance
	for _, k := range sortedKeys(m) {
		out = append(out, m[k].Clone())
	}
	return out
}

// Widget returns a copy of the widget named name, nil when there is none.
func (w *World) Widget(name string) *model.Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i, ok := w.widgets[strings.ToLower(name)]; ok {
		return i.Clone()
	}
	return nil
}

// WidgetNames lists the widgets' names, sorted.
func (w *World) WidgetNames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, i := range w.widgets {
		v, _ := i.Get("Name")
		out = append(out, v.Text())
	}
	sort.Strings(out)
	return out
}

// Test returns a copy of the PSCore_Test1 instance with id, nil when none.
func (w *World) Test(id string) *model.Instance {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i, ok := w.tests[id]; ok {
		return i.Clone()
	}
	return nil
}

func (w *World) listWidgets(context.Context) ([]*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return cloneSorted(w.widgets), nil
}

func (w *World) listContents(context.Context) ([]*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []*model.Instance
	for _, b := range sortedKeys(Boxes) {
		for _, name := range Boxes[b] {
			if _, ok := w.widgets[strings.ToLower(name)]; !ok {
				continue
			}
			link := model.NewInstance("Cimsh_BoxContents", WidgetNamespace)
			link.SetKey("Box", model.Ref(&model.Reference{ClassName: "Cimsh_Box", Namespace: WidgetNamespace,
				Selectors: []model.Selector{{Name: "Name", Value: b}}}))
			link.SetKey("Widget", model.Ref(&model.Reference{ClassName: "Cimsh_Widget", Namespace: WidgetNamespace,
				Selectors: []model.Selector{{Name: "Name", Value: name}}}))
			out = append(out, link)
		}
	}
	return out, nil
}

// put creates (or, with create false, modifies) an instance of a table
// keyed by key.
func (w *World) put(table map[string]*model.Instance, key string, inst *model.Instance, create bool) (*model.Instance, error) {
	kv, ok := inst.Get(key)
	if !ok || kv.IsNull() || kv.Text() == "" {
		return nil, model.NewFault(model.CIMInvalidParameter, "cdxmltest: %s needs its key %s", inst.ClassName, key)
	}
	k := strings.ToLower(kv.Text())
	w.mu.Lock()
	defer w.mu.Unlock()
	old, exists := table[k]
	switch {
	case create && exists:
		return nil, model.NewFault(model.CIMAlreadyExists, "cdxmltest: %s %s=%q exists", inst.ClassName, key, kv.Text())
	case !create && !exists:
		return nil, model.NewFault(model.CIMNotFound, "cdxmltest: no %s %s=%q", inst.ClassName, key, kv.Text())
	}
	var stored *model.Instance
	if create {
		stored = inst.Clone()
	} else {
		stored = old.Clone()
		for _, p := range inst.All() {
			stored.Set(p.Name, p.Value)
		}
	}
	stored.MarkKeys([]string{key})
	table[k] = stored
	return stored.Clone(), nil
}

func (w *World) remove(table map[string]*model.Instance, key string, path *model.Reference) error {
	s, ok := path.Selector(key)
	if !ok {
		return model.NewFault(model.CIMInvalidParameter, "cdxmltest: the path names no %s", key)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := strings.ToLower(s.Value)
	if _, ok := table[k]; !ok {
		return model.NewFault(model.CIMNotFound, "cdxmltest: no %s %s=%q", path.ClassName, key, s.Value)
	}
	delete(table, k)
	return nil
}

func (w *World) createWidget(_ context.Context, inst *model.Instance) (*model.Instance, error) {
	if v, ok := inst.Get("Id"); !ok || v.IsNull() {
		return nil, model.NewFault(model.CIMInvalidParameter, "cdxmltest: a widget needs an Id")
	}
	return w.put(w.widgets, "Name", inst, true)
}

func (w *World) modifyWidget(_ context.Context, inst *model.Instance) (*model.Instance, error) {
	return w.put(w.widgets, "Name", inst, false)
}

func (w *World) deleteWidget(_ context.Context, path *model.Reference) error {
	return w.remove(w.widgets, "Name", path)
}

func returnValue(rv uint64, pairs ...any) *model.Instance {
	out := model.NewInstance("__PARAMETERS", "")
	out.Set("ReturnValue", model.Uint(model.TypeUint32, rv))
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Set(pairs[i].(string), pairs[i+1].(model.Value))
	}
	return out
}

// target finds the stored widget a method is invoked on.
func (w *World) target(t *model.Instance) (*model.Instance, error) {
	v, ok := t.Get("Name")
	if !ok {
		return nil, model.NewFault(model.CIMInvalidParameter, "cdxmltest: the method needs a widget")
	}
	inst, ok := w.widgets[strings.ToLower(v.Text())]
	if !ok {
		return nil, model.NewFault(model.CIMNotFound, "cdxmltest: no widget %q", v.Text())
	}
	return inst, nil
}

func (w *World) resize(_ context.Context, t, in *model.Instance) (*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	inst, err := w.target(t)
	if err != nil {
		return nil, err
	}
	nv, _ := in.Get("NewSize")
	n, _ := nv.AsUint()
	if n == UnluckySize {
		return returnValue(5), nil
	}
	old, _ := inst.Get("Size")
	inst.Set("Size", model.Uint(model.TypeUint64, n))
	if r, ok := in.Get("Reason"); ok {
		inst.Set("LastReason", r)
	}
	return returnValue(0, "OldSize", old), nil
}

func (w *World) enable(_ context.Context, t, in *model.Instance) (*model.Instance, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	inst, err := w.target(t)
	if err != nil {
		return nil, err
	}
	inst.Set("Enabled", model.Bool(true))
	if f, ok := in.Get("Features"); ok && !f.IsNull() {
		inst.Set("Features", f)
	}
	return returnValue(0), nil
}

// build is Build (a widget named kit-KIT) and BuildCustom (named after
// its parts joined with +).
func (w *World) build(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
	var name string
	if k, ok := in.Get("Kit"); ok && !k.IsNull() {
		name = "kit-" + k.Text()
	} else if p, ok := in.Get("Parts"); ok && !p.IsNull() {
		var parts []string
		for _, e := range p.Elems() {
			parts = append(parts, e.Text())
		}
		name = strings.Join(parts, "+")
	} else {
		name = "kit-none"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, exists := w.widgets[strings.ToLower(name)]; exists {
		return returnValue(11), nil
	}
	w.nextID++
	inst := model.NewInstance("Cimsh_Widget", WidgetNamespace)
	inst.SetKey("Name", model.String(name))
	inst.Set("Id", model.Uint(model.TypeUint32, w.nextID))
	inst.Set("Size", model.Uint(model.TypeUint64, 1))
	color := model.Uint(model.TypeUint16, 0)
	if c, ok := in.Get("Color"); ok && !c.IsNull() {
		color = c
	}
	inst.Set("Color", color)
	inst.Set("Enabled", model.Bool(false))
	w.widgets[strings.ToLower(name)] = inst
	return returnValue(0, "WidgetName", model.String(name)), nil
}
