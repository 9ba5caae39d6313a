-- installed_software: installed updates (hotfixes) and software packages.
local cli = require("cimsh.cli")
local opts = cli.parse(arg, {
  name = "installed_software",
  summary = "List installed updates (Win32_QuickFixEngineering) and installed programs\n" ..
    "(Win32_InstalledWin32Program, or Win32_Product where that is missing; on Linux, the\n" ..
    "package database).",
  options = {
    {name = "match", arg = "TEXT", help = "only programs whose name contains TEXT (case-insensitive)"},
    {name = "updates-only", help = "list only the updates"},
  },
})
local s = cli.session(opts)
local fixes, err = s:get_instance("Win32_QuickFixEngineering")
if fixes then
  print(string.format("Updates (%d):", #fixes))
  cli.table(fixes, {"HotFixID", "Description", "InstalledOn"})
elseif err.category ~= "invalid_class" then
  cli.fail(opts, err)
end
if not opts["updates-only"] then
  -- Win32_InstalledWin32Program (Windows 10 / Server 2016 and later) reads the
  -- installed-programs inventory; Win32_Product, the fallback, is what older
  -- Windows and cimsh's local provider (the package database) offer.
  local props = {"Name", "Version", "Vendor"}
  local progs, perr = s:get_instance{class_name = "Win32_InstalledWin32Program", property = props}
  if not progs and perr.category == "invalid_class" then
    progs, perr = s:get_instance{class_name = "Win32_Product", property = props}
  end
  cli.check(opts, progs, perr)
  local shown = {}
  local match = opts.match and opts.match:lower()
  for _, p in ipairs(progs) do
    if not match or (p.Name or ""):lower():find(match, 1, true) then shown[#shown + 1] = p end
  end
  table.sort(shown, function(a, b) return (a.Name or ""):lower() < (b.Name or ""):lower() end)
  print(string.format("Programs (%d):", #shown))
  cli.table(shown, {"Name", "Version", "Vendor"})
end
s:close()
