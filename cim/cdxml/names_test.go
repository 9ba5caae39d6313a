package cdxml

import "testing"

func TestSnakeCase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Get-CimInstance", "get_cim_instance"},
		{"Get-NetIPAddress", "get_net_ip_address"},
		{"Get-NetIPv4Protocol", "get_net_ipv4_protocol"},
		{"Get-NetIPv6Protocol", "get_net_ipv6_protocol"},
		{"Get-NetIPsecRule", "get_net_ipsec_rule"},
		{"Set-NetTCPSetting", "set_net_tcp_setting"},
		{"Get-SmbServerConfiguration", "get_smb_server_configuration"},
		{"Get-Win32Process", "get_win32_process"},
		{"Get-DhcpServerv4Scope", "get_dhcp_serverv4_scope"},
		{"Get-DHCPv6Lease", "get_dhcpv6_lease"},
		{"PSComputerName", "ps_computer_name"},
		{"ProcessId", "process_id"},
		{"ID", "id"},
		{"PID", "pid"},
		{"InterfaceAlias", "interface_alias"},
		{"IPAddress", "ip_address"},
		{"MinWorkingSet", "min_working_set"},
		{"field1", "field1"},
		{"Get-CimTest", "get_cim_test"},
		{"cim_session", "cim_session"},
		{"ThrottleLimit", "throttle_limit"},
		{"Get-VMHost", "get_vm_host"},
		{"", ""},
	} {
		if got := SnakeCase(c.in); got != c.want {
			t.Errorf("SnakeCase(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
