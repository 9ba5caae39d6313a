-- fleet_inventory: query every host of a list in parallel and write one CSV row per host.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "fleet_inventory",
  args = "[HOSTS_FILE]",
  max_args = 1,
  summary = "Inventory many hosts at once: OS, version, last boot, memory, model and serial of\n" ..
    "every host in HOSTS_FILE (one HOST, HOST:PORT or URL per line, # comments), queried in\n" ..
    "parallel.\n" ..
    "Without HOSTS_FILE, inventories this machine (or --computer HOST).",
  options = {
    {name = "out", arg = "FILE", help = "write the CSV to FILE (atomically, values exact) instead of standard output"},
    {name = "throttle", arg = "N", number = true, integer = true, min = 1, default = 32, help = "how many hosts to query at once"},
  },
  notes = "On standard output, control characters in values are shown escaped (\\x1b).",
  fails = "a host failed (its error is in the CSV)",
})

local hosts = {}
if opts.args[1] then
  local f, err = io.open(opts.args[1])
  if not f then cli.die("fleet_inventory", err) end -- io.open's message names the file
  for line in f:lines() do
    line = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
    if line ~= "" then hosts[#hosts + 1] = line end
  end
  f:close()
  if #hosts == 0 then cli.die("fleet_inventory", opts.args[1] .. ": no hosts listed") end
end

local sessions = {}
local this_machine = #hosts == 0 and not opts.computer
if #hosts == 0 then
  sessions[1] = cli.session(opts)
else
  -- One credential for the fleet: prompted for (or read from CIMSH_PASSWORD) once.
  local base = cli.session_config(opts, nil)
  for i, h in ipairs(hosts) do
    local cfg = {}
    for k, v in pairs(base) do cfg[k] = v end
    -- A port on the line (HOST:PORT, [V6ADDR]:PORT, http://HOST:PORT/wsman)
    -- wins over --port for that host; cim.new_session reads the forms.
    if h:match("^[^:/]+:%d+$") or h:match("^%[.*%]:%d+$") or h:match("^%a+://[^/]*:%d+") then cfg.port = nil end
    cfg.computer_name = h
    sessions[i] = cli.call(opts, cim.new_session, cfg)
  end
end

local function by_host(list)
  local m = {}
  for _, inst in ipairs(list or {}) do m[inst.PSComputerName or ""] = inst end
  return m
end
local q = {cim_session = sessions, throttle_limit = opts.throttle}
q.class_name = "Win32_OperatingSystem"
local oses, os_errs = cim.get_instance(q)
q.class_name = "Win32_ComputerSystem"
local systems = by_host(cim.get_instance(q))
q.class_name = "Win32_BIOS"
local bioses = by_host(cim.get_instance(q))
oses = by_host(oses)
local failed = {}
for _, e in ipairs(os_errs or {}) do failed[e.computer_name or ""] = e end

local rows = {}
for _, s in ipairs(sessions) do
  local host = s.computer_name or ""
  local o, cs, b = oses[host] or {}, systems[host] or {}, bioses[host] or {}
  local e = failed[host]
  rows[#rows + 1] = {
    -- This machine is named as the OS names itself, as os_summary does.
    Computer = this_machine and (o.CSName or cs.Name or host) or host,
    Status = e and ("error: " .. cli.flags(e.message)) or "ok",
    OS = o.Caption, Version = o.Version, LastBoot = o.LastBootUpTime and tostring(o.LastBootUpTime),
    MemoryGB = o.TotalVisibleMemorySize and string.format("%.1f", cim.tonumber(o.TotalVisibleMemorySize) / 1048576),
    Manufacturer = cs.Manufacturer, Model = cs.Model, Serial = b.SerialNumber,
  }
end
local columns = {"Computer", "Status", "OS", "Version", "LastBoot", "MemoryGB", "Manufacturer", "Model", "Serial"}
if opts.out then
  local ok, err = cim.export_csv(rows, opts.out, columns)
  if not ok then cli.die("fleet_inventory", cli.flags(err)) end
  io.stderr:write(string.format("fleet_inventory: %d hosts, %d failed, written to %s\n", #rows, #(os_errs or {}), opts.out))
else
  -- Standard output is often a terminal: a server's control characters
  -- are shown, not executed (--out keeps them exact).
  io.write(cim.escape_controls(cim.to_csv(rows, columns)))
end
for _, s in ipairs(sessions) do s:close() end
if #(os_errs or {}) > 0 then os.exit(cli.EXIT_CHECK) end
