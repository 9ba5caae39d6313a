package wsmantest

import (
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/wql"
)

// OMI's busy provider (PROTOCOL.md): while an enumeration of a class is
// open (its first page delivered, more to pull), OMI's provider host for
// that class serves nothing else, so any other request that needs it (a
// schema Get of the class, a Get, an Invoke, an association, another
// enumeration) waits until the enumeration is pulled to the end or
// released. The OMI dialect models it: an open enumeration keeps busy the
// classes it was asked for and those of every instance it has sent (a
// query of a base class runs the providers of its subclasses), and a
// request touching any of them waits until the enumeration ends, or
// answers w:TimedOut once its OperationTimeout (60 s when absent) has
// passed, so that a client that deadlocks fails instead of hanging the
// test. The wait is logged (LoggedRequest.BlockedBy).

// defaultBusyWait is how long a request without OperationTimeout waits.
const defaultBusyWait = 60 * time.Second

// classKey names a class in a namespace for the busy sets.
func classKey(ns, class string) string {
	return strings.ToLower(strings.Trim(strings.ReplaceAll(ns, `\`, "/"), "/") + ":" + class)
}

// providerKeys lists the classes whose providers a request needs (none
// for Identify, Pull, Release and the subscription operations).
func (c *call) providerKeys() []string {
	t := c.target()
	switch c.log.Operation {
	case "Get":
		if t.Form == formSchema {
			if name, ok := selector(c.req.Selectors, "ClassName"); ok && name != "" {
				return []string{classKey(t.Namespace, name)}
			}
			return nil
		}
	case "Put", "Create", "Delete", "Invoke":
	case "Enumerate":
		return c.enumerateKeys(t)
	default:
		return nil
	}
	if t.Class == "" || t.Class == "*" {
		return nil
	}
	return []string{classKey(t.Namespace, t.Class)}
}

// enumerateKeys lists the classes an Enumerate names: the class of its
// URI or query, and for associations the source, association and result
// classes.
func (c *call) enumerateKeys(t target) []string {
	if t.Form == formSchema || c.req.Body == nil {
		return nil
	}
	er, f := parseEnumerate(c.req.Body)
	if f != nil {
		return nil
	}
	var keys []string
	add := func(ns, class string) {
		if class != "" && class != "*" {
			keys = append(keys, classKey(ns, class))
		}
	}
	switch {
	case er.filter == nil || er.dialect == dialectSelector:
		add(t.Namespace, t.Class)
	case er.dialect == dialectWQL || er.dialect == "":
		q, err := wql.Parse(strings.TrimSpace(er.filter.Text))
		if err != nil {
			return nil
		}
		if q.Associators != nil {
			if q.Associators.Object != nil {
				add(t.Namespace, q.Associators.Object.ClassName)
			}
			return keys
		}
		add(t.Namespace, q.ClassName)
	case er.dialect == dialectAssociation:
		af, f := c.associationFilter(er.filter)
		if f != nil {
			return nil
		}
		add(af.Source.Namespace, af.Source.ClassName)
		add(t.Namespace, af.AssociationClass)
		add(t.Namespace, af.ResultClass)
	}
	return keys
}

// markBusy adds a class to an open enumeration's busy set.
func (s *Server) markBusy(e *enumeration, key string) {
	if e.lastBusy == key {
		return
	}
	e.lastBusy = key
	s.mu.Lock()
	if e.busy == nil {
		e.busy = map[string]bool{}
	}
	e.busy[key] = true
	s.mu.Unlock()
}

// busyWith returns an open enumeration whose busy set holds one of keys.
func (s *Server) busyWith(keys []string) *enumeration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	for _, e := range s.enums {
		for _, k := range keys {
			if e.busy[k] {
				return e
			}
		}
	}
	return nil
}

// waitProviders holds a request (OMI dialect) while an open enumeration
// keeps a provider it needs busy: until the enumeration ends, or until
// the request's OperationTimeout passes (w:TimedOut), or the client goes.
func (c *call) waitProviders() *FaultSpec {
	if c.st.dialect != OMI {
		return nil
	}
	keys := c.providerKeys()
	if len(keys) == 0 {
		return nil
	}
	wait := c.req.OperationTimeout
	if wait <= 0 {
		wait = defaultBusyWait
	}
	var timer *time.Timer
	for {
		e := c.s.busyWith(keys)
		if e == nil {
			return nil
		}
		if timer == nil {
			timer = time.NewTimer(wait)
			defer timer.Stop()
			c.s.setBlocked(c.seq, e.id)
		}
		select {
		case <-e.ended:
		case <-timer.C:
			return &FaultSpec{Subcode: "w:TimedOut",
				Message: "The provider of this class is busy with the open enumeration " + e.id + " (pull it to the end or release it first)."}
		case <-c.ctx.Done():
			return &FaultSpec{Close: true}
		}
	}
}

// setBlocked records on a logged request the enumeration it waited for.
func (s *Server) setBlocked(seq int, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.log) - 1; i >= 0; i-- {
		if s.log[i].Seq == seq {
			s.log[i].BlockedBy = id
			return
		}
	}
}
