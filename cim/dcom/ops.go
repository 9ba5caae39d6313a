package dcom

import (
	"context"
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/wmi"
	"github.com/cimsh/cimsh/cim/dcom/wmio"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

const semiSync = wmi.WbemFlagReturnImmed | wmi.WbemFlagForwardOnly

// Enumerate runs a query (WQL), a class enumeration or an association
// query (ASSOCIATORS OF / REFERENCES OF) semi-synchronously.
func (p *Provider) Enumerate(ctx context.Context, req *model.EnumerateRequest) (model.Enumerator, error) {
	if req.QueryDialect != "" && !strings.EqualFold(req.QueryDialect, "WQL") {
		return nil, p.fault(nil, model.NewFault(model.CIMQueryLanguageNotSupported, "query dialect %s is not supported over DCOM (WQL is)", req.QueryDialect))
	}
	query := req.Query
	switch {
	case req.Associated != nil:
		query = associationQuery(req.Associated, req.KeyOnly)
	case query != "":
	case req.KeyOnly || len(req.Properties) > 0:
		props := req.Properties
		if req.KeyOnly {
			c, err := p.class(ctx, req.Namespace, req.ClassName)
			if err != nil {
				return nil, err
			}
			props = c.KeyNames()
		}
		if len(props) == 0 {
			props = []string{"*"}
		}
		query = fmt.Sprintf("SELECT %s FROM %s", strings.Join(props, ", "), req.ClassName)
	case req.Shallow:
		e, err := p.enumerate(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) (ndr.GUID, error) {
			return conn.CreateInstanceEnum(ctx, svc, req.ClassName, semiSync|wmi.WbemFlagShallow)
		}, false)
		return withBatch(e, req.BatchSize), explain(err, req.Namespace, req.ClassName, "")
	default:
		query = "SELECT * FROM " + req.ClassName
	}
	e, err := p.enumerate(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) (ndr.GUID, error) {
		return conn.ExecQuery(ctx, svc, "WQL", query, semiSync)
	}, false)
	return withBatch(e, req.BatchSize), explain(err, req.Namespace, req.ClassName, req.Query)
}

func withBatch(e *enumerator, n int) model.Enumerator {
	if e == nil {
		return nil
	}
	if n > 0 {
		e.batch = uint32(n)
	}
	return e
}

// associationQuery writes Get-CimAssociatedInstance as WQL.
func associationQuery(a *model.AssociationFilter, keysOnly bool) string {
	var b strings.Builder
	verb := "ASSOCIATORS"
	if a.References {
		verb = "REFERENCES"
	}
	fmt.Fprintf(&b, "%s OF {%s}", verb, relPath(a.Source))
	var where []string
	if a.AssociationClass != "" {
		if a.References {
			where = append(where, "ResultClass = "+a.AssociationClass)
		} else {
			where = append(where, "AssocClass = "+a.AssociationClass)
		}
	}
	if a.ResultClass != "" && !a.References {
		where = append(where, "ResultClass = "+a.ResultClass)
	}
	if a.Role != "" {
		where = append(where, "Role = "+a.Role)
	}
	if a.ResultRole != "" && !a.References {
		where = append(where, "ResultRole = "+a.ResultRole)
	}
	if keysOnly {
		where = append(where, "KeysOnly")
	}
	if len(where) > 0 {
		b.WriteString(" WHERE " + strings.Join(where, " "))
	}
	return b.String()
}

// Get fetches an instance by its keys (IWbemServices::GetObject).
func (p *Provider) Get(ctx context.Context, req *model.GetRequest) (*model.Instance, error) {
	var inst *model.Instance
	err := p.call(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) error {
		unit, err := conn.GetObject(ctx, svc, relPath(req.Path), 0)
		if err != nil {
			return err
		}
		inst, err = p.decodeInstance(unit, req.Namespace)
		return err
	})
	return inst, err
}

// Invoke calls a static or instance method (IWbemServices::ExecMethod)
// with in-parameters built from the method's signature.
func (p *Provider) Invoke(ctx context.Context, req *model.InvokeRequest) (*model.Instance, error) {
	class := req.ClassName
	if class == "" && req.Target != nil {
		class = req.Target.ClassName
	}
	c, err := p.class(ctx, req.Namespace, class)
	if err != nil {
		return nil, err
	}
	m := c.Method(req.Method)
	if m == nil {
		return nil, p.fault(nil, wmi.Fault("ExecMethod", wmi.EInvalidMethod, fmt.Sprintf("class %s has no method %q", class, clip(req.Method))))
	}
	var in []byte
	inClass, _ := wmio.Signatures(m)
	if inClass != nil || len(req.In) > 0 {
		if inClass == nil {
			inClass = &model.Class{Name: "__PARAMETERS"}
		}
		args := &model.Instance{ClassName: "__PARAMETERS"}
		for _, a := range req.In {
			if inClass.Property(a.Name) == nil {
				return nil, p.fault(nil, wmi.Fault("ExecMethod", wmi.EInvalidMethodParams, fmt.Sprintf("method %s has no parameter %q", m.Name, clip(a.Name))))
			}
			args.Append(a)
		}
		if in, err = wmio.EncodeInstance(args, &wmio.Schema{Class: inClass}, "", ""); err != nil {
			return nil, p.fault(nil, model.NewFault(model.CIMInvalidParameter, "%v", err))
		}
	}
	path := class
	if req.Target != nil {
		path = relPath(req.Target)
	}
	var out *model.Instance
	err = p.call(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) error {
		unit, err := conn.ExecMethod(ctx, svc, path, m.Name, in)
		if err != nil || unit == nil {
			return err
		}
		out, err = p.decodeInstance(unit, req.Namespace)
		return err
	})
	if err == nil && out == nil {
		out = &model.Instance{ClassName: "__PARAMETERS", ComputerName: p.cfg.ComputerName}
	}
	return out, err
}

// put writes an instance with PutInstance (with the IWbemContext wctx,
// or none) and reads it back. The instance carries the class's
// properties inst has; the others go as NULL.
func (p *Provider) put(ctx context.Context, ns string, inst *model.Instance, flags uint32, wctx []byte) (*model.Instance, error) {
	c, err := p.class(ctx, ns, inst.ClassName)
	if err != nil {
		return nil, err
	}
	full := &model.Instance{ClassName: c.Name}
	for _, d := range c.Properties {
		if v, ok := inst.Get(d.Name); ok {
			full.Append(model.Property{Name: d.Name, Value: v, Key: d.Key})
		}
	}
	unit, err := wmio.EncodeInstance(full, &wmio.Schema{Class: c, Derivation: nonEmpty(c.SuperClass)}, "", "")
	if err != nil {
		return nil, p.fault(nil, model.NewFault(model.CIMInvalidParameter, "%v", err))
	}
	var path string
	if err := p.call(ctx, ns, func(conn *wmi.Conn, svc ndr.GUID) (err error) {
		path, err = conn.PutInstance(ctx, svc, unit, flags, wctx)
		return err
	}); err != nil {
		return nil, err
	}
	ref := full.Path()
	if path != "" {
		if r, err := wql.ParseObjectPath(path); err == nil {
			ref = r
		}
	}
	return p.Get(ctx, &model.GetRequest{Common: model.Common{Namespace: ns}, Path: ref})
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Create makes an instance (PutInstance with WBEM_FLAG_CREATE_ONLY).
func (p *Provider) Create(ctx context.Context, req *model.CreateRequest) (*model.Instance, error) {
	return p.put(ctx, req.Namespace, req.Instance, wmi.WbemFlagCreateOnly, nil)
}

// Modify updates an instance (PutInstance with WBEM_FLAG_UPDATE_ONLY).
//
// When the caller names the properties it changed, only those (and the
// keys) are sent, as a partial put: an IWbemContext with
// __PUT_EXTENSIONS, __PUT_EXT_CLIENT_REQUEST and __PUT_EXT_PROPERTIES,
// the WMI SDK's "updating part of an instance" (MS-WMI defines how a
// context travels, not these properties). WMI itself and most providers
// refuse partial puts (WBEM_E_PROVIDER_NOT_CAPABLE or
// WBEM_E_NOT_SUPPORTED, before doing anything); then the instance is read
// afresh, the changes are applied to it and it is put whole, so that
// properties the caller did not change keep the server's current values
// rather than the caller's possibly stale copy. Without names, the
// instance is put as the caller holds it.
func (p *Provider) Modify(ctx context.Context, req *model.ModifyRequest) (*model.Instance, error) {
	if len(req.Properties) == 0 {
		return p.put(ctx, req.Namespace, req.Instance, wmi.WbemFlagUpdateOnly, nil)
	}
	c, err := p.class(ctx, req.Namespace, req.Instance.ClassName)
	if err != nil {
		return nil, err
	}
	partial := &model.Instance{ClassName: c.Name}
	var names []string
	for _, d := range c.Properties {
		changed := false
		for _, n := range req.Properties {
			changed = changed || strings.EqualFold(n, d.Name)
		}
		v, ok := req.Instance.Get(d.Name)
		if !ok || (!changed && !d.Key) {
			continue
		}
		partial.Append(model.Property{Name: d.Name, Value: v, Key: d.Key})
		if changed {
			names = append(names, d.Name)
		}
	}
	for _, n := range req.Properties {
		if c.Property(n) == nil {
			return nil, p.fault(nil, wmi.Fault("PutInstance", wmi.EInvalidParameter, fmt.Sprintf("class %s has no property %q", c.Name, clip(n))))
		}
	}
	wctx, err := wmi.MarshalContext([]wmi.ContextProp{
		{Name: "__PUT_EXTENSIONS", Value: true},
		{Name: "__PUT_EXT_CLIENT_REQUEST", Value: true},
		{Name: "__PUT_EXT_PROPERTIES", Value: names},
	})
	if err != nil {
		return nil, p.fault(nil, err)
	}
	out, err := p.put(ctx, req.Namespace, partial, wmi.WbemFlagUpdateOnly, wctx)
	if f, ok := model.AsFault(err); !ok || !partialRefused(f.ErrorCode) {
		return out, err
	}
	cur, err := p.Get(ctx, &model.GetRequest{Common: req.Common, Path: req.Instance.Path()})
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		v, _ := req.Instance.Get(n)
		cur.Set(n, v)
	}
	return p.put(ctx, req.Namespace, cur, wmi.WbemFlagUpdateOnly, nil)
}

// partialRefused reports whether a PutInstance failed because the
// server or provider does not do partial puts (or does not understand
// the context): it then changed nothing.
func partialRefused(hr uint32) bool {
	return hr == wmi.EProviderNotCapable || hr == wmi.ENotSupported || hr == wmi.EInvalidContext
}

// Delete removes an instance (IWbemServices::DeleteInstance).
func (p *Provider) Delete(ctx context.Context, req *model.DeleteRequest) error {
	return p.call(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) error {
		return conn.DeleteInstance(ctx, svc, relPath(req.Path))
	})
}

// GetClass returns a class schema (GetObject on the class name).
func (p *Provider) GetClass(ctx context.Context, req *model.GetClassRequest) (*model.Class, error) {
	return p.class(ctx, req.Namespace, req.ClassName)
}

// EnumerateClasses lists the classes of a namespace (CreateClassEnum),
// deep, optionally under ClassName.
func (p *Provider) EnumerateClasses(ctx context.Context, req *model.EnumerateClassesRequest) ([]*model.Class, error) {
	var out []*model.Class
	err := p.call(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) error {
		ipid, err := conn.CreateClassEnum(ctx, svc, req.ClassName, semiSync)
		if err != nil {
			return err
		}
		defer conn.Release(context.WithoutCancel(ctx), ipid)
		for {
			units, hr, err := conn.Next(ctx, ipid, uint32(p.cfg.NextTimeout.Milliseconds()), defaultBatch)
			if err != nil {
				return err
			}
			for _, u := range units {
				o, err := wmio.Decode(u)
				if err != nil {
					return err
				}
				if o.Class != nil {
					o.Class.Namespace = wmiNamespace(req.Namespace)
					out = append(out, o.Class)
				}
			}
			if hr == wmi.SFalse {
				return nil
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	})
	return out, err
}

// Subscribe starts an event subscription (ExecNotificationQuery); Next
// waits for events in calls of at most NextTimeout.
func (p *Provider) Subscribe(ctx context.Context, req *model.SubscribeRequest) (model.Enumerator, error) {
	if req.QueryDialect != "" && !strings.EqualFold(req.QueryDialect, "WQL") {
		return nil, p.fault(nil, model.NewFault(model.CIMQueryLanguageNotSupported, "query dialect %s is not supported over DCOM (WQL is)", req.QueryDialect))
	}
	query := req.Query
	if query == "" {
		query = "SELECT * FROM " + req.ClassName
	}
	e, err := p.enumerate(ctx, req.Namespace, func(conn *wmi.Conn, svc ndr.GUID) (ndr.GUID, error) {
		return conn.ExecNotificationQuery(ctx, svc, "WQL", query, semiSync)
	}, true)
	err = explain(err, req.Namespace, req.ClassName, query)
	return withBatch(e, req.BatchSize), err
}

var (
	_ model.Provider   = (*Provider)(nil)
	_ model.Subscriber = (*Provider)(nil)
)
