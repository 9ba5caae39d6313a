package winrs

import (
	"encoding/base64"
	"unicode/utf16"
)

// maxCommandLine is how long a command line may be before a PowerShell
// script goes through stdin instead: cmd.exe takes at most 8191
// characters, and WinRS runs commands through it.
const maxCommandLine = 8000

// psArgs are PowerShell's options: no profile (a profile's output and
// slowness do not belong in a command's result), never prompt.
const psArgs = " -NoProfile -NonInteractive -EncodedCommand "

// psBootstrap reads the real script from the first line of stdin (base64
// of its UTF-8 text, so that no console code page can mangle it) and
// runs it as one script block. -Command - would run stdin line by line,
// breaking multi-line statements. The script's own stdin follows that
// line.
const psBootstrap = `$s=[Console]::In.ReadLine();& ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($s))))`

// encodeCommand is -EncodedCommand's argument: base64 of UTF-16LE.
func encodeCommand(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// powershellLine builds the command line that runs script with exe
// ("powershell.exe", "pwsh") and the stdin to send. masterzen/winrm's
// Powershell() is not used: it prepends $ProgressPreference to the
// script and leaves out -NoProfile -NonInteractive. A script whose line
// would pass limit is sent through stdin to psBootstrap.
func powershellLine(exe, script string, stdin []byte, limit int) (string, []byte) {
	line := exe + psArgs + encodeCommand(script)
	if len(line) <= limit {
		return line, stdin
	}
	first := base64.StdEncoding.EncodeToString([]byte(script)) + "\n"
	return exe + psArgs + encodeCommand(psBootstrap), append([]byte(first), stdin...)
}
