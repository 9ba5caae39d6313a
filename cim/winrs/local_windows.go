//go:build windows

package winrs

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
)

// powershellExe is Windows PowerShell, which every Windows has.
const powershellExe = "powershell.exe"

// shellArgv runs a command line through cmd /c; platformCommand hands
// it to cmd.exe verbatim.
func shellArgv(line string) []string { return []string{"cmd.exe", "/c", line} }

func quoteShell(s string) (string, error) { return cmdArgument(s) }

// platformCommand gives cmd.exe the command line as written: Go's own
// quoting of the argument would add backslashes cmd does not undo.
func platformCommand(cmd *exec.Cmd, argv []string) {
	if len(argv) == 3 && argv[1] == "/c" {
		cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: "cmd.exe /c " + argv[2]}
	}
}

func exitCode(ps *os.ProcessState) int64 { return int64(uint32(ps.ExitCode())) }

func envNameEqual(a, b string) bool { return strings.EqualFold(a, b) }
