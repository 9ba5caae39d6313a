-- stopped_services: services set to start automatically that are not running.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "stopped_services",
  summary = "List the services whose start mode is Auto but which are not running (Win32_Service).\n" ..
    "A host that lists no services at all (no service manager cimsh can read, such as a\n" ..
    "Linux machine without systemd) cannot tell: the script says so and exits 2.",
  options = {
    {name = "fail", help = "exit 1 when any such service is found"},
  },
  fails = "with --fail, an automatic service is not running",
})
local s = cli.session(opts)
-- Every service, filtered here: a host with none at all is one whose
-- services cannot be seen, which is not the same as none stopped.
local all = cli.check(opts, s:get_instance{class_name = "Win32_Service",
  property = {"Name", "DisplayName", "State", "StartMode", "ExitCode"}})
s:close()
if #all == 0 then
  cli.die("stopped_services", "cannot tell which automatic services are stopped: " ..
    (opts.computer or "this machine") .. " lists no services at all (no service manager that cimsh can read, such as systemd)")
end
local svcs = {}
for _, svc in ipairs(all) do
  if svc.StartMode == "Auto" and svc.State ~= "Running" then svcs[#svcs + 1] = svc end
end
table.sort(svcs, function(a, b) return a.Name:lower() < b.Name:lower() end)
if #svcs == 0 then
  print(string.format("No automatic services are stopped (of %d services).", #all))
else
  cli.table(svcs, {"Name", "DisplayName", "State", "StartMode", "ExitCode"})
end
if opts.fail and #svcs > 0 then os.exit(cli.EXIT_CHECK) end
