// Package rpc is connection-oriented DCE/RPC over TCP (ncacn_ip_tcp) as
// MS-RPCE specifies it: the PDUs (bind, bind_ack, alter_context, auth3,
// request, response, fault), fragmentation and reassembly, and security
// at the packet integrity and packet privacy levels: NTLM
// (RPC_C_AUTHN_WINNT), Kerberos (RPC_C_AUTHN_GSS_KERBEROS, DCE style,
// RFC 4121 tokens) and SPNEGO carrying either (RPC_C_AUTHN_GSS_NEGOTIATE,
// with the mechListMIC exchange).
//
// The PDU codec, the SPNEGO codec and acceptor, the AP-REP helpers and
// both session securities are shared with the project's test server
// (cim/dcomtest); the Client is the initiator side.
package rpc
