package model

import (
	"context"
	"time"
)

// Subscriber is a Provider that can deliver indications
// (Register-CimIndicationEvent). It is optional: a caller checks for it
// with a type assertion and reports CategoryNotSupported otherwise.
type Subscriber interface {
	// Subscribe starts a subscription. The events come as instances of
	// the indication class (__InstanceCreationEvent with an embedded
	// TargetInstance, for example) from the Enumerator: Next waits for
	// the next event until its ctx ends, and an ended ctx is not the end
	// of the subscription (Err reports it, a later Next waits again only
	// if the provider allows it). Close unsubscribes.
	Subscribe(ctx context.Context, req *SubscribeRequest) (Enumerator, error)
}

// SubscribeRequest asks for the indications an event query selects.
type SubscribeRequest struct {
	Common
	// Query is the event query (WQL: SELECT * FROM __InstanceCreationEvent
	// WITHIN 5 WHERE TargetInstance ISA 'Win32_Process').
	Query        string
	QueryDialect string // "WQL" when empty
	// ClassName, when set, names the indication class (Register-
	// CimIndicationEvent -ClassName); WS-Man addresses its resource URI,
	// as OMI expects. Without Query it selects every indication of the
	// class.
	ClassName string
	// Expires ends the subscription on the server after this long (zero:
	// until unsubscribed).
	Expires time.Duration
	// Heartbeat asks the server for heartbeats this often (zero: none).
	Heartbeat time.Duration
	// BatchSize is the number of events asked for per round trip (zero:
	// the provider's default).
	BatchSize int
}
