-- restart_service: restart a service with a command on the machine, showing its state before and after.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "restart_service",
  summary = "Restart the service NAME: query it with CIM (Win32_Service), restart it with a command on\n" ..
    "the machine (net stop and net start through WinRS on a remote host, systemctl restart here),\n" ..
    "then query it again.",
  args = "NAME",
  max_args = 1,
  options = {
    {name = "time-limit", arg = "SEC", number = true, default = 120, help = "terminate each command after SEC seconds"},
  },
  fails = "the restart failed (no such service, net stop/start failed, or it is not running afterwards)",
})
local name = opts.args[1]
if not name or name == "" then cli.die("restart_service", "name the service to restart (see --help)") end
if name:find("['\"\\]") then cli.die("restart_service", "a service name holds no quote or backslash: " .. name) end
if opts["time-limit"] <= 0 then cli.die("restart_service", "--time-limit must be positive") end

local s = cli.session(opts)
local where = opts.computer or "this machine"

local function query()
  local list = cli.check(opts, s:get_instance{class_name = "Win32_Service", filter = "Name = '" .. name .. "'"})
  if #list == 0 then cli.die("restart_service", "no service " .. name .. " on " .. where, 1) end
  return list[1]
end

local function show(when, svc)
  print(when .. ":")
  cli.show({{"Name", cim.escape_controls(svc.Name)}, {"DisplayName", cim.escape_controls(svc.DisplayName or "")},
    {"State", svc.State}, {"StartMode", svc.StartMode}, {"ProcessId", svc.ProcessId}})
end

local before = query()
show("Before", before)

-- Windows through WinRS; a local session runs the platform shell.
local steps
if opts.computer then
  steps = {}
  if before.State ~= "Stopped" then steps[#steps + 1] = "net stop" end
  steps[#steps + 1] = "net start"
else
  steps = {"systemctl restart"}
end
for _, cmd in ipairs(steps) do
  print("> " .. cmd .. " " .. name)
  local r = cli.check(opts, s:run(cmd, {arguments = {name}, time_limit_sec = opts["time-limit"]}))
  -- Windows ends lines with CR LF
  io.write(cim.escape_controls((r.stdout:gsub("\r\n", "\n"))))
  if r.exit_code ~= 0 then
    local why = r.stderr:gsub("\r\n", "\n"):gsub("%s+$", "")
    cli.die("restart_service", string.format("%s %s failed (exit code %s): %s", cmd, name, tostring(r.exit_code), cim.escape_controls(why)), 1)
  end
end

local after = query()
show("After", after)
s:close()
if after.State ~= "Running" then
  cli.die("restart_service", name .. " is " .. tostring(after.State) .. " after the restart", 1)
end
