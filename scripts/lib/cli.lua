-- cimsh.cli: argument parsing, sessions and output shared by the bundled scripts.
local cli = {}

-- Options every script takes, to reach a remote host instead of this machine.
local common = {
  {name = "computer", arg = "HOST", help = "query HOST (also HOST:PORT, [IPV6]:PORT or an http(s):// URL) over WS-Management\n" ..
    string.rep(" ", 25) .. "instead of this machine"},
  {name = "user", arg = "USER", help = "user for HOST (DOMAIN\\user); password: CIMSH_PASSWORD, else a prompt without\n" ..
    string.rep(" ", 25) .. "echo on a terminal, else the script stops (exit 2) saying so"},
  {name = "auth", arg = "METHOD", help = "authentication: default, negotiate, ntlm, kerberos, basic, certificate"},
  {name = "port", arg = "N", help = "WS-Man port (5985, or 5986 with --ssl)"},
  {name = "ssl", help = "use HTTPS"},
  {name = "insecure", help = "with --ssl, skip the server certificate checks"},
  {name = "no-encryption", help = "allow unencrypted HTTP (needed for basic over HTTP)"},
  {name = "help", help = "show this help and exit"},
}

local function find(spec, name)
  for _, o in ipairs(spec.options or {}) do
    if o.name == name then return o end
  end
  for _, o in ipairs(common) do
    if o.name == name then return o end
  end
end

-- usage returns the help text of a script described by spec.
function cli.usage(spec)
  local lines = {}
  local function add(s) lines[#lines + 1] = s end
  add(string.format("usage: cimsh -s %s [options]%s", spec.name, spec.args and (" " .. spec.args) or ""))
  add("")
  add(spec.summary)
  add("")
  add("options:")
  local all = {}
  for _, o in ipairs(spec.options or {}) do all[#all + 1] = o end
  for _, o in ipairs(common) do all[#all + 1] = o end
  for _, o in ipairs(all) do
    local left = "--" .. o.name .. (o.arg and (" " .. o.arg) or "")
    local help = o.help
    if o.default ~= nil then help = help .. " (default " .. tostring(o.default) .. ")" end
    add(string.format("  %-22s %s", left, help))
  end
  if spec.notes then
    add("")
    add(spec.notes)
  end
  add("")
  add("exit status:")
  add("  0    success")
  add("  1    " .. (spec.fails or "(not used: this script checks nothing)"))
  add("  2    bad usage, or the host could not be queried (cannot connect or authenticate, the query failed)")
  add("  130  interrupted")
  return table.concat(lines, "\n")
end

-- The exit codes every bundled script uses (README, --help).
cli.EXIT_OK, cli.EXIT_CHECK, cli.EXIT_USAGE, cli.EXIT_INTERRUPTED = 0, 1, 2, 130

-- Messages from the cim module name Lua options and functions; the
-- scripts' users gave flags. Applied in order, first the whole phrases.
local in_flags = {
  {"^[^%s:]+:%d+: ", ""}, -- the position of the call in this file
  {"^cim%.[%w_]+: ", ""}, {"^s:[%w_]+: ", ""}, -- the Lua function that failed
  {"transport: ", ""}, {"^cim: ", ""},
  {"^authentication: unknown authentication", "--auth: unknown method"},
  {"authentication (%a+) is not supported", "--auth %1 is not supported"},
  {"^(%a+) authentication is not supported", function(m) return "--auth " .. m:lower() .. " is not supported" end},
  {"(%a+) authentication needs a user name", "--auth %1 needs --user"},
  {"(%a+) authentication needs HTTPS", "--auth %1 needs --ssl"},
  {"(%a+) authentication over plain HTTP", "--auth %1 over plain HTTP"},
  {"certificate authentication needs a certificate file and a key file",
    "--auth certificate needs a certificate and key file, which only the Lua API takes (certificate_file=, key_file=)"},
  {"(%a+) authentication cannot", "--auth %1 cannot"},
  {"use HTTPS, or no_encryption", "add --ssl, or --no-encryption"},
  {"pass it as the second argument or set CIMSH_PASSWORD", "set CIMSH_PASSWORD"},
  {"give credential= or run kinit", "give --user (and a password) or run kinit"},
  {"but port is", "but --port is"}, {"^port (%d+) is out of range", "--port %1 is out of range"},
  {"computer_name", "--computer"}, {"use_ssl is set", "--ssl is given"}, {"no_encryption", "--no-encryption"},
  {"skip_ca_check", "--insecure"}, {"skip_cn_check", "--insecure"}, {"credential=", "--user"},
}

-- flags rewrites a message from the cim module in the scripts' terms.
function cli.flags(msg)
  msg = tostring(msg)
  for _, r in ipairs(in_flags) do
    msg = msg:gsub(r[1], r[2])
  end
  return msg
end

-- die prints "NAME: message" on stderr and exits with code (default 2:
-- usage, or the host could not be queried).
function cli.die(name, msg, code)
  io.stderr:write(name .. ": " .. cim.escape_controls(tostring(msg)) .. "\n")
  os.exit(code or cli.EXIT_USAGE)
end

-- parse reads argv (the global arg) against spec and returns the options:
-- opts[name] for every option (defaults applied), opts.args for the operands.
-- --help prints the usage and exits 0; a bad option exits 2 naming it.
function cli.parse(argv, spec)
  local opts = {args = {}, spec = spec}
  for _, o in ipairs(spec.options or {}) do
    if o.default ~= nil then opts[o.name] = o.default end
  end
  local i = 1
  local n = argv and #argv or 0
  while i <= n do
    local a = argv[i]
    if a == "--" then
      for j = i + 1, n do opts.args[#opts.args + 1] = argv[j] end
      break
    elseif a:sub(1, 2) == "--" then
      local name, value = a:sub(3), nil
      local eq = name:find("=", 1, true)
      if eq then name, value = name:sub(1, eq - 1), name:sub(eq + 1) end
      local o = find(spec, name)
      if not o then cli.die(spec.name, "unknown option --" .. name .. " (see --help)") end
      if o.arg then
        if value == nil then
          i = i + 1
          value = argv[i]
          if value == nil then cli.die(spec.name, "option --" .. name .. " needs " .. o.arg) end
        end
        if o.number then
          local v = tonumber(value)
          if not v then cli.die(spec.name, "option --" .. name .. ": " .. value .. " is not a number") end
          if o.integer and v ~= math.floor(v) then
            cli.die(spec.name, "option --" .. name .. ": " .. value .. " is not a whole number")
          end
          if o.min and v < o.min or o.max and v > o.max then
            local range = o.max and string.format("from %s to %s", o.min, o.max) or string.format("at least %s", o.min)
            cli.die(spec.name, "option --" .. name .. ": " .. value .. " is out of range (want " .. range .. ")")
          end
          value = v
        end
        opts[name] = value
      else
        if value ~= nil then cli.die(spec.name, "option --" .. name .. " takes no value") end
        opts[name] = true
      end
    else
      opts.args[#opts.args + 1] = a
    end
    i = i + 1
  end
  if opts.help then
    print(cli.usage(spec))
    os.exit(0)
  end
  local max = spec.max_args or 0
  if #opts.args > max then
    cli.die(spec.name, "unexpected argument " .. opts.args[max + 1] .. " (see --help)")
  end
  return opts
end

-- call returns f(...)'s result; an error it raises (a combination of
-- flags that the cim module refuses) ends the script with the message in
-- flags, exit 2.
function cli.call(opts, f, ...)
  local ok, v = pcall(f, ...)
  if not ok then cli.die(opts.spec.name, cli.flags(v)) end
  return v
end

-- session_config builds new_session's option table from the common options.
function cli.session_config(opts, computer)
  local cfg = {computer_name = computer}
  -- --insecure skips the checks of a certificate, which only HTTPS has
  -- (a host list's lines may be https:// URLs: those are not known here).
  local host = computer or opts.computer
  if opts.insecure and host and not opts.ssl and not host:lower():match("^https://") then
    cli.die(opts.spec.name, "--insecure skips HTTPS certificate checks: give it with --ssl (or an https:// --computer)")
  end
  if opts.user then cfg.credential = cli.call(opts, cim.credential, opts.user) end
  if opts.auth then cfg.authentication = opts.auth end
  if opts.port then
    local p = tonumber(opts.port)
    if not p then cli.die(opts.spec.name, "--port " .. tostring(opts.port) .. " is not a number") end
    cfg.port = p
  end
  if opts.ssl or opts.insecure or opts["no-encryption"] then
    cfg.session_option = cli.call(opts, cim.new_session_option, {
      use_ssl = opts.ssl or false,
      skip_ca_check = opts.insecure or false,
      skip_cn_check = opts.insecure or false,
      no_encryption = opts["no-encryption"] or false,
    })
  end
  return cfg
end

-- session returns the session the options ask for: this machine, or --computer.
function cli.session(opts)
  if not opts.computer then return cim.new_session() end
  return cli.call(opts, cim.new_session, cli.session_config(opts, opts.computer))
end

-- fail ends the script for a failed query: exit 130 when it was
-- interrupted, else 2 with the error in flags.
function cli.fail(opts, err)
  if type(err) == "userdata" and err.category == "canceled" then
    cli.die(opts.spec.name, "interrupted", cli.EXIT_INTERRUPTED)
  end
  cli.die(opts.spec.name, cli.flags(err))
end

-- check returns v, or ends the script with the error (cli.fail) when v is nil.
function cli.check(opts, v, err)
  if v == nil then cli.fail(opts, err) end
  return v
end

-- first returns the first instance of class, or nil and the error.
function cli.first(s, class)
  local list, err = s:get_instance(class)
  if not list then return nil, err end
  return list[1]
end

-- gb formats a byte count as gigabytes.
function cli.gb(bytes)
  if bytes == nil then return "" end
  return string.format("%.1f", cim.tonumber(bytes) / 1073741824)
end

-- size formats a byte count in the largest unit that keeps it at 1 or
-- more: "512 B", "640.0 MB", "23.5 GB".
function cli.size(bytes)
  if bytes == nil then return nil end
  local n = cim.tonumber(bytes)
  if n < 1024 then return string.format("%d B", n) end
  local units = {"KB", "MB", "GB", "TB", "PB"}
  local i = 0
  repeat
    n = n / 1024
    i = i + 1
  until n < 1024 or i == #units
  return string.format("%.1f %s", n, units[i])
end

-- table prints rows as a table (cim.format_table) with nothing after it;
-- nothing at all for no rows.
function cli.table(rows, columns)
  io.write(cim.format_table(rows, columns))
end

-- duration formats seconds as "3d 4h 5m".
function cli.duration(secs)
  secs = math.floor(secs)
  local d = math.floor(secs / 86400)
  local h = math.floor(secs % 86400 / 3600)
  local m = math.floor(secs % 3600 / 60)
  if d > 0 then return string.format("%dd %dh %dm", d, h, m) end
  if h > 0 then return string.format("%dh %dm", h, m) end
  return string.format("%dm %ds", m, secs % 60)
end

-- show prints label/value pairs aligned, "unknown" for nil values; a
-- server's control characters are shown escaped.
function cli.show(pairs_)
  local width = 0
  for _, p in ipairs(pairs_) do
    if #p[1] > width then width = #p[1] end
  end
  for _, p in ipairs(pairs_) do
    local v = p[2]
    if v == nil or v == "" then v = "unknown" end
    print(string.format("%-" .. width .. "s : %s", p[1], cim.escape_controls(tostring(v))))
  end
end

return cli
