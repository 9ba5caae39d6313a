-- hardware: model, serial number, BIOS, processors and memory.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "hardware",
  summary = "Show the machine's manufacturer, model, serial number, BIOS, processors and memory\n" ..
    "(Win32_ComputerSystem, Win32_ComputerSystemProduct, Win32_BIOS, Win32_Processor).",
})
local s = cli.session(opts)
local cs = cli.check(opts, cli.first(s, "Win32_ComputerSystem"))
-- DMI tables can be unreadable (containers, no privileges): show what is there.
local product = cli.first(s, "Win32_ComputerSystemProduct") or {}
local bios = cli.first(s, "Win32_BIOS") or {}
local cpus = s:get_instance("Win32_Processor") or {}

local cpu_names, cores, threads = {}, 0, 0
for _, c in ipairs(cpus) do
  cpu_names[#cpu_names + 1] = c.Name
  cores = cores + cim.tonumber(c.NumberOfCores or 0)
  threads = threads + cim.tonumber(c.NumberOfLogicalProcessors or 0)
end
cli.show{
  {"Computer", cs.Name},
  {"Manufacturer", cs.Manufacturer},
  {"Model", cs.Model},
  {"Serial number", product.IdentifyingNumber or bios.SerialNumber},
  {"UUID", product.UUID},
  {"BIOS", bios.Manufacturer and (bios.Manufacturer .. " " .. (bios.SMBIOSBIOSVersion or ""))},
  {"BIOS date", bios.ReleaseDate},
  {"Processors", #cpus > 0 and string.format("%d x %s", #cpus, cpu_names[1]) or nil},
  {"Cores/threads", #cpus > 0 and string.format("%d/%d", cores, threads) or nil},
  {"Memory", cli.size(cs.TotalPhysicalMemory)},
}
s:close()
