-- disk_space: free space per disk; exits 1 when a disk is fuller than the threshold.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "disk_space",
  summary = "List local disks (Win32_LogicalDisk) with size, free space and percent used.\n" ..
    "Exits 1 and names the disks when any is used at or above the threshold.",
  options = {
    {name = "threshold", arg = "PCT", number = true, min = 0, max = 100, default = 90, help = "percent used that counts as full"},
  },
  notes = "Used is 100% minus FreeSpace/Size, as Windows reports it: on Linux, FreeSpace is what\n" ..
    "unprivileged users may still write (df's Avail), so blocks reserved for root count as used\n" ..
    "and df's Use% reads lower; the output says so when the host is not Windows.",
  fails = "a disk is used at or above --threshold (named on standard error)",
})
local s = cli.session(opts)
local disks = cli.check(opts, s:get_instance{class_name = "Win32_LogicalDisk", filter = "DriveType = 3"})

local rows, full = {}, {}
for _, d in ipairs(disks) do
  local size = cim.tonumber(d.Size or 0)
  if size > 0 then
    local freeb = cim.tonumber(d.FreeSpace or 0)
    local used = math.floor((size - freeb) * 100 / size + 0.5)
    rows[#rows + 1] = {
      Disk = d.DeviceID, Label = d.VolumeName or "", FileSystem = d.FileSystem or "",
      SizeGB = cli.gb(size), FreeGB = cli.gb(freeb), FreePct = 100 - used, UsedPct = used,
    }
    if used >= opts.threshold then full[#full + 1] = string.format("%s %d%% used", cim.escape_controls(d.DeviceID), used) end
  end
end
cli.table(rows, {"Disk", "Label", "FileSystem", "SizeGB", "FreeGB", "FreePct", "UsedPct"})
-- Windows has no blocks reserved for root; elsewhere FreeSpace leaves
-- them out, which df does not: say so where the numbers are read.
local os_ = cli.first(s, "Win32_OperatingSystem")
if #rows > 0 and os_ and os_.OSType ~= nil and os_.OSType ~= 18 then
  print("\nNote: FreeGB is what unprivileged users may still write (df's Avail); blocks reserved for\n" ..
    "root count as used, so UsedPct is higher than df's Use%, which is used / (used + avail).")
end
s:close()
if #full > 0 then
  io.stderr:write(string.format("disk_space: over %d%%: %s\n", opts.threshold, table.concat(full, ", ")))
  os.exit(cli.EXIT_CHECK)
end
