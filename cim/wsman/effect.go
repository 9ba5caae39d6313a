package wsman

// Effect is what a request does on the server. It decides whether the
// transport may send the request again after the connection carrying it
// died with some of it written: the server may have acted on the lost
// request, and only some effects survive being applied twice.
//
// The rule, per operation:
//
//	operation                      effect        sent again?
//	Identify, Get, GetClass        EffectRead    yes: reading twice reads the same
//	Enumerate (instances, classes) EffectOpen    no: a second one opens a second context; the first stays open, unreleasable
//	Pull                           EffectAdvance no: the server handed its batch to the lost reply; a second Pull skips it
//	Release, Unsubscribe           EffectEnd     yes: ending twice is ending once (the second finds nothing, ignored)
//	Put, Create, Delete, Invoke    EffectChange  no: a second one may act twice
//	Subscribe                      EffectOpen    no: a second one opens a second subscription
//
// A request that no byte of reached the server (a pooled connection that
// had died while idle) is always sent again: nothing was done.
type Effect uint8

// The effects. The zero Effect is never resent.
const (
	// EffectRead reads state and changes nothing.
	EffectRead Effect = iota + 1
	// EffectOpen opens server-side state (an enumeration context, a
	// subscription) that only the reply names.
	EffectOpen
	// EffectAdvance moves a server-side cursor: what the server handed to
	// the reply is gone from the server.
	EffectAdvance
	// EffectEnd ends server-side state.
	EffectEnd
	// EffectChange changes the managed system.
	EffectChange
)

// Resendable reports whether a request with this effect may be sent
// again when its first sending may have reached the server.
func (e Effect) Resendable() bool { return e == EffectRead || e == EffectEnd }

// Why says, for an error message, why a request with this effect is not
// sent twice.
func (e Effect) Why() string {
	switch e {
	case EffectOpen:
		return "a second one would open a second server-side context"
	case EffectAdvance:
		return "the server may have handed its batch to the lost reply"
	case EffectChange:
		return "the server may have acted on it"
	}
	return "its effect on the server is unknown"
}

// String names the effect.
func (e Effect) String() string {
	switch e {
	case EffectRead:
		return "read"
	case EffectOpen:
		return "open"
	case EffectAdvance:
		return "advance"
	case EffectEnd:
		return "end"
	case EffectChange:
		return "change"
	}
	return "unknown"
}
