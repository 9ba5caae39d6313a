package wsmantest

import (
	"strconv"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

func itoa(n int) string { return strconv.Itoa(n) }

// instanceTarget checks that the request addresses one class.
func (c *call) instanceTarget() (target, *FaultSpec) {
	t := c.target()
	if (t.Form != formWMI && t.Form != formDMTF) || t.Class == "" || t.Class == "*" {
		return t, destination(c.req.ResourceURI)
	}
	return t, nil
}

// path builds the reference a request's selectors name. On Windows,
// selector names match the class's key names whatever their case.
func (c *call) path(t target) (*model.Reference, *FaultSpec) {
	ref := &model.Reference{Address: anonymous, ResourceURI: t.URI, ClassName: t.Class, Namespace: t.Namespace,
		Selectors: withoutNamespaceSelector(c.req.Selectors)}
	class := c.s.class(c.ctx, t.Namespace, t.Class)
	if class == nil {
		return ref, nil
	}
	ref.ClassName = class.Name
	keys := class.KeyNames()
	for i, sel := range ref.Selectors {
		found := false
		for _, k := range keys {
			if strings.EqualFold(k, sel.Name) {
				if c.st.dialect == Windows {
					ref.Selectors[i].Name = k
				}
				found = k == ref.Selectors[i].Name
			}
		}
		if !found && len(keys) > 0 {
			return nil, &FaultSpec{Subcode: "w:InvalidSelectors",
				Detail:  "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
				Message: "The selector " + sel.Name + " is not a key of " + class.Name + "."}
		}
	}
	return ref, nil
}

// lookup gets the instance at ref; on Windows a selector value that
// differs only in case still finds it, as WMI compares keys that way.
func (c *call) lookup(t target, ref *model.Reference) (*model.Instance, error) {
	inst, err := c.s.provider.Get(c.ctx, &model.GetRequest{Common: model.Common{Namespace: t.Namespace, ResourceURI: t.URI}, Path: ref})
	if err == nil || c.st.dialect != Windows {
		return inst, err
	}
	f, ok := model.AsFault(err)
	if !ok || f.CIMStatus != model.CIMNotFound {
		return nil, err
	}
	e, eerr := c.s.provider.Enumerate(c.ctx, &model.EnumerateRequest{Common: model.Common{Namespace: t.Namespace}, ClassName: ref.ClassName})
	if eerr != nil {
		return nil, err
	}
	defer e.Close()
	for e.Next(c.ctx) {
		cand := e.Instance()
		if keysMatchFold(cand, ref) {
			return cand, nil
		}
	}
	return nil, err
}

func keysMatchFold(inst *model.Instance, ref *model.Reference) bool {
	if len(ref.Selectors) == 0 {
		return false
	}
	for _, sel := range ref.Selectors {
		v, ok := inst.Get(sel.Name)
		if !ok || sel.Ref != nil {
			return false
		}
		if !strings.EqualFold(v.Text(), sel.Value) {
			return false
		}
	}
	return true
}

// get answers a transfer Get: an instance, or a class declaration on the
// CIM-XML schema URI.
func (c *call) get() ([]byte, *FaultSpec) {
	if t := c.target(); t.Form == formSchema {
		return c.getClass(t)
	}
	t, f := c.instanceTarget()
	if f != nil {
		return nil, f
	}
	ref, f := c.path(t)
	if f != nil {
		return nil, f
	}
	inst, err := c.lookup(t, ref)
	if err != nil {
		return nil, c.fault(err, opOther)
	}
	return c.instanceResponse(t, nsTransfer+"/GetResponse", inst, true)
}

// instanceResponse writes a response whose body is one instance.
func (c *call) instanceResponse(t target, action string, inst *model.Instance, activity bool) ([]byte, *FaultSpec) {
	limit, f := c.maxEnvelope()
	if f != nil {
		return nil, f
	}
	if inst.Namespace == "" {
		inst = inst.Clone()
		inst.Namespace = t.Namespace
	}
	r := c.s.begin(c.st, action, c.req.MessageID, "s a x w p", activity && c.st.dialect == Windows)
	c.encoder(t).instance(&r.xw, inst, nil)
	out := r.end()
	if len(out) > limit {
		return nil, tooBig(len(out), limit)
	}
	return out, nil
}

// bodyInstance decodes the instance in a Put or Create body.
func (c *call) bodyInstance(t target) (*model.Instance, *FaultSpec) {
	if c.req.Body == nil {
		return nil, &FaultSpec{Subcode: "w:InvalidRepresentation", Message: "The request body holds no instance."}
	}
	class := c.s.class(c.ctx, t.Namespace, t.Class)
	inst, err := c.s.decodeInstance(c.ctx, c.req.Body, class, t.Namespace, 0)
	if err != nil {
		return nil, &FaultSpec{Subcode: "w:InvalidRepresentation", Message: err.Error()}
	}
	if !strings.EqualFold(inst.ClassName, t.Class) {
		return nil, &FaultSpec{Subcode: "w:InvalidRepresentation",
			Message: "The instance is of class " + inst.ClassName + ", not " + t.Class + "."}
	}
	inst.Namespace = t.Namespace
	return inst, nil
}

// put answers a transfer Put: the instance is replaced and returned.
func (c *call) put() ([]byte, *FaultSpec) {
	t, f := c.instanceTarget()
	if f != nil {
		return nil, f
	}
	ref, f := c.path(t)
	if f != nil {
		return nil, f
	}
	inst, f := c.bodyInstance(t)
	if f != nil {
		return nil, f
	}
	// The selectors say which instance; keys missing from the body
	// come from them.
	for _, sel := range ref.Selectors {
		if inst.Index(sel.Name) < 0 {
			if sel.Ref != nil {
				inst.SetKey(sel.Name, model.Ref(sel.Ref))
			} else {
				inst.SetKey(sel.Name, model.String(sel.Value))
			}
		}
	}
	var props []string
	if list, ok := c.req.Options["wmiarray:__MIInstanceModifiedPropertiesList"]; ok && list != "" {
		props = strings.Split(list, ",")
	}
	got, err := c.s.provider.Modify(c.ctx, &model.ModifyRequest{Common: model.Common{Namespace: t.Namespace, ResourceURI: t.URI},
		Instance: inst, Properties: props})
	if err != nil {
		return nil, c.fault(err, opOther)
	}
	if got == nil {
		got = inst
	}
	return c.instanceResponse(t, nsTransfer+"/PutResponse", got, false)
}

// create answers a transfer Create with the new instance's EPR.
func (c *call) create() ([]byte, *FaultSpec) {
	t, f := c.instanceTarget()
	if f != nil {
		return nil, f
	}
	inst, f := c.bodyInstance(t)
	if f != nil {
		return nil, f
	}
	got, err := c.s.provider.Create(c.ctx, &model.CreateRequest{Common: model.Common{Namespace: t.Namespace, ResourceURI: t.URI}, Instance: inst})
	if err != nil {
		return nil, c.fault(err, opOther)
	}
	if got == nil {
		got = inst
	}
	if got.Namespace == "" {
		got.Namespace = t.Namespace
	}
	ref := got.Path()
	ref.ResourceURI = classURI(t.WMI && c.st.dialect == Windows, got.Namespace, got.ClassName)
	r := c.s.begin(c.st, nsTransfer+"/CreateResponse", c.req.MessageID, "s a x w", false)
	r.raw("<", c.st.xfer, ":ResourceCreated>")
	c.encoder(t).eprBody(&r.xw, ref, 0)
	r.raw("</", c.st.xfer, ":ResourceCreated>")
	return r.end(), nil
}

// delete answers a transfer Delete with an empty body.
func (c *call) delete() ([]byte, *FaultSpec) {
	t, f := c.instanceTarget()
	if f != nil {
		return nil, f
	}
	ref, f := c.path(t)
	if f != nil {
		return nil, f
	}
	if c.st.dialect == Windows {
		// Resolve a key that differs only in case, as for Get.
		if inst, err := c.lookup(t, ref); err == nil {
			ref = inst.Path()
			ref.ResourceURI = t.URI
		}
	}
	if err := c.s.provider.Delete(c.ctx, &model.DeleteRequest{Common: model.Common{Namespace: t.Namespace, ResourceURI: t.URI}, Path: ref}); err != nil {
		return nil, c.fault(err, opOther)
	}
	r := c.s.begin(c.st, nsTransfer+"/DeleteResponse", c.req.MessageID, "s a x w", false)
	return r.end(), nil
}
