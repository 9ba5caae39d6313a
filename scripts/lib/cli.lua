-- cimsh.cli: argument parsing, sessions and output shared by the bundled scripts.
local cli = {}

-- Options every script takes, to reach a remote host instead of this machine.
local common = {
  {name = "computer", arg = "HOST", help = "query HOST over WS-Management instead of this machine"},
  {name = "user", arg = "USER", help = "user for HOST (DOMAIN\\user); the password comes from CIMSH_PASSWORD, else a prompt on a terminal"},
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
  return table.concat(lines, "\n")
end

-- die prints "NAME: message" on stderr and exits with code (default 2).
function cli.die(name, msg, code)
  io.stderr:write(name .. ": " .. cim.escape_controls(tostring(msg)) .. "\n")
  os.exit(code or 2)
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

-- session_option builds the session option table from the common options.
function cli.session_config(opts, computer)
  local cfg = {computer_name = computer}
  if opts.user then cfg.credential = cim.credential(opts.user) end
  if opts.auth then cfg.authentication = opts.auth end
  if opts.port then
    local p = tonumber(opts.port)
    if not p then cli.die(opts.spec.name, "--port " .. tostring(opts.port) .. " is not a number") end
    cfg.port = p
  end
  if opts.ssl or opts.insecure or opts["no-encryption"] then
    cfg.session_option = cim.new_session_option{
      use_ssl = opts.ssl or false,
      skip_ca_check = opts.insecure or false,
      skip_cn_check = opts.insecure or false,
      no_encryption = opts["no-encryption"] or false,
    }
  end
  return cfg
end

-- session returns the session the options ask for: this machine, or --computer.
function cli.session(opts)
  if not opts.computer then return cim.new_session() end
  return cim.new_session(cli.session_config(opts, opts.computer))
end

-- check returns v, or exits with the error's message when v is nil.
function cli.check(opts, v, err)
  if v == nil then cli.die(opts.spec.name, err) end
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
