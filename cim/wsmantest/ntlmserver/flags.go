package ntlmserver

// Negotiate flags (MS-NLMP 2.2.2.5).
const (
	FlagUnicode                 uint32 = 0x00000001
	FlagOEM                     uint32 = 0x00000002
	FlagRequestTarget           uint32 = 0x00000004
	FlagSign                    uint32 = 0x00000010
	FlagSeal                    uint32 = 0x00000020
	FlagDatagram                uint32 = 0x00000040
	FlagLMKey                   uint32 = 0x00000080
	FlagNTLM                    uint32 = 0x00000200
	FlagAnonymous               uint32 = 0x00000800
	FlagOEMDomainSupplied       uint32 = 0x00001000
	FlagOEMWorkstationSupplied  uint32 = 0x00002000
	FlagAlwaysSign              uint32 = 0x00008000
	FlagTargetTypeDomain        uint32 = 0x00010000
	FlagTargetTypeServer        uint32 = 0x00020000
	FlagExtendedSessionSecurity uint32 = 0x00080000
	FlagIdentify                uint32 = 0x00100000
	FlagRequestNonNTSessionKey  uint32 = 0x00400000
	FlagTargetInfo              uint32 = 0x00800000
	FlagVersion                 uint32 = 0x02000000
	Flag128                     uint32 = 0x20000000
	FlagKeyExch                 uint32 = 0x40000000
	Flag56                      uint32 = 0x80000000
)

// echoedFlags are the client-requested flags the acceptor grants when
// asked. LM_KEY, DATAGRAM and REQUEST_NON_NT_SESSION_KEY are never granted:
// they select LM-derived keys this test server does not implement.
const echoedFlags = FlagUnicode | FlagSign | FlagSeal | FlagAlwaysSign |
	FlagExtendedSessionSecurity | FlagIdentify | Flag128 | FlagKeyExch | Flag56

// AV pair identifiers (MS-NLMP 2.2.2.1).
const (
	avEOL             uint16 = 0
	avNbComputerName  uint16 = 1
	avNbDomainName    uint16 = 2
	avDNSComputerName uint16 = 3
	avDNSDomainName   uint16 = 4
	avDNSTreeName     uint16 = 5
	avFlags           uint16 = 6
	avTimestamp       uint16 = 7
)

// avFlagMICPresent is the MsvAvFlags bit saying the AUTHENTICATE message
// carries a MIC.
const avFlagMICPresent uint32 = 0x2
