-- disk_space: free space per disk; exits 1 when a disk is fuller than the threshold.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "disk_space",
  summary = "List local disks (Win32_LogicalDisk) with size, free space and percent used.\n" ..
    "Exits 1 and names the disks when any is used at or above the threshold.",
  options = {
    {name = "threshold", arg = "PCT", number = true, default = 90, help = "percent used that counts as full"},
  },
  notes = "Used is 100% minus FreeSpace/Size, as Windows reports it: on Linux, FreeSpace is what\n" ..
    "unprivileged users may still write (df's Avail), so blocks reserved for root count as used.\n\n" ..
    "exit status: 0 all disks below the threshold, 1 a disk is over, 2 the query failed",
})
if opts.threshold < 0 or opts.threshold > 100 then
  cli.die("disk_space", "--threshold must be between 0 and 100")
end
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
print(cim.format_table(rows, {"Disk", "Label", "FileSystem", "SizeGB", "FreeGB", "FreePct", "UsedPct"}))
s:close()
if #full > 0 then
  io.stderr:write(string.format("disk_space: over %d%%: %s\n", opts.threshold, table.concat(full, ", ")))
  os.exit(1)
end
