package orpc

import (
	"github.com/cimsh/cimsh/cim/dcom/ndr"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
)

// Interface identifiers (MS-DCOM 1.9, MS-WMI 1.9).
var (
	IIDRemoteSCMActivator     = ndr.MustGUID("000001a0-0000-0000-c000-000000000046")
	IIDActivationPropsIn      = ndr.MustGUID("000001a2-0000-0000-c000-000000000046")
	IIDActivationPropsOut     = ndr.MustGUID("000001a3-0000-0000-c000-000000000046")
	IIDObjectExporter         = ndr.MustGUID("99fcfec4-5260-101b-bbcb-00aa0021347a")
	IIDRemUnknown             = ndr.MustGUID("00000131-0000-0000-c000-000000000046")
	IIDRemUnknown2            = ndr.MustGUID("00000143-0000-0000-c000-000000000046")
	IIDUnknown                = ndr.MustGUID("00000000-0000-0000-c000-000000000046")
	CLSIDActivationPropsIn    = ndr.MustGUID("00000338-0000-0000-c000-000000000046")
	CLSIDActivationPropsOut   = ndr.MustGUID("00000339-0000-0000-c000-000000000046")
	CLSIDInstantiationInfo    = ndr.MustGUID("000001ab-0000-0000-c000-000000000046")
	CLSIDActivationContext    = ndr.MustGUID("000001a5-0000-0000-c000-000000000046")
	CLSIDServerLocationInfo   = ndr.MustGUID("000001a4-0000-0000-c000-000000000046")
	CLSIDScmRequestInfo       = ndr.MustGUID("000001aa-0000-0000-c000-000000000046")
	CLSIDScmReplyInfo         = ndr.MustGUID("000001b6-0000-0000-c000-000000000046")
	CLSIDPropsOutInfo         = ndr.MustGUID("00000339-0000-0000-c000-000000000046")
	CLSIDSecurityInfo         = ndr.MustGUID("000001a6-0000-0000-c000-000000000046")
	CLSIDSpecialSystemProps   = ndr.MustGUID("000001b9-0000-0000-c000-000000000046")
	CLSIDWbemLevel1Login      = ndr.MustGUID("8bc3f05e-d86b-11d0-a075-00c04fb68820")
	IIDWbemLevel1Login        = ndr.MustGUID("f309ad18-d86a-11d0-a075-00c04fb68820")
	IIDWbemServices           = ndr.MustGUID("9556dc99-828c-11cf-a37e-00aa003240c7")
	IIDEnumWbemClassObject    = ndr.MustGUID("027947e1-d731-11ce-a357-000000000001")
	IIDWbemCallResult         = ndr.MustGUID("44aca675-e8fc-11d0-a07c-00c04fb68820")
	IIDWbemClassObject        = ndr.MustGUID("dc12a681-737f-11cf-884d-00aa004b2e24")
	IIDWbemContext            = ndr.MustGUID("44aca674-e8fc-11d0-a07c-00c04fb68820")
	CLSIDWbemContext          = ndr.MustGUID("674b6698-ee92-11d0-ad71-00c04fd8fdff")
	CLSIDWbemClassObject      = ndr.MustGUID("4590f812-1d3a-11d0-891f-00aa004b2e24")
	IIDWbemLoginClientID      = ndr.MustGUID("d4781cd6-e5d3-44df-ad94-930efe48a887")
	IIDWbemFetchSmartEnum     = ndr.MustGUID("1c1c45ee-4395-11d2-b60b-00104b703efd")
	IIDWbemObjectSink         = ndr.MustGUID("7c857801-7381-11cf-884d-00aa004b2e24")
	IIDWbemRefreshingServices = ndr.MustGUID("2c9273e0-1dc3-11d3-b364-00105a1f8177")
)

// Syntax returns iface as an RPC abstract syntax (version 0.0, as every
// DCOM interface is).
func Syntax(iface ndr.GUID) rpc.SyntaxID { return rpc.SyntaxID{UUID: iface} }

// Tower identifiers and authentication services used in bindings.
const (
	TowerTCP = 0x07 // ncacn_ip_tcp
)

// HRESULTs this layer produces or recognizes.
const (
	SOK           = 0x00000000
	SFalse        = 0x00000001
	EAccessDenied = 0x80070005
	ENoInterface  = 0x80004002
	EInvalidArg   = 0x80070057
	EOutOfMemory  = 0x8007000e
	ClassNotReg   = 0x80040154 // REGDB_E_CLASSNOTREG
)
