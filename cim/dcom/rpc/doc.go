// Package rpc is connection-oriented DCE/RPC over TCP (ncacn_ip_tcp) as
// MS-RPCE specifies it: the PDUs (bind, bind_ack, alter_context, auth3,
// request, response, fault), fragmentation and reassembly, and NTLM
// security (RPC_C_AUTHN_WINNT, or SPNEGO carrying NTLM) at the packet
// integrity and packet privacy levels.
//
// The PDU codec and the NTLM session security are shared with the
// project's test server (cim/dcomtest); the Client is the initiator side.
package rpc
