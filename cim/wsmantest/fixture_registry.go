package wsmantest

import (
	"context"
	"sort"
	"strings"

	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
)

// Registry hives as StdRegProv numbers them.
const (
	hkeyLocalMachine = 0x80000002
	hkeyCurrentUser  = 0x80000001
)

// StdRegProv return values (Win32 error codes).
const (
	regOK       = 0
	regNotFound = 2
)

// registry is an in-memory registry: keys by hive and lower-case path.
type registry struct {
	keys map[regPath]*regKey
}

type regPath struct {
	hive uint64
	path string // lower case, no leading or trailing backslash
}

type regKey struct {
	name   string // the last path component as created
	values map[string]regValue
}

type regValue struct {
	name  string
	kind  int32 // 1 REG_SZ, 4 REG_DWORD
	str   string
	dword uint32
}

func newRegistry() *registry {
	r := &registry{keys: map[regPath]*regKey{}}
	r.create(hkeyLocalMachine, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`)
	// The fixture machine's Windows Server 2012 (InstallDate as in its
	// Win32_OperatingSystem, 2013-03-09T02:57:32Z).
	r.set(hkeyLocalMachine, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, regValue{name: "ProductName", kind: 1, str: "Windows Server 2012 Standard"})
	r.set(hkeyLocalMachine, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, regValue{name: "CurrentBuild", kind: 1, str: "9200"})
	r.set(hkeyLocalMachine, `SOFTWARE\Microsoft\Windows NT\CurrentVersion`, regValue{name: "InstallDate", kind: 4, dword: 1362797852})
	r.create(hkeyLocalMachine, `SOFTWARE\Microsoft\Windows\CurrentVersion`)
	r.create(hkeyLocalMachine, `SOFTWARE\cimsh\Test`)
	r.set(hkeyLocalMachine, `SOFTWARE\cimsh\Test`, regValue{name: "Greeting", kind: 1, str: "hello"})
	r.create(hkeyCurrentUser, `Environment`)
	return r
}

func normPath(p string) string { return strings.ToLower(strings.Trim(p, `\`)) }

// create makes a key and its parents.
func (r *registry) create(hive uint64, p string) {
	parts := strings.Split(strings.Trim(p, `\`), `\`)
	for i := range parts {
		k := regPath{hive, normPath(strings.Join(parts[:i+1], `\`))}
		if r.keys[k] == nil {
			r.keys[k] = &regKey{name: parts[i], values: map[string]regValue{}}
		}
	}
}

func (r *registry) set(hive uint64, p string, v regValue) bool {
	k := r.keys[regPath{hive, normPath(p)}]
	if k == nil {
		return false
	}
	k.values[strings.ToLower(v.name)] = v
	return true
}

func (r *registry) get(hive uint64, p, name string) (regValue, bool) {
	k := r.keys[regPath{hive, normPath(p)}]
	if k == nil {
		return regValue{}, false
	}
	v, ok := k.values[strings.ToLower(name)]
	return v, ok
}

// subkeys lists the names of the direct subkeys of p, sorted.
func (r *registry) subkeys(hive uint64, p string) ([]string, bool) {
	base := normPath(p)
	if base != "" && r.keys[regPath{hive, base}] == nil {
		return nil, false
	}
	var names []string
	for k, key := range r.keys {
		if k.hive != hive {
			continue
		}
		rest := k.path
		if base != "" {
			var ok bool
			if rest, ok = strings.CutPrefix(k.path, base+`\`); !ok {
				continue
			}
		}
		if rest != "" && !strings.Contains(rest, `\`) {
			names = append(names, key.name)
		}
	}
	sort.Strings(names)
	return names, true
}

var stdRegProvClass = &model.Class{Name: "StdRegProv",
	Methods: []model.Method{
		{Name: "GetStringValue", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str), in("sValueName", ty.Str), out("sValue", ty.Str)}},
		{Name: "SetStringValue", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str), in("sValueName", ty.Str), in("sValue", ty.Str)}},
		{Name: "GetDWORDValue", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str), in("sValueName", ty.Str), out("uValue", ty.U32)}},
		{Name: "EnumKey", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str), outArray("sNames", ty.Str)}},
		{Name: "EnumValues", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str), outArray("sNames", ty.Str), outArray("Types", ty.S32)}},
		{Name: "CreateKey", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str)}},
		{Name: "DeleteKey", ReturnType: ty.U32, Static: true, Parameters: []model.Parameter{
			in("hDefKey", ty.U32), in("sSubKeyName", ty.Str)}},
	}}

// registerRegistry adds StdRegProv in root/default.
func (f *fixture) registerRegistry(p *memprov.Provider) {
	f.registry = newRegistry()
	hive := func(in *model.Instance) uint64 {
		if in != nil {
			if v, ok := in.Get("hDefKey"); ok {
				if u, ok := v.AsUint(); ok {
					return u
				}
			}
		}
		return hkeyLocalMachine
	}
	locked := func(fn memprov.MethodFunc) memprov.MethodFunc {
		return func(ctx context.Context, t *model.Instance, in *model.Instance) (*model.Instance, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return fn(ctx, t, in)
		}
	}
	r := f.registry
	p.Register("root/default", memprov.ClassDef{Class: stdRegProvClass, Methods: map[string]memprov.MethodFunc{
		"GetStringValue": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			v, ok := r.get(hive(in), inString(in, "sSubKeyName"), inString(in, "sValueName"))
			if !ok || v.kind != 1 {
				return returnValue(1), nil
			}
			return returnValue(regOK, "sValue", str(v.str)), nil
		}),
		"SetStringValue": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			if !r.set(hive(in), inString(in, "sSubKeyName"), regValue{name: inString(in, "sValueName"), kind: 1, str: inString(in, "sValue")}) {
				return returnValue(regNotFound), nil
			}
			return returnValue(regOK), nil
		}),
		"GetDWORDValue": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			v, ok := r.get(hive(in), inString(in, "sSubKeyName"), inString(in, "sValueName"))
			if !ok || v.kind != 4 {
				return returnValue(1), nil
			}
			return returnValue(regOK, "uValue", u32(uint64(v.dword))), nil
		}),
		"EnumKey": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			names, ok := r.subkeys(hive(in), inString(in, "sSubKeyName"))
			if !ok {
				return returnValue(regNotFound), nil
			}
			return returnValue(regOK, "sNames", strs(names...)), nil
		}),
		"EnumValues": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			k := r.keys[regPath{hive(in), normPath(inString(in, "sSubKeyName"))}]
			if k == nil {
				return returnValue(regNotFound), nil
			}
			var vals []regValue
			for _, v := range k.values {
				vals = append(vals, v)
			}
			sort.Slice(vals, func(i, j int) bool { return vals[i].name < vals[j].name })
			names := make([]string, len(vals))
			types := make([]model.Value, len(vals))
			for i, v := range vals {
				names[i], types[i] = v.name, s32(int64(v.kind))
			}
			return returnValue(regOK, "sNames", strs(names...), "Types", model.Array(ty.S32, types)), nil
		}),
		"CreateKey": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			r.create(hive(in), inString(in, "sSubKeyName"))
			return returnValue(regOK), nil
		}),
		"DeleteKey": locked(func(_ context.Context, _ *model.Instance, in *model.Instance) (*model.Instance, error) {
			k := regPath{hive(in), normPath(inString(in, "sSubKeyName"))}
			if r.keys[k] == nil {
				return returnValue(regNotFound), nil
			}
			if subs, _ := r.subkeys(k.hive, k.path); len(subs) > 0 {
				return returnValue(5), nil // access denied: the key has subkeys
			}
			delete(r.keys, k)
			return returnValue(regOK), nil
		}),
	}})
}
