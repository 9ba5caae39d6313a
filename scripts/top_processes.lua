-- top_processes: the processes using the most memory (working set).
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "top_processes",
  summary = "List the processes with the largest working set (Win32_Process), largest first.",
  options = {
    {name = "count", arg = "N", number = true, integer = true, min = 1, default = 10, help = "how many processes to show"},
  },
})
local s = cli.session(opts)
local procs = cli.check(opts, s:get_instance{
  class_name = "Win32_Process",
  property = {"ProcessId", "Name", "WorkingSetSize", "ThreadCount", "CommandLine"},
})
table.sort(procs, function(a, b)
  return cim.tonumber(a.WorkingSetSize or 0) > cim.tonumber(b.WorkingSetSize or 0)
end)
local rows = {}
for i = 1, math.min(opts.count, #procs) do
  local p = procs[i]
  rows[#rows + 1] = {
    PID = p.ProcessId, Name = p.Name,
    WorkingSetMB = string.format("%.1f", cim.tonumber(p.WorkingSetSize or 0) / 1048576),
    Threads = p.ThreadCount,
  }
end
cli.table(rows, {"PID", "Name", "WorkingSetMB", "Threads"})
s:close()
