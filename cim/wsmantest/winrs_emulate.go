package wsmantest

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/cimsh/cimsh/cim/model"
)

// EmulateWindows is the default Program: a handful of cmd.exe commands
// and a sliver of powershell.exe, enough for clients to be tested
// without a Windows machine. Each Flush below makes a separate Receive
// response, so output arrives split as it does from a real process.
//
//	echo TEXT           TEXT and CRLF on stdout; "echo TEXT 1>&2" on stderr
//	A & B               A, then B
//	exit /b N, exit N   exit code N
//	more                copies stdin to stdout
//	cd, hostname, whoami, set NAME
//	ping -n N HOST      one line a second for N seconds (-t: until terminated)
//	net start NAME, net stop NAME   StartService/StopService on the
//	                    server's Win32_Service NAME, with net's messages
//	powershell.exe ... -EncodedCommand B64   (also pywinrm's lower case)
//
// Anything else is cmd's "is not recognized" error with exit code 9009.
// The PowerShell subset runs one statement per line or ';': Write-Output
// and Write-Host of a quoted string, a bare quoted string, Write-Error
// (CLIXML on stderr, as powershell.exe writes it when stderr is not a
// console), Start-Sleep N, exit N, and assignments (ignored). An encoded
// script that reads its real script from the first line of stdin
// (cim/winrs's bootstrap for long scripts) gets it from there.
func EmulateWindows(ctx context.Context, p *Process) int {
	line := p.CommandLine
	if p.SkipCmdShell {
		return runOne(ctx, p, line)
	}
	code := 0
	for _, part := range strings.Split(line, " & ") {
		code = runOne(ctx, p, strings.TrimSpace(part))
		if ctx.Err() != nil {
			return code
		}
	}
	return code
}

func runOne(ctx context.Context, p *Process, line string) int {
	name, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".exe")) {
	case "echo":
		if text, ok := strings.CutSuffix(rest, " 1>&2"); ok {
			io.WriteString(p.Stderr, uncaret(text)+"\r\n")
		} else {
			io.WriteString(p.Stdout, uncaret(rest)+"\r\n")
		}
		p.Flush()
		return 0
	case "exit":
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "/b"), "/B")))
		return n
	case "more":
		io.Copy(p.Stdout, p.Stdin)
		return 0
	case "cd":
		io.WriteString(p.Stdout, p.WorkingDirectory+"\r\n")
		return 0
	case "hostname":
		io.WriteString(p.Stdout, p.ComputerName+"\r\n")
		return 0
	case "whoami":
		io.WriteString(p.Stdout, strings.ToLower(p.ComputerName+`\`+p.User)+"\r\n")
		return 0
	case "set":
		for k, v := range p.Environment {
			if strings.EqualFold(k, rest) {
				io.WriteString(p.Stdout, k+"="+v+"\r\n")
				return 0
			}
		}
		io.WriteString(p.Stderr, "Environment variable "+rest+" not defined\r\n")
		return 1
	case "ping":
		return ping(ctx, p, strings.Fields(rest))
	case "net":
		return netCommand(ctx, p, splitArgs(uncaret(rest)))
	case "powershell":
		return powershell(ctx, p, strings.Fields(rest))
	}
	fmt.Fprintf(p.Stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", name)
	return 9009
}

func ping(ctx context.Context, p *Process, args []string) int {
	n, forever := 4, false
	for i := 0; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "-t":
			forever = true
		case "-n":
			if i+1 < len(args) {
				n, _ = strconv.Atoi(args[i+1])
				i++
			}
		}
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for i := 0; forever || i < n; i++ {
		io.WriteString(p.Stdout, "Reply from 127.0.0.1: bytes=32 time<1ms TTL=128\r\n")
		p.Flush()
		if !forever && i == n-1 {
			break
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return 1
		}
	}
	return 0
}

// psBootstrapMarker is what identifies cim/winrs's bootstrap script.
const psBootstrapMarker = "[Console]::In.ReadLine()"

func powershell(ctx context.Context, p *Process, args []string) int {
	var script string
	for i := 0; i < len(args); i++ {
		if a := strings.ToLower(args[i]); (a == "-encodedcommand" || a == "-enc" || a == "-e") && i+1 < len(args) {
			raw, err := base64.StdEncoding.DecodeString(args[i+1])
			if err != nil || len(raw)%2 != 0 {
				io.WriteString(p.Stderr, "Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.\r\n")
				return 1
			}
			u := make([]uint16, len(raw)/2)
			for j := range u {
				u[j] = uint16(raw[2*j]) | uint16(raw[2*j+1])<<8
			}
			script = string(utf16.Decode(u))
		}
	}
	stdin := bufio.NewReader(p.Stdin)
	if strings.Contains(script, psBootstrapMarker) {
		first, _ := stdin.ReadString('\n')
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(first))
		if err != nil {
			psError(p, "Exception calling \"FromBase64String\" with \"1\" argument(s): \"The input is not a valid Base-64 string.\"")
			return 1
		}
		script = string(raw)
	}
	code, failed := 0, false
	defer psEndErrors(p)
	for _, stmt := range psStatements(script) {
		if ctx.Err() != nil {
			return 1
		}
		failed = false
		cmd, arg, _ := strings.Cut(stmt, " ")
		arg = strings.TrimSpace(arg)
		switch strings.ToLower(cmd) {
		case "write-output", "write-host":
			io.WriteString(p.Stdout, psString(arg)+"\r\n")
			p.Flush()
		case "write-error":
			psError(p, psString(arg))
			failed = true
		case "start-sleep":
			secs, _ := strconv.ParseFloat(strings.TrimPrefix(strings.TrimPrefix(arg, "-Seconds "), "-s "), 64)
			select {
			case <-time.After(time.Duration(secs * float64(time.Second))):
			case <-ctx.Done():
				return 1
			}
		case "exit":
			n, _ := strconv.Atoi(arg)
			return n
		default:
			switch {
			case strings.HasPrefix(stmt, "'") || strings.HasPrefix(stmt, `"`):
				io.WriteString(p.Stdout, psString(stmt)+"\r\n")
				p.Flush()
			case strings.HasPrefix(stmt, "$") && strings.Contains(stmt, "="):
			default:
				psError(p, "The term '"+cmd+"' is not recognized as the name of a cmdlet, function, script file, or operable program.")
				failed = true
			}
		}
	}
	if failed {
		code = 1
	}
	return code
}

// psStatements splits a script into statements at newlines and at ';'
// outside quotes.
func psStatements(script string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	for _, r := range script {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ';' || r == '\n':
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}

// psString is the value of a quoted PowerShell string (a doubled quote
// stands for one); anything else as is.
func psString(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		q := string(s[0])
		return strings.ReplaceAll(s[1:len(s)-1], q+q, q)
	}
	return s
}

// psError writes an error record the way powershell.exe serializes its
// error stream when stderr is redirected: a "#< CLIXML" line once, then
// <Objs> with one <S S="Error"> per line of the formatted record, each
// its own write and the record in two Receive responses, CR LF escaped as
// _x000D__x000A_.
func psError(p *Process, msg string) {
	c := p.cmd
	c.mu.Lock()
	first := !c.clixml
	c.clixml = true
	c.mu.Unlock()
	if first {
		io.WriteString(p.Stderr, "#< CLIXML\r\n")
		io.WriteString(p.Stderr, `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
		io.WriteString(p.Stderr, `<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>`)
	}
	lines := []string{
		msg,
		"    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException",
		"    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException",
		" ",
	}
	for i, l := range lines {
		s := `<S S="Error">` + clixmlEscape(l+"\r\n") + `</S>`
		if i == 0 {
			// split inside an _xHHHH_ escape: clients must join stream
			// elements before decoding
			cut := strings.LastIndex(s, "_x000A_") + 3
			io.WriteString(p.Stderr, s[:cut])
			p.Flush()
			io.WriteString(p.Stderr, s[cut:])
			continue
		}
		io.WriteString(p.Stderr, s)
	}
	p.Flush()
}

// psEndErrors closes the CLIXML document when one was started.
func psEndErrors(p *Process) {
	p.cmd.mu.Lock()
	open := p.cmd.clixml
	p.cmd.mu.Unlock()
	if open {
		io.WriteString(p.Stderr, "</Objs>")
	}
}

// clixmlEscape escapes text as PowerShell's serializer does: XML
// markup as entities, control characters and '_' before 'x' as _xHHHH_.
func clixmlEscape(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '&':
			b.WriteString("&amp;")
		case r < 0x20 || r == '_' && i+1 < len(s) && s[i+1] == 'x':
			fmt.Fprintf(&b, "_x%04X_", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// uncaret does what cmd.exe does with carets outside quotes: drops each
// and keeps the character after it.
func uncaret(s string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == '^' && !quoted && i+1 < len(s):
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// splitArgs splits arguments at spaces outside double quotes, dropping
// the quotes (enough for the commands emulated here).
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, has := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, has = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

// netCommand is net start NAME and net stop NAME: the service control
// methods of the server's Win32_Service, and net's messages.
func netCommand(ctx context.Context, p *Process, args []string) int {
	help := func(msg string, code int) int {
		fmt.Fprintf(p.Stderr, "%s\r\n\r\nMore help is available by typing NET HELPMSG %d.\r\n\r\n", msg, code)
		return 2
	}
	if len(args) != 2 || (!strings.EqualFold(args[0], "start") && !strings.EqualFold(args[0], "stop")) || p.Provider == nil {
		return help("The syntax of this command is incorrect.", 3506)
	}
	start := strings.EqualFold(args[0], "start")
	ref := &model.Reference{ClassName: "Win32_Service", Namespace: model.DefaultNamespace,
		Selectors: []model.Selector{{Name: "Name", Value: args[1]}}}
	svc, err := p.Provider.Get(ctx, &model.GetRequest{Path: ref})
	if err != nil {
		return help("The service name is invalid.", 2185)
	}
	display := args[1]
	if v, ok := svc.Get("DisplayName"); ok && v.Text() != "" {
		display = v.Text()
	}
	method, verb, done := "StopService", "stopping", "stopped"
	if start {
		method, verb, done = "StartService", "starting", "started"
	}
	out, err := p.Provider.Invoke(ctx, &model.InvokeRequest{ClassName: "Win32_Service", Target: svc.Path(), Method: method})
	if err != nil {
		return help("System error 5 has occurred.\r\n\r\nAccess is denied.", 5)
	}
	switch rv, _ := out.Get("ReturnValue"); rv.Text() {
	case "0":
	case "10":
		return help("The requested service has already been started.", 2182)
	default:
		return help("The "+display+" service is not started.", 3521)
	}
	fmt.Fprintf(p.Stdout, "The %s service is %s.\r\n", display, verb)
	p.Flush()
	fmt.Fprintf(p.Stdout, "The %s service was %s successfully.\r\n\r\n", display, done)
	return 0
}
