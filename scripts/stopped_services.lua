-- stopped_services: services set to start automatically that are not running.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "stopped_services",
  summary = "List the services whose start mode is Auto but which are not running (Win32_Service).",
  options = {
    {name = "fail", help = "exit 1 when any such service is found"},
  },
})
local s = cli.session(opts)
local svcs = cli.check(opts, s:query(
  "SELECT Name, DisplayName, State, StartMode, ExitCode FROM Win32_Service WHERE StartMode = 'Auto' AND State <> 'Running'"))
table.sort(svcs, function(a, b) return a.Name:lower() < b.Name:lower() end)
if #svcs == 0 then
  print("No automatic services are stopped.")
else
  print(cim.format_table(svcs, {"Name", "DisplayName", "State", "StartMode", "ExitCode"}))
end
s:close()
if opts.fail and #svcs > 0 then os.exit(1) end
