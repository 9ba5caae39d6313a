-- network_config: IP addresses, gateways and DNS servers of the enabled network adapters.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "network_config",
  summary = "Show each IP-enabled adapter's addresses, subnets, gateways, DNS servers and MAC\n" ..
    "(Win32_NetworkAdapterConfiguration).",
})
local s = cli.session(opts)
local nics = cli.check(opts, s:get_instance{class_name = "Win32_NetworkAdapterConfiguration", filter = "IPEnabled = TRUE"})
local function join(list) return list and table.concat(list, ", ") or "" end
for i, n in ipairs(nics) do
  if i > 1 then print() end
  cli.show{
    {"Adapter", n.Description},
    {"Index", n.Index},
    {"MAC address", n.MACAddress},
    {"IP addresses", join(n.IPAddress)},
    {"Subnets", join(n.IPSubnet)},
    {"Gateways", join(n.DefaultIPGateway)},
    {"DNS servers", join(n.DNSServerSearchOrder)},
    {"DHCP", n.DHCPEnabled},
  }
end
if #nics == 0 then print("No IP-enabled adapters.") end
s:close()
