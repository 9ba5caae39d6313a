package winrs

// For the external tests: what cmd.exe and CommandLineToArgvW make of a
// line.
var (
	CmdUnescape       = uncaret
	CommandLineToArgv = splitArgv
)
