// Package winrs runs commands on a machine and returns their output and
// exit code: on a WS-Management server through the Windows Remote Shell
// (WinRS, MS-WSMV 3.1.4.11-15), and on this machine through the platform
// shell. It knows nothing of Lua; the cim package offers it as the
// sessions' RunCommand.
//
// The remote side (Runner) drives github.com/masterzen/winrm's Client,
// Shell and Command (its request builders, its Receive loop and response
// parsers) with the session's own transport plugged in through
// Parameters.TransportDecorator, so commands use the session's
// authentication, message encryption and connection pool. A thin layer
// here covers what that library gets wrong or lacks; each piece says
// which shortfall it covers:
//
//   - the shell is created here (codepage, working directory,
//     environment) and adopted with Client.NewShell (shell.go);
//   - every request gets its own context, so a Receive the server holds
//     ends on Ctrl-C, and Signal and Delete go out under their own short
//     deadline even then (transporter.go);
//   - replies are checked before the library parses them: its parser
//     panics on an empty or truncated body, loops on a reply that is not
//     a ReceiveResponse, drops stream data that is not base64 and invents
//     exit code 0, and nothing checks that a reply answers the request
//     (RelatesTo) (receive.go);
//   - "]]>" in a command or argument is split out of the CDATA section
//     the library wraps them in, and arguments are quoted for cmd.exe and
//     CommandLineToArgvW (quote.go);
//   - stdin is sent in chunks that fit the smallest envelope Windows
//     accepts, with the real error on failure (stdin.go);
//   - the PowerShell command line is built here (powershell.go), a long
//     script goes through stdin to a small encoded bootstrap, and
//     PowerShell's CLIXML error stream is decoded (clixml.go);
//   - output in another code page is converted to UTF-8 (codepage.go).
//
// The local side (Local) runs commands with /bin/sh -c (cmd /c on
// Windows) and PowerShell scripts with pwsh when it is installed.
package winrs
