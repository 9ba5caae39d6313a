package luabind

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// wsmanOnly and dcomOnly are the session options of one protocol.
var (
	wsmanOnly = []string{"use_ssl", "skip_ca_check", "skip_cn_check", "ca_file", "certificate_file", "key_file",
		"no_encryption", "max_envelope_size_kb", "http_prefix", "encode_port_in_spn", "resource_uri_form"}
	dcomOnly = []string{"impersonation", "packet_integrity", "packet_privacy"}
)

// checkProtocolOptions refuses options the chosen protocol does not take,
// naming the protocol (cim.new_session_option{protocol="dcom", use_ssl=true}).
func checkProtocolOptions(a *args, protocol string) error {
	switch strings.ToLower(protocol) {
	case "", "wsman", "ws-man", "winrm":
		for _, k := range dcomOnly {
			if a.has(k) {
				return fmt.Errorf("%s is a DCOM option; protocol %s does not take it (set protocol=\"dcom\")", k, model.Quote(protocol))
			}
		}
	case "dcom":
		for _, k := range wsmanOnly {
			if a.has(k) {
				return fmt.Errorf("%s is a WS-Man option; protocol \"dcom\" does not take it", k)
			}
		}
		switch imp := a.str("impersonation"); strings.ToLower(imp) {
		case "", "default", "none", "anonymous", "identify", "impersonate", "delegate":
		default:
			return fmt.Errorf("unknown impersonation %s (want default, none, identify, impersonate or delegate)", model.Quote(imp))
		}
		if a.has("packet_privacy") && !a.boolean("packet_privacy") && a.has("packet_integrity") && !a.boolean("packet_integrity") {
			return fmt.Errorf("DCOM needs packet integrity at least (Windows refuses lower authentication levels)")
		}
	default:
		return fmt.Errorf("unknown protocol %s (want wsman or dcom)", model.Quote(protocol))
	}
	return nil
}
