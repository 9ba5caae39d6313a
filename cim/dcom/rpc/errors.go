package rpc

import "fmt"

// Fault is a fault PDU's status: an RPC run-time status (nca_s_*, rpc_s_*)
// or, for a call that reached the server object, an HRESULT.
type Fault struct {
	Status uint32
}

var faultNames = map[uint32]string{
	0x00000005: "access denied",
	0x000006d8: "cannot perform the operation (rpc_fault_cant_perform)",
	0x000006f7: "the stub received bad data (rpc_x_bad_stub_data)",
	0x1c010002: "operation number out of range (nca_s_op_rng_error)",
	0x1c010003: "unknown interface (nca_s_unk_if)",
	0x1c00001b: "protocol error (nca_s_proto_error)",
	0x1c010014: "server too busy (nca_s_server_too_busy)",
	0x1c000001: "integer division by zero",
	0x80010108: "object disconnected (RPC_E_DISCONNECTED)",
	0x80070005: "access denied (E_ACCESSDENIED)",
	0x80004002: "no such interface (E_NOINTERFACE)",
	0x80010114: "invalid object (RPC_E_INVALID_OBJECT)",
}

func (f *Fault) Error() string {
	if n, ok := faultNames[f.Status]; ok {
		return fmt.Sprintf("rpc: fault 0x%08x: %s", f.Status, n)
	}
	return fmt.Sprintf("rpc: fault 0x%08x", f.Status)
}

// Name describes the status ("operation number out of range
// (nca_s_op_rng_error)"), or is "" for a status without a name here.
func (f *Fault) Name() string { return faultNames[f.Status] }

// AccessDenied reports whether the fault refuses the caller's identity.
func (f *Fault) AccessDenied() bool { return f.Status == 5 || f.Status == 0x80070005 }

// Status codes the test server and the client share.
const (
	StatusAccessDenied = 0x00000005
	StatusOpRange      = 0x1c010002
	StatusUnknownIf    = 0x1c010003
	StatusProtoError   = 0x1c01000b
	StatusBadStub      = 0x000006f7
)

// BindError is a rejected bind or presentation context.
type BindError struct {
	Reason uint16
	Nak    bool
}

func (e *BindError) Error() string {
	reasons := map[uint16]string{1: "abstract syntax not supported", 2: "transfer syntax not supported",
		3: "local limit exceeded", 8: "authentication type not recognized", 9: "invalid checksum"}
	what := "interface rejected"
	if e.Nak {
		what = "bind refused"
	}
	if r, ok := reasons[e.Reason]; ok {
		return fmt.Sprintf("rpc: %s: %s", what, r)
	}
	return fmt.Sprintf("rpc: %s (reason %d)", what, e.Reason)
}
