package ntlmserver

import (
	"encoding/binary"
	"time"

	"github.com/cimsh/cimsh/cim/internal/ntlmsec"
)

// challengeHeaderLen is the fixed part of a CHALLENGE_MESSAGE with its
// Version field (MS-NLMP 2.2.1.2).
const challengeHeaderLen = 56

// defaultVersion is the VERSION structure sent in challenges: Windows 10
// / Server 2019 (10.0 build 17763), NTLMSSP revision 15.
var defaultVersion = [8]byte{10, 0, 0x63, 0x45, 0, 0, 0, 0x0f}

// challengeFlags picks the CHALLENGE flags for a client's NEGOTIATE
// flags (MS-NLMP 3.2.5.1.1): the supported subset of what was asked, plus
// NTLM, TARGET_INFO, VERSION and TARGET_TYPE_SERVER, which this acceptor
// always sends.
func challengeFlags(client uint32) uint32 {
	f := client&(echoedFlags|FlagOEM|FlagRequestTarget) | FlagNTLM | FlagTargetInfo | FlagVersion | FlagTargetTypeServer
	if f&(FlagUnicode|FlagOEM) == 0 {
		f |= FlagOEM
	}
	return f
}

// fileTime converts t to a Windows FILETIME (100 ns since 1601).
func fileTime(t time.Time) uint64 {
	const epochDelta = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	return uint64(t.UnixNano()/100) + epochDelta
}

// buildChallenge serializes a CHALLENGE_MESSAGE.
func (s *Server) buildChallenge(flags uint32, serverChallenge [8]byte) []byte {
	enc := encodeOEM
	if flags&FlagUnicode != 0 {
		enc = ntlmsec.UTF16
	}
	targetName := enc(s.cfg.NetBIOSComputer)

	pairs := []avPair{
		{avNbDomainName, ntlmsec.UTF16(s.cfg.NetBIOSDomain)},
		{avNbComputerName, ntlmsec.UTF16(s.cfg.NetBIOSComputer)},
	}
	if s.cfg.DNSDomain != "" {
		pairs = append(pairs, avPair{avDNSDomainName, ntlmsec.UTF16(s.cfg.DNSDomain)})
	}
	if s.cfg.DNSComputer != "" {
		pairs = append(pairs, avPair{avDNSComputerName, ntlmsec.UTF16(s.cfg.DNSComputer)})
	}
	if !s.cfg.OmitTimestamp {
		ts := binary.LittleEndian.AppendUint64(nil, fileTime(s.now()))
		pairs = append(pairs, avPair{avTimestamp, ts})
	}
	targetInfo := appendAVPairs(nil, pairs)

	msg := make([]byte, challengeHeaderLen, challengeHeaderLen+len(targetName)+len(targetInfo))
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], TypeChallenge)
	putField(msg[12:], len(targetName), challengeHeaderLen)
	binary.LittleEndian.PutUint32(msg[20:], flags)
	copy(msg[24:32], serverChallenge[:])
	putField(msg[40:], len(targetInfo), challengeHeaderLen+len(targetName))
	copy(msg[48:56], s.cfg.Version[:])
	msg = append(msg, targetName...)
	msg = append(msg, targetInfo...)
	return msg
}

func putField(b []byte, n, offset int) {
	binary.LittleEndian.PutUint16(b, uint16(n))
	binary.LittleEndian.PutUint16(b[2:], uint16(n))
	binary.LittleEndian.PutUint32(b[4:], uint32(offset))
}
