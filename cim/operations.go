package cim

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// Options holds what every single-shot operation may set.
type Options struct {
	Namespace        string
	ResourceURI      string
	OperationTimeout time.Duration
	// CustomOptions are custom operation options (model.Common.Options).
	CustomOptions []model.Property
}

func (o Options) common(ns string) model.Common {
	if o.Namespace != "" {
		ns = o.Namespace
	}
	return model.Common{Namespace: normNamespace(ns), ResourceURI: o.ResourceURI, OperationTimeout: o.OperationTimeout, Options: o.CustomOptions}
}

// GetInstance fetches the instance identified by input's keys (Get-CimInstance -InputObject).
func (s *Session) GetInstance(ctx context.Context, input *model.Instance, o Options) (*model.Instance, error) {
	if input == nil {
		return nil, fmt.Errorf("cim: get instance: input_object is required")
	}
	req := &model.GetRequest{Common: o.common(input.Namespace), Path: input.Path()}
	if req.ResourceURI == "" {
		req.ResourceURI = input.ResourceURI
	}
	inst, err := call(ctx, s, &req.Common, func(ctx context.Context, p model.Provider) (*model.Instance, error) {
		return p.Get(ctx, req)
	})
	s.stamp(inst, req.Namespace)
	return inst, err
}

// MethodCall is Invoke-CimMethod's parameter set: a static method of
// ClassName, or an instance method of Input.
type MethodCall struct {
	Options
	ClassName string
	Input     *model.Instance
	Method    string
	// Arguments are the in parameters. Their values are converted to the
	// parameter types of the method's schema when the server serves it.
	Arguments []model.Property
}

// InvokeMethod calls a method and returns its out parameters, ReturnValue
// included.
func (s *Session) InvokeMethod(ctx context.Context, mc MethodCall) (*model.Instance, error) {
	if mc.Method == "" {
		return nil, fmt.Errorf("cim: invoke method: method_name is required")
	}
	req := &model.InvokeRequest{Method: mc.Method, ClassName: mc.ClassName}
	ns := ""
	if mc.Input != nil {
		ns = mc.Input.Namespace
		req.Target = mc.Input.Path()
		if req.ClassName == "" {
			req.ClassName = mc.Input.ClassName
		}
	}
	if req.ClassName == "" {
		return nil, fmt.Errorf("cim: invoke method: class_name or input_object is required")
	}
	req.Common = mc.common(ns)
	if req.ResourceURI == "" && mc.Input != nil {
		req.ResourceURI = mc.Input.ResourceURI
	}
	out, err := call(ctx, s, &req.Common, func(ctx context.Context, p model.Provider) (*model.Instance, error) {
		args, err := s.typeArguments(ctx, req.Namespace, req.ClassName, req.Method, mc.Arguments)
		if err != nil {
			return nil, err
		}
		req.In = args
		return p.Invoke(ctx, req)
	})
	s.stamp(out, req.Namespace)
	return out, err
}

// typeArguments converts arguments to the method's parameter types and
// orders them as the schema declares them. Without a schema they go as
// given.
func (s *Session) typeArguments(ctx context.Context, ns, class, method string, args []model.Property) ([]model.Property, error) {
	cls, err := s.GetClass(ctx, ns, class)
	if err != nil || cls == nil {
		return args, nil
	}
	m := cls.Method(method)
	if m == nil {
		return args, nil
	}
	out := make([]model.Property, 0, len(args))
	used := make([]bool, len(args))
	for _, prm := range m.Parameters {
		for i, a := range args {
			if used[i] || !strings.EqualFold(a.Name, prm.Name) {
				continue
			}
			used[i] = true
			v, err := model.Convert(a.Value, prm.Type, prm.Array)
			if err != nil {
				return nil, fmt.Errorf("cim: %s.%s: argument %s: %w", class, method, prm.Name, err)
			}
			out = append(out, model.Property{Name: prm.Name, Value: v})
		}
	}
	for i, a := range args {
		if !used[i] {
			return nil, fmt.Errorf("cim: %s.%s has no parameter %s", class, method, model.Quote(a.Name))
		}
	}
	return out, nil
}

// NewInstance creates inst on the server (New-CimInstance).
func (s *Session) NewInstance(ctx context.Context, inst *model.Instance, o Options) (*model.Instance, error) {
	req := &model.CreateRequest{Common: o.common(inst.Namespace), Instance: inst}
	out, err := call(ctx, s, &req.Common, func(ctx context.Context, p model.Provider) (*model.Instance, error) {
		s.typeProperties(ctx, req.Namespace, inst)
		return p.Create(ctx, req)
	})
	s.stamp(out, req.Namespace)
	return out, err
}

// SetInstance writes inst back to the server (Set-CimInstance); props
// names the properties changed, when known.
func (s *Session) SetInstance(ctx context.Context, inst *model.Instance, props []string, o Options) (*model.Instance, error) {
	req := &model.ModifyRequest{Common: o.common(inst.Namespace), Instance: inst, Properties: props}
	if req.ResourceURI == "" {
		req.ResourceURI = inst.ResourceURI
	}
	out, err := call(ctx, s, &req.Common, func(ctx context.Context, p model.Provider) (*model.Instance, error) {
		s.typeProperties(ctx, req.Namespace, inst)
		return p.Modify(ctx, req)
	})
	s.stamp(out, req.Namespace)
	return out, err
}

// RemoveInstance deletes the instance identified by inst's keys.
func (s *Session) RemoveInstance(ctx context.Context, inst *model.Instance, o Options) error {
	req := &model.DeleteRequest{Common: o.common(inst.Namespace), Path: inst.Path()}
	if req.ResourceURI == "" {
		req.ResourceURI = inst.ResourceURI
	}
	_, err := call(ctx, s, &req.Common, func(ctx context.Context, p model.Provider) (struct{}, error) {
		return struct{}{}, p.Delete(ctx, req)
	})
	return err
}

// typeProperties converts an instance's property values to the types its
// class declares, and marks its keys, when the schema is available.
func (s *Session) typeProperties(ctx context.Context, ns string, inst *model.Instance) {
	cls, err := s.GetClass(ctx, ns, inst.ClassName)
	if err != nil || cls == nil {
		return
	}
	for i, p := range inst.All() {
		d := cls.Property(p.Name)
		if d == nil {
			continue
		}
		if v, err := model.Convert(p.Value, d.Type, d.Array); err == nil {
			inst.SetAt(i, v)
		}
		if d.Key {
			inst.SetKeyAt(i, true)
		}
	}
}

// AssociatedQuery is Get-CimAssociatedInstance's parameter set.
type AssociatedQuery struct {
	Options
	Input           *model.Instance
	Association     string
	ResultClassName string
	Role            string
	ResultRole      string
	KeyOnly         bool
	// MaxInstances bounds the instances collected, as
	// InstanceQuery.MaxInstances.
	MaxInstances int
}

// GetAssociatedInstances returns the instances associated with Input.
func (s *Session) GetAssociatedInstances(ctx context.Context, q AssociatedQuery) ([]*model.Instance, error) {
	if q.Input == nil {
		return nil, fmt.Errorf("cim: get associated instance: input_object is required")
	}
	req := &model.EnumerateRequest{
		Common:  q.common(q.Input.Namespace),
		KeyOnly: q.KeyOnly,
		Associated: &model.AssociationFilter{
			Source:           q.Input.Path(),
			AssociationClass: q.Association,
			ResultClass:      q.ResultClassName,
			Role:             q.Role,
			ResultRole:       q.ResultRole,
		},
	}
	en, err := s.enumerate(ctx, req)
	if err != nil {
		return nil, err
	}
	defer en.Close()
	return s.collect(ctx, en, q.MaxInstances)
}

// Test identifies the server (Test-WSMan). For the local machine it
// reports the built-in provider.
func (s *Session) Test(ctx context.Context) (*model.Identity, error) {
	return call(ctx, s, &model.Common{}, func(ctx context.Context, p model.Provider) (*model.Identity, error) {
		return p.Identify(ctx)
	})
}

// call runs one provider operation under the session's deadline: it
// connects on first use and stamps the computer name on a fault.
func call[T any](ctx context.Context, s *Session, c *model.Common, op func(context.Context, model.Provider) (T, error)) (T, error) {
	var zero T
	p, err := s.connect()
	if err != nil {
		return zero, err
	}
	ctx, cancel := s.withTimeout(ctx, c)
	defer cancel()
	v, err := op(ctx, p)
	if err != nil {
		return zero, s.fault(err)
	}
	return v, nil
}
