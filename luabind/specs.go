package luabind

// The option specs: one table per function, driving validation, help()
// and completion. Names follow the CimCmdlets parameters in snake_case.

var (
	optSession = Opt{Name: "cim_session", Type: TSessions, Module: true,
		Doc: "where to run; a list runs in parallel, results carry PSComputerName and a second result lists per-host errors"}
	optComputer = Opt{Name: "computer_name", Type: TStringList, Module: true,
		Doc: "where to run, through a temporary session each"}
	optThrottle = Opt{Name: "throttle_limit", Type: TInteger, Module: true,
		Doc: "how many sessions run at once (default 32)"}
	optNamespace = Opt{Name: "namespace", Type: TString, Doc: "CIM namespace (default root/cimv2)"}
	optTimeout   = Opt{Name: "operation_timeout_sec", Type: TNumber, Doc: "seconds this call may take (default: the session's operation_timeout_sec, 180 unless new_session set it)"}
	optResURI    = Opt{Name: "resource_uri", Type: TString, Doc: "WS-Man resource URI instead of the class's"}
	optInput     = Opt{Name: "input_object", Type: TInstance, Doc: "the instance to act on, found on the server by its key properties"}
	optDialect   = Opt{Name: "query_dialect", Type: TString, Doc: "query language (default WQL)"}
	optProperty  = Opt{Name: "property", Type: TStringList, Doc: "properties to return"}
	optKeyOnly   = Opt{Name: "key_only", Type: TBool, Doc: "return key properties only"}
	optShallow   = Opt{Name: "shallow", Type: TBool, Doc: "exclude instances of subclasses"}
	optFilter    = Opt{Name: "filter", Type: TString, Doc: "WQL condition, the WHERE clause without WHERE: \"State = 'Running'\""}
	optBatch     = Opt{Name: "batch_size", Type: TInteger, Doc: "instances fetched per round trip (default: as many as fit in an envelope)"}
	optClassName = Opt{Name: "class_name", Type: TString, Doc: "class to enumerate (or give it first, positionally)"}
	optQuery     = Opt{Name: "query", Type: TString, Doc: "a whole query (WQL), instead of class_name"}
	optMaxInst   = Opt{Name: "max_instances", Type: TInteger, Doc: "fail when more instances come (default 1000000); streaming has no limit"}

	optCommandStdin = Opt{Name: "stdin", Type: TString, Doc: "standard input for the command"}
	optOnOutput     = Opt{Name: "on_output", Type: TFunction, Doc: "function(stream, text, computer) called as output arrives"}
	optTimeLimit    = Opt{Name: "time_limit_sec", Type: TNumber, Doc: "terminate the command after this many seconds"}
	optWorkDir      = Opt{Name: "working_directory", Type: TString, Doc: "directory the command starts in"}
	optEnvironment  = Opt{Name: "environment", Type: TTable, Doc: "environment variables {NAME=value}"}
	optCodepage     = Opt{Name: "codepage", Type: TInteger, Doc: "code page of the output (default 65001, UTF-8)"}
)

func withModule(opts ...Opt) []Opt {
	return append([]Opt{optSession, optComputer, optThrottle}, opts...)
}

// Specs lists every function of the module, in help order.
var Specs = []*FuncSpec{
	{Name: "new_session", Cmdlet: "New-CimSession", Doc: "create a session (opens nothing until used); no computer_name: the local machine",
		Usage: "cim.new_session{computer_name=, credential=, ...}  cim.new_session()",
		Options: []Opt{
			{Name: "computer_name", Type: TStringList, Doc: "remote host (a list makes one session each); leave it out for the local machine"},
			{Name: "credential", Type: TCredential, Doc: "who to connect as; without one, negotiate and kerberos use your Kerberos ticket (kinit)"},
			{Name: "authentication", Type: TString, Doc: "default (negotiate), negotiate, ntlm, kerberos, basic or certificate; credssp is refused"},
			{Name: "port", Type: TInteger, Doc: "TCP port (default 5985, 5986 with use_ssl; DCOM: the endpoint mapper, 135)"},
			{Name: "session_option", Type: TSessionOption, Doc: "protocol, TLS, encryption, envelope size and culture settings"},
			{Name: "operation_timeout_sec", Type: TNumber, Doc: "seconds an operation may take (default 180; the server is asked for at most 60, Windows' limit); a call's own operation_timeout_sec overrides it"},
			{Name: "name", Type: TString, Doc: "session name (default CimSession<id>)"},
			{Name: "skip_test_connection", Type: TBool, Doc: "accepted for compatibility: sessions never connect on creation"},
		}},
	{Name: "new_session_option", Cmdlet: "New-CimSessionOption", Doc: "options for new_session (transport, TLS, envelope size, culture)",
		Usage: "cim.new_session_option{use_ssl=true, ...}",
		Options: []Opt{
			{Name: "protocol", Type: TString, Doc: "wsman (default) or dcom (WMI over DCOM, port 135)"},
			{Name: "impersonation", Type: TString, Doc: "DCOM: default, none, identify, impersonate (default) or delegate"},
			{Name: "packet_integrity", Type: TBool, Doc: "DCOM: sign every packet (the least Windows accepts)"},
			{Name: "packet_privacy", Type: TBool, Doc: "DCOM: encrypt every packet (default true)"},
			{Name: "use_ssl", Type: TBool, Doc: "HTTPS (default port 5986)"},
			{Name: "skip_ca_check", Type: TBool, Doc: "do not verify the server certificate's issuer"},
			{Name: "skip_cn_check", Type: TBool, Doc: "do not verify the server certificate's name"},
			{Name: "ca_file", Type: TString, Doc: "PEM file of trusted CA certificates"},
			{Name: "certificate_file", Type: TString, Doc: "client certificate (PEM) for certificate authentication"},
			{Name: "key_file", Type: TString, Doc: "client certificate key (PEM)"},
			{Name: "spn", Type: TString, Doc: "Kerberos service principal name (DCOM: host/<computer_name> by default)"},
			{Name: "no_encryption", Type: TBool, Doc: "no message encryption over HTTP (the server must allow unencrypted traffic; basic then sends the password in clear)"},
			{Name: "max_envelope_size_kb", Type: TInteger, Doc: "largest envelope in KB (default 500)"},
			{Name: "culture", Type: TString, Doc: "data locale (e.g. en-US)"},
			{Name: "ui_culture", Type: TString, Doc: "message locale"},
			{Name: "http_prefix", Type: TString, Doc: "URL path (default /wsman)"},
			{Name: "encode_port_in_spn", Type: TBool, Doc: "put the port in the Kerberos SPN"},
			{Name: "resource_uri_form", Type: TString, Doc: "dmtf (default) or wmi resource URIs"},
		}},
	{Name: "credential", Cmdlet: "Get-Credential", Doc: "a user and password; without one: CIMSH_PASSWORD (read at start-up), else a prompt without echo on a terminal, else an error",
		Usage: "cim.credential(user [, password])"},
	{Name: "get_session", Cmdlet: "Get-CimSession", Doc: "list the live sessions, optionally filtered",
		Usage: "cim.get_session{id=, name=, computer_name=, instance_id=}",
		Options: []Opt{
			{Name: "id", Type: TInteger, Doc: "session id"},
			{Name: "name", Type: TString, Doc: "session name"},
			{Name: "computer_name", Type: TString, Doc: "host name"},
			{Name: "instance_id", Type: TString, Doc: "session instance id (UUID)"},
		}},
	{Name: "remove_session", Cmdlet: "Remove-CimSession", Doc: "close sessions (releases their enumerations and connections)",
		Usage: "cim.remove_session(s)  cim.remove_session{cim_session=, id=, name=, computer_name=}",
		Options: []Opt{
			{Name: "cim_session", Type: TSessions, Doc: "the sessions to close"},
			{Name: "id", Type: TInteger, Doc: "session id"},
			{Name: "name", Type: TString, Doc: "session name"},
			{Name: "computer_name", Type: TString, Doc: "host name"},
		}},
	{Name: "get_instance", Cmdlet: "Get-CimInstance", Method: true, Doc: "instances of a class, the results of a query, or one instance by key",
		Usage: "s:get_instance{class_name=, filter=, ...}  s:get_instance(\"Win32_Service\")",
		Options: withModule(
			Opt{Name: "class_name", Type: TString, Doc: "class to enumerate"},
			optNamespace, optFilter,
			Opt{Name: "query", Type: TString, Doc: "a whole query (WQL)"},
			optDialect, optProperty, optKeyOnly, optShallow, optInput, optResURI, optTimeout, optMaxInst,
		)},
	{Name: "query", Cmdlet: "Get-CimInstance -Query", Method: true, Doc: "run a WQL query and return the instances",
		Usage:   "s:query(\"SELECT * FROM Win32_Service WHERE State='Running'\" [, opts])",
		Options: withModule(optNamespace, optDialect, optTimeout, optMaxInst)},
	{Name: "instances", Cmdlet: "Get-CimInstance (streaming)", Method: true, Doc: "iterate a class or query, pulling batches on demand",
		Usage: "for inst in s:instances(\"Win32_Process\" [, opts]) do ... end  for inst in s:instances{class_name=, filter=} do ... end",
		Options: []Opt{
			{Name: "cim_session", Type: TSessions, Module: true, Doc: "the one session to stream from (a list raises: use get_instance to fan out)"},
			{Name: "computer_name", Type: TString, Module: true, Doc: "host name (a temporary session)"},
			optClassName, optQuery, optNamespace, optFilter, optDialect, optProperty, optKeyOnly, optShallow, optResURI, optTimeout, optBatch,
		}},
	{Name: "each_instance", Cmdlet: "Get-CimInstance (streaming)", Method: true, Doc: "call fn for each instance; stops and releases when fn returns false",
		Usage: "s:each_instance(\"Win32_Process\", function(p) ... end [, opts])  s:each_instance({class_name=, filter=}, function(p) ... end)",
		Options: []Opt{
			{Name: "cim_session", Type: TSessions, Module: true, Doc: "the one session to stream from (a list raises: use get_instance to fan out)"},
			{Name: "computer_name", Type: TString, Module: true, Doc: "host name (a temporary session)"},
			optClassName, optQuery, optNamespace, optFilter, optDialect, optProperty, optKeyOnly, optShallow, optResURI, optTimeout, optBatch,
		}},
	{Name: "invoke_method", Cmdlet: "Invoke-CimMethod", Method: true, Doc: "call a static or instance method; returns the out parameters and ReturnValue",
		Usage: "s:invoke_method{class_name= or input_object=, method_name=, arguments={...}}",
		Options: withModule(
			Opt{Name: "class_name", Type: TString, Doc: "class of a static method"},
			optInput,
			Opt{Name: "method_name", Type: TString, Doc: "method to call"},
			Opt{Name: "arguments", Type: TTable, Doc: "in parameters by name"},
			optNamespace, optResURI, optTimeout,
		)},
	{Name: "get_class", Cmdlet: "Get-CimClass", Method: true, Doc: "a class schema, or the classes matching a wildcard",
		Usage: "s:get_class{class_name=\"Win32_Service\"}  s:get_class(\"Win32_*\")",
		Options: withModule(
			Opt{Name: "class_name", Type: TString, Doc: "class name (wildcards * and ? list classes)"},
			optNamespace,
			Opt{Name: "method_name", Type: TString, Doc: "only classes with this method (wildcards)"},
			Opt{Name: "property_name", Type: TString, Doc: "only classes with this property (wildcards)"},
			optTimeout,
		)},
	{Name: "new_instance", Cmdlet: "New-CimInstance", Method: true, Doc: "build an instance (client_only) or create one on the server",
		Usage: "cim.new_instance{class_name=, key={...}, client_only=true}  s:new_instance{class_name=, property={...}}",
		Options: withModule(
			Opt{Name: "class_name", Type: TString, Doc: "class of the new instance"},
			Opt{Name: "property", Type: TTable, Doc: "property values by name"},
			Opt{Name: "key", Type: TStringList, Doc: "names of the key properties"},
			optNamespace,
			Opt{Name: "client_only", Type: TBool, Doc: "build it locally without a server"},
			optResURI, optTimeout,
		)},
	{Name: "set_instance", Cmdlet: "Set-CimInstance", Method: true, Doc: "write changed properties back to the server",
		Usage: "s:set_instance{input_object=inst, property={...}}",
		Options: withModule(optInput,
			Opt{Name: "property", Type: TTable, Doc: "property values to set"},
			optNamespace, optTimeout)},
	{Name: "remove_instance", Cmdlet: "Remove-CimInstance", Method: true, Doc: "delete an instance on the server",
		Usage:   "s:remove_instance(inst)  cim.remove_instance{input_object=, cim_session=}",
		Options: withModule(optInput, optNamespace, optTimeout)},
	{Name: "get_associated_instance", Cmdlet: "Get-CimAssociatedInstance", Method: true, Doc: "instances associated with an instance",
		Usage: "s:get_associated_instance{input_object=, association=, result_class_name=}",
		Options: withModule(optInput,
			Opt{Name: "association", Type: TString, Doc: "association class"},
			Opt{Name: "result_class_name", Type: TString, Doc: "class of the instances returned"},
			Opt{Name: "role", Type: TString, Doc: "role of input_object in the association"},
			Opt{Name: "result_role", Type: TString, Doc: "role of the returned instances"},
			optKeyOnly, optNamespace, optTimeout, optMaxInst)},
	{Name: "register_indication_event", Cmdlet: "Register-CimIndicationEvent", Method: true,
		Doc:   "subscribe to indications; sub:wait([sec]) runs the action per event, for ev in sub:events([sec]) iterates",
		Usage: "s:register_indication_event{query=\"SELECT * FROM __InstanceCreationEvent WITHIN 2 WHERE TargetInstance ISA 'Win32_Process'\", action=function(ev) end}",
		Options: withModule(
			Opt{Name: "query", Type: TString, Doc: "event query (WQL), e.g. SELECT * FROM __InstanceModificationEvent WITHIN 5 WHERE TargetInstance ISA 'Win32_Service'"},
			Opt{Name: "class_name", Type: TString, Doc: "indication class (every indication of it)"},
			optDialect, optNamespace,
			Opt{Name: "action", Type: TFunction, Doc: "called with each event by sub:wait(); returning false stops the wait"},
			Opt{Name: "max_trigger_count", Type: TInteger, Doc: "unsubscribe after this many events"},
			Opt{Name: "source_identifier", Type: TString, Doc: "a name for the subscription"},
			optTimeout)},
	{Name: "run", Cmdlet: "Invoke-Command", Method: true,
		Doc:   "run a command on the machine (cmd on WinRS targets, /bin/sh locally); returns {stdout=, stderr=, exit_code=}",
		Usage: "s:run(\"ipconfig /all\" [, {arguments={...}, stdin=, on_output=function(stream, text) end, ...}])  cim.run{cim_session=, command=}",
		Options: withModule(
			Opt{Name: "command", Type: TString, Doc: "the command line (positional in s:run)"},
			Opt{Name: "arguments", Type: TStringList, Doc: "arguments, each quoted for the shell"},
			optCommandStdin, optOnOutput, optTimeLimit, optWorkDir, optEnvironment, optCodepage, optTimeout,
		)},
	{Name: "powershell", Cmdlet: "Invoke-Command -ScriptBlock", Method: true,
		Doc:   "run a PowerShell script on the machine (powershell.exe on WinRS targets, pwsh locally); returns {stdout=, stderr=, exit_code=}",
		Usage: "s:powershell(\"Get-Service WinRM\" [, opts])  cim.powershell{cim_session=, script=}",
		Options: withModule(
			Opt{Name: "script", Type: TString, Doc: "the script (positional in s:powershell)"},
			optCommandStdin, optOnOutput, optTimeLimit, optWorkDir, optEnvironment, optCodepage, optTimeout,
		)},
	{Name: "test_wsman", Cmdlet: "Test-WSMan", Doc: "identify the server (ProductVendor, ProductVersion, ProtocolVersion); s:test() on a session",
		Usage:   "cim.test_wsman{computer_name=}  s:test()",
		Options: withModule()},
	{Name: "format_table", Cmdlet: "Format-Table", Doc: "a list of instances, classes, sessions or tables as a text table",
		Usage: "cim.format_table(list [, {\"Name\", \"State\"}])"},
	{Name: "format_list", Cmdlet: "Format-List", Doc: "an instance, class or session (or a list of them, or tables) as name : value lines",
		Usage: "cim.format_list(x [, props])"},
	{Name: "to_json", Cmdlet: "ConvertTo-Json", Doc: "JSON text of a value (64-bit integers exact)",
		Usage:   "cim.to_json(x [, {compress=true}])",
		Options: []Opt{{Name: "compress", Type: TBool, Doc: "one line, no indentation"}}},
	{Name: "to_csv", Cmdlet: "ConvertTo-Csv", Doc: "CSV text of a list of instances, classes, sessions or tables",
		Usage: "cim.to_csv(list [, props])"},
	{Name: "export_csv", Cmdlet: "Export-Csv", Doc: "write CSV to a file atomically, keeping its mode; a symlink writes its target, a device or FIFO is written directly",
		Usage: "cim.export_csv(list, path [, props])"},
	{Name: "export_binary_mi_log", Cmdlet: "Export-BinaryMiLog", Doc: "save instances with their CIM types to a file, atomically (cimsh's own format)",
		Usage: "cim.export_binary_mi_log(list, path)"},
	{Name: "import_binary_mi_log", Cmdlet: "Import-BinaryMiLog", Doc: "read back instances saved by export_binary_mi_log",
		Usage: "cim.import_binary_mi_log(path)"},
	{Name: "import_cdxml", Cmdlet: "Import-Module (CDXML)", Doc: "load a CDXML module: a table of its cmdlets as functions (m.get_x or m[\"Get-X\"]); help(m) lists them",
		Usage: "local m = assert(cim.import_cdxml(\"SmbShare\"))  -- a .cdxml file, a module folder or its .psd1\n  cim.import_cdxml(\"cimsh:CimshProcess\")  -- a module bundled with cimsh (cim.bundled_cdxml() lists them)"},
	{Name: "bundled_cdxml", Doc: "the names of the CDXML modules bundled with cimsh, or one's text (to copy and adapt)",
		Usage: "cim.bundled_cdxml()  io.write(cim.bundled_cdxml(\"CimshProcess\"))"},
	{Name: "uint64", Doc: "an exact unsigned 64-bit integer from a string or number",
		Usage: "cim.uint64(\"18446744073709551615\")"},
	{Name: "int64", Doc: "an exact signed 64-bit integer from a string or number",
		Usage: "cim.int64(\"-9223372036854775808\")"},
	{Name: "tonumber", Doc: "a boxed integer (or anything tonumber takes) as a Lua number, lossy beyond 2^53",
		Usage: "cim.tonumber(x)"},
	{Name: "compare", Doc: "-1, 0 or 1: a against b, exactly, for boxed integers and numbers in any mix (< raises between a boxed integer and a number)",
		Usage: "cim.compare(a, b)"},
	{Name: "datetime", Doc: "a datetime or interval from ISO 8601 or DMTF text",
		Usage: "cim.datetime(\"2024-01-02T03:04:05Z\")  cim.datetime(\"P1DT2H\")"},
	{Name: "escape_controls", Doc: "text with its control characters shown escaped (\\x1b), for printing what a server sent; format_table, format_list, tostring(err) and the REPL do it themselves",
		Usage: "print(cim.escape_controls(text))"},
}

// SessionMethods lists the session methods with a line each (help, completion).
var SessionMethods = map[string]string{
	"get_instance":              "instances of a class, a query's results, or one by key",
	"query":                     "run a WQL query",
	"instances":                 "iterate a class or query (for inst in s:instances(...))",
	"each_instance":             "call fn for each instance until it returns false",
	"invoke_method":             "call a method",
	"get_class":                 "a class schema",
	"new_instance":              "create an instance on the server",
	"set_instance":              "write an instance back",
	"remove_instance":           "delete an instance",
	"get_associated_instance":   "associated instances",
	"test":                      "identify the server (Test-WSMan)",
	"register_indication_event": "subscribe to indications (sub:wait, sub:events, sub:close)",
	"run":                       "run a command: {stdout=, stderr=, exit_code=}",
	"powershell":                "run a PowerShell script: {stdout=, stderr=, exit_code=}",
	"close":                     "close the session, releasing its enumerations",
}

// SessionFields lists the session's read-only fields.
var SessionFields = []string{"id", "name", "instance_id", "computer_name", "protocol", "port", "authentication", "connected"}

// InstanceMethods lists the instance methods.
var InstanceMethods = map[string]string{
	"properties": "iterate name, value in order: for k, v in inst:properties() do",
	"invoke":     "call a method of the instance: inst:invoke(\"StopService\" [, args])",
	"refresh":    "fetch the instance again from its session",
	"keys":       "the key property names",
	"names":      "the property names in order",
	"get_class":  "the class schema from the instance's session",
}

// specByName finds a function's spec.
func specByName(name string) *FuncSpec {
	for _, s := range Specs {
		if s.Name == name {
			return s
		}
	}
	return nil
}
