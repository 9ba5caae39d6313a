package cdxml

import (
	"strings"
	"unicode"
)

// SnakeCase turns a PowerShell name into cimsh's Lua spelling: words
// split at case changes and at - and _, in lower case, joined with _.
// Acronyms stay whole (NetIPAddress: net ip address), digits stay with
// the word before them (Win32Process: win32 process), and a two-letter
// acronym followed by lower-case letters is one word (IPv4, IPsec):
//
//	Get-CimInstance     get_cim_instance
//	Get-NetIPAddress    get_net_ip_address
//	Get-NetIPv4Protocol get_net_ipv4_protocol
//	Set-NetTCPSetting   set_net_tcp_setting
//	Get-DhcpServerv4Scope get_dhcp_serverv4_scope
func SnakeCase(s string) string {
	var words []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || unicode.IsSpace(r) }) {
		words = append(words, splitWords(part)...)
	}
	for i, w := range words {
		words[i] = strings.ToLower(w)
	}
	return strings.Join(words, "_")
}

// splitWords splits one identifier at its case changes.
func splitWords(s string) []string {
	r := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(r); i++ {
		prev, cur := r[i-1], r[i]
		split := false
		switch {
		case unicode.IsUpper(cur) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			// netI, 32P: a new word begins.
			split = true
		case unicode.IsUpper(cur) && unicode.IsUpper(prev) && i+1 < len(r) && unicode.IsLower(r[i+1]):
			// The last capital of a run that a lower-case letter follows
			// begins the next word (IPAddress: IP Address), unless the
			// run is two letters (IPv4, IPsec: one word) or one letter and
			// digits follow (DHCPv6: one word).
			run := 0
			for j := i; j >= start && unicode.IsUpper(r[j]); j-- {
				run++
			}
			version := i+2 < len(r) && unicode.IsDigit(r[i+2])
			split = run >= 3 && !version
		}
		if split {
			words = append(words, string(r[start:i]))
			start = i
		}
	}
	if start < len(r) {
		words = append(words, string(r[start:]))
	}
	return words
}
