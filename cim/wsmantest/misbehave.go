package wsmantest

import "github.com/cimsh/cimsh/cim/model"

// Misbehaving enumerations (Options.EndlessEnumerations, EmptyBatches,
// ExtraItems): what a broken or hostile server may do, so that tests can
// hold the client to bounded memory and a clear error.

// startOver restarts an endless enumeration from the provider's first
// instance. A provider with no instance at all ends it after all.
func (c *call) startOver(e *enumeration) (inst *model.Instance, ok bool, f *FaultSpec) {
	e.it.Close()
	it, err := e.reopen(c.ctx)
	if err != nil {
		e.it = nil
		return nil, false, c.fault(err, opOther)
	}
	e.it = it
	if !it.Next(c.ctx) {
		if err := it.Err(); err != nil {
			return nil, false, c.fault(err, opOther)
		}
		return nil, false, nil
	}
	return it.Instance(), true, nil
}

// extraItems writes Options.ExtraItems empty items.
func (c *call) extraItems(w *xw) {
	for i := 0; i < c.s.opts.ExtraItems; i++ {
		w.raw("<", c.st.wsman, ":Item/>")
	}
}
