package model

import (
	"context"
	"time"
)

// Provider is a source of CIM classes and instances: the WS-Management
// client (one per remote session), the local machine, or a test fixture.
// Every method takes a context first; cancelling it abandons the
// operation. Failures are *Fault values.
type Provider interface {
	// Identify returns the server's identity (Test-WSMan).
	Identify(ctx context.Context) (*Identity, error)
	// Enumerate starts an enumeration; the caller must Close the result.
	Enumerate(ctx context.Context, req *EnumerateRequest) (Enumerator, error)
	// Get returns one instance by its keys.
	Get(ctx context.Context, req *GetRequest) (*Instance, error)
	// Invoke calls a static (Target nil) or instance method and returns
	// its out parameters, ReturnValue included, as an instance.
	Invoke(ctx context.Context, req *InvokeRequest) (*Instance, error)
	// Create makes a new instance and returns it as the server has it
	// (at least its keys).
	Create(ctx context.Context, req *CreateRequest) (*Instance, error)
	// Modify replaces the properties of an existing instance (Put) and
	// returns the instance as the server has it afterwards.
	Modify(ctx context.Context, req *ModifyRequest) (*Instance, error)
	// Delete removes an instance.
	Delete(ctx context.Context, req *DeleteRequest) error
	// GetClass returns a class schema.
	GetClass(ctx context.Context, req *GetClassRequest) (*Class, error)
	// EnumerateClasses lists the classes of a namespace.
	EnumerateClasses(ctx context.Context, req *EnumerateClassesRequest) ([]*Class, error)
	// Close releases every connection and open enumeration.
	Close() error
}

// Enumerator iterates the results of an enumeration, fetching further
// batches as Next needs them:
//
//	for e.Next(ctx) { use(e.Instance()) }
//	if err := e.Err(); err != nil { ... }
//	e.Close()
//
// Close releases a server-side enumeration that has not reached its end;
// it is safe to call more than once and after Next returned false.
type Enumerator interface {
	Next(ctx context.Context) bool
	Instance() *Instance
	Err() error
	Close() error
}

// Identity is what a WS-Man Identify returns.
type Identity struct {
	ProtocolVersion string
	ProductVendor   string
	ProductVersion  string
	// SecurityProfiles lists the authentication profiles an
	// authenticated Identify reports, when it does.
	SecurityProfiles []string
}

// Common holds the options every request has.
type Common struct {
	Namespace string // "root/cimv2" when empty
	// ResourceURI overrides the resource URI derived from the class name
	// (WS-Man only).
	ResourceURI string
	// OperationTimeout bounds the operation on the server; zero means the
	// session's default.
	OperationTimeout time.Duration
	// Options are custom operation options (MI's custom options: CDXML's
	// query options and cim:operationOption parameters). A WS-Man request
	// carries them in its w:OptionSet as Windows' MI client does; other
	// providers ignore them, as a provider ignores options it does not know.
	Options []Property
}

// EnumerateRequest asks for the instances of a class, the results of a
// query, or the instances associated with one instance. The session layer
// turns Get-CimInstance's Filter and Property options into Query.
type EnumerateRequest struct {
	Common
	ClassName    string
	Query        string // a query in QueryDialect; takes precedence over ClassName
	QueryDialect string // "WQL" when empty
	// Properties limits the properties returned (nil: all).
	Properties []string
	// KeyOnly returns only key properties (EnumerateEPR on WS-Man).
	KeyOnly bool
	// Shallow excludes instances of subclasses.
	Shallow bool
	// Associated, when set, enumerates the instances associated with
	// Associated.Source instead of a class.
	Associated *AssociationFilter
	// BatchSize is the number of instances asked for per round trip; zero
	// means the provider's default.
	BatchSize int
}

// AssociationFilter selects instances associated with Source
// (Get-CimAssociatedInstance).
type AssociationFilter struct {
	Source           *Reference
	AssociationClass string
	ResultClass      string
	Role             string
	ResultRole       string
	// References returns the association instances themselves rather
	// than the instances at their other end.
	References bool
}

// GetRequest fetches one instance by key.
type GetRequest struct {
	Common
	Path *Reference
}

// InvokeRequest calls a method. Target is nil for a static method.
type InvokeRequest struct {
	Common
	ClassName string
	Target    *Reference
	Method    string
	// In holds the input parameters in order, typed (from the method's
	// schema when the caller had it).
	In []Property
}

// CreateRequest creates Instance on the server.
type CreateRequest struct {
	Common
	Instance *Instance
}

// ModifyRequest replaces Instance on the server; Properties, when set,
// names the properties being changed.
type ModifyRequest struct {
	Common
	Instance   *Instance
	Properties []string
}

// DeleteRequest removes the instance at Path.
type DeleteRequest struct {
	Common
	Path *Reference
}

// GetClassRequest asks for one class schema.
type GetClassRequest struct {
	Common
	ClassName string
}

// EnumerateClassesRequest lists classes, optionally only those derived
// from ClassName.
type EnumerateClassesRequest struct {
	Common
	ClassName string
}

// DefaultNamespace is the namespace used when a request names none.
const DefaultNamespace = "root/cimv2"

// NamespaceOr returns ns, or DefaultNamespace when ns is empty.
func NamespaceOr(ns string) string {
	if ns == "" {
		return DefaultNamespace
	}
	return ns
}
