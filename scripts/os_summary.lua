-- os_summary: operating system name, version, uptime and memory use.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "os_summary",
  summary = "Show the operating system's name, version, last boot, uptime and memory use\n" ..
    "(Win32_OperatingSystem), of this machine or of --computer HOST.",
})
local s = cli.session(opts)
local os_ = cli.check(opts, cli.first(s, "Win32_OperatingSystem"))

local uptime
if os_.LastBootUpTime and os_.LocalDateTime then
  uptime = cli.duration(os_.LocalDateTime:unix() - os_.LastBootUpTime:unix())
end
local total = cim.tonumber(os_.TotalVisibleMemorySize or 0) -- KB
local free = cim.tonumber(os_.FreePhysicalMemory or 0) -- KB
local memory
if total > 0 then
  memory = string.format("%s total, %s free (%d%% used)",
    cli.size(total * 1024), cli.size(free * 1024), math.floor((total - free) * 100 / total + 0.5))
end

cli.show{
  {"Computer", os_.CSName},
  {"OS", os_.Caption},
  {"Version", os_.Version and (os_.Version .. (os_.BuildNumber and (" (build " .. os_.BuildNumber .. ")") or ""))},
  {"Architecture", os_.OSArchitecture},
  {"Last boot", os_.LastBootUpTime},
  {"Uptime", uptime},
  {"Memory", memory},
  {"Processes", os_.NumberOfProcesses},
}
s:close()
