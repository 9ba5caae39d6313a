package wsmantest

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// WinRS (MS-WSMV 3.1.4.5.2 and 3.1.4.11-15): the cmd shell resource.
// Shapes follow MS-WSMV's examples (section 4.7) and the Windows replies
// pywinrm's tests carry: Create answers x:ResourceCreated with the
// ShellId selector; Command answers rsp:CommandResponse; Receive answers
// rsp:ReceiveResponse with base64 rsp:Stream elements, End="true" markers
// and rsp:CommandState (Running, or Done with rsp:ExitCode), and a
// Receive with nothing to say is held until OperationTimeout and then
// answered w:TimedOut (code 2150858793, what pywinrm and masterzen wait
// for); an unknown ShellId is w:InvalidSelectors with the captured
// message.
const (
	nsShell        = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
	shellCmdURI    = nsShell + "/cmd"
	actionCommand  = nsShell + "/Command"
	actionReceive  = nsShell + "/Receive"
	actionSend     = nsShell + "/Send"
	actionSignal   = nsShell + "/Signal"
	stateRunning   = nsShell + "/CommandState/Running"
	stateDone      = nsShell + "/CommandState/Done"
	signalTerm     = nsShell + "/signal/terminate"
	signalCtrlC    = nsShell + "/signal/ctrl_c"
	signalCtrlBrk  = nsShell + "/signal/ctrl_break"
	defaultReceive = 60 * time.Second
)

// winrsShell is one open shell.
type winrsShell struct {
	id       string
	user     string
	dir      string
	env      map[string]string
	codepage int
	cmds     map[string]*winrsCommand
}

// shellTable holds the open shells.
type shellTable struct {
	mu      sync.Mutex
	shells  map[string]*winrsShell
	created int64
}

// OpenShells returns how many WinRS shells are open (created and not
// deleted).
func (s *Server) OpenShells() int {
	s.shells.mu.Lock()
	defer s.shells.mu.Unlock()
	return len(s.shells.shells)
}

// ShellsCreated returns how many WinRS shells were ever created.
func (s *Server) ShellsCreated() int64 {
	s.shells.mu.Lock()
	defer s.shells.mu.Unlock()
	return s.shells.created
}

// closeAll terminates every command of every shell (Server.Close).
func (t *shellTable) closeAll() {
	t.mu.Lock()
	shells := t.shells
	t.shells = nil
	t.mu.Unlock()
	for _, sh := range shells {
		for _, c := range sh.cmds {
			c.cancel()
		}
	}
}

func (t *shellTable) get(id string) *winrsShell {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.shells[strings.ToUpper(id)]
}

// shellCommandID is the CommandId a Receive, Send or Signal names (for
// the log).
func shellCommandID(req *request) string {
	b := req.Body
	var id string
	switch {
	case b.is(nsShell, "Receive"):
		id, _ = b.child(nsShell, "DesiredStream").attr("", "CommandId")
	case b.is(nsShell, "Send"):
		id, _ = b.child(nsShell, "Stream").attr("", "CommandId")
	case b.is(nsShell, "Signal"):
		id, _ = b.attr("", "CommandId")
	}
	return strings.TrimSpace(id)
}

// shellDispatch serves the cmd shell resource.
func (c *call) shellDispatch() ([]byte, *FaultSpec) {
	if c.st.dialect == OMI {
		return nil, destination(c.req.ResourceURI)
	}
	switch c.log.Operation {
	case "Create":
		return c.createShell()
	case "Delete":
		return c.deleteShell()
	case "Command":
		return c.command()
	case "Receive":
		return c.receive()
	case "Send":
		return c.sendInput()
	case "Signal":
		return c.signal()
	}
	return nil, &FaultSpec{Subcode: "a:ActionNotSupported",
		Message: "The WS-Management service does not support the action " + c.req.Action + " for the Windows Remote Shell."}
}

func (c *call) shellID() string {
	id, _ := selector(c.req.Selectors, "ShellId")
	return strings.TrimSpace(id)
}

// shellNotFound is Windows' fault for an unknown ShellId (captured).
func shellNotFound(id string) *FaultSpec {
	return &FaultSpec{Subcode: "w:InvalidSelectors", Detail: "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors",
		Message: "The request for the Windows Remote Shell with ShellId " + id + " failed because the shell was not found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create a new shell and retry the operation."}
}

// commandNotFound is the fault for an unknown CommandId (wording
// unverified: modelled on the shell's).
func commandNotFound(shell, id string) *FaultSpec {
	return &FaultSpec{Subcode: "w:InvalidSelectors",
		Message: "The request for the Windows Remote Shell with ShellId " + shell + " failed because the command with CommandId " + id + " was not found on the server."}
}

func invalidShellRequest(msg string) *FaultSpec {
	return &FaultSpec{Subcode: "w:SchemaValidationError", Message: msg}
}

// createShell answers Create on the cmd resource.
func (c *call) createShell() ([]byte, *FaultSpec) {
	body := c.req.Body
	if !body.is(nsShell, "Shell") {
		return nil, invalidShellRequest("The Create request for a shell has no rsp:Shell body.")
	}
	sh := &winrsShell{id: strings.ToUpper(uuid.NewString()), user: c.log.User, env: map[string]string{},
		codepage: 437, cmds: map[string]*winrsCommand{}}
	if v, ok := c.req.Options["WINRS_CODEPAGE"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n <= 0 {
			return nil, &FaultSpec{Subcode: "w:InvalidParameter", Message: "The WINRS_CODEPAGE option " + v + " is not a valid code page."}
		}
		sh.codepage = n
	}
	if d := body.child(nsShell, "WorkingDirectory"); d != nil {
		sh.dir = d.text()
	}
	if env := body.child(nsShell, "Environment"); env != nil {
		for _, v := range env.childrenNamed(nsShell, "Variable") {
			name, _ := v.attr("", "Name")
			sh.env[name] = v.Text
		}
	}
	t := &c.s.shells
	t.mu.Lock()
	if t.shells == nil {
		t.shells = map[string]*winrsShell{}
	}
	t.shells[sh.id] = sh
	t.created++
	t.mu.Unlock()
	r := c.s.begin(c.st, nsTransfer+"/CreateResponse", c.req.MessageID, "s a x w rsp p", false)
	r.raw("<x:ResourceCreated><a:Address>")
	r.text(c.req.To)
	r.raw("</a:Address><a:ReferenceParameters><w:ResourceURI>", shellCmdURI, "</w:ResourceURI><w:SelectorSet>")
	r.raw(`<w:Selector Name="ShellId">`, sh.id, "</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>")
	return r.end(), nil
}

// deleteShell answers Delete: every command still running is
// terminated and the shell is gone.
func (c *call) deleteShell() ([]byte, *FaultSpec) {
	id := c.shellID()
	t := &c.s.shells
	t.mu.Lock()
	sh := t.shells[strings.ToUpper(id)]
	if sh != nil {
		delete(t.shells, sh.id)
	}
	t.mu.Unlock()
	if sh == nil {
		return nil, shellNotFound(id)
	}
	for _, cmd := range sh.cmds {
		cmd.cancel()
	}
	r := c.s.begin(c.st, nsTransfer+"/DeleteResponse", c.req.MessageID, "s a w", false)
	return r.end(), nil
}

// command starts a command in a shell.
func (c *call) command() ([]byte, *FaultSpec) {
	id := c.shellID()
	sh := c.s.shells.get(id)
	if sh == nil {
		return nil, shellNotFound(id)
	}
	body := c.req.Body
	if !body.is(nsShell, "CommandLine") {
		return nil, invalidShellRequest("The Command request has no rsp:CommandLine body.")
	}
	p := &Process{ShellID: sh.id, Command: body.child(nsShell, "Command").text(),
		WorkingDirectory: sh.dir, Environment: sh.env, Codepage: sh.codepage, User: sh.user,
		ComputerName: c.s.computerName(), Provider: c.s.provider,
		SkipCmdShell: strings.EqualFold(strings.TrimSpace(c.req.Options["WINRS_SKIP_CMD_SHELL"]), "TRUE")}
	for _, a := range body.childrenNamed(nsShell, "Arguments") {
		p.Arguments = append(p.Arguments, a.text())
	}
	p.CommandLine = strings.Join(append([]string{p.Command}, p.Arguments...), " ")
	if p.Command == "" {
		return nil, invalidShellRequest("The Command request has an empty rsp:Command.")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := &winrsCommand{id: strings.ToUpper(uuid.NewString()), shell: sh, changed: make(chan struct{}),
		cancel: cancel, finished: make(chan struct{})}
	p.CommandID, p.cmd = cmd.id, cmd
	p.Stdin = stdinReader{c: cmd, ctx: ctx}
	p.Stdout, p.Stderr = streamWriter{cmd, "stdout"}, streamWriter{cmd, "stderr"}
	c.s.shells.mu.Lock()
	sh.cmds[cmd.id] = cmd
	c.s.shells.mu.Unlock()
	run := c.s.opts.RunCommand
	if run == nil {
		run = EmulateWindows
	}
	go func() {
		defer close(cmd.finished)
		code := 1
		defer func() {
			if recover() != nil {
				code = 1
			}
			cmd.finish(code)
		}()
		code = run(ctx, p)
	}()
	r := c.s.begin(c.st, nsShell+"/CommandResponse", c.req.MessageID, "s a w rsp p", false)
	r.raw("<rsp:CommandResponse><rsp:CommandId>", cmd.id, "</rsp:CommandId></rsp:CommandResponse>")
	return r.end(), nil
}

// lookupCommand finds the shell and command a request names.
func (c *call) lookupCommand(cmdID string) (*winrsCommand, *FaultSpec) {
	id := c.shellID()
	t := &c.s.shells
	t.mu.Lock()
	defer t.mu.Unlock()
	sh := t.shells[strings.ToUpper(id)]
	if sh == nil {
		return nil, shellNotFound(id)
	}
	cmd := sh.cmds[strings.ToUpper(strings.TrimSpace(cmdID))]
	if cmd == nil {
		return nil, commandNotFound(sh.id, cmdID)
	}
	return cmd, nil
}

// receive answers Receive with the next flushed output, holding the
// request until there is some, the command ends, or OperationTimeout
// passes (then w:TimedOut, as Windows does).
func (c *call) receive() ([]byte, *FaultSpec) {
	body := c.req.Body
	ds := body.child(nsShell, "DesiredStream")
	if !body.is(nsShell, "Receive") || ds == nil {
		return nil, invalidShellRequest("The Receive request has no rsp:DesiredStream.")
	}
	cmdID, _ := ds.attr("", "CommandId")
	cmd, f := c.lookupCommand(cmdID)
	if f != nil {
		return nil, f
	}
	limit, f := c.maxEnvelope()
	if f != nil {
		return nil, f
	}
	wait := c.req.OperationTimeout
	if wait <= 0 {
		wait = defaultReceive
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		cmd.mu.Lock()
		if len(cmd.packets) > 0 || cmd.done {
			out := c.receiveResponse(cmd, limit)
			cmd.mu.Unlock()
			return out, nil
		}
		ch := cmd.changed
		cmd.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			return nil, &FaultSpec{Subcode: "w:TimedOut"}
		case <-c.ctx.Done():
			return nil, &FaultSpec{Close: true}
		}
	}
}

// receiveResponse writes the next packet (as much of it as fits in
// limit) and, once all output is delivered, the Done state. cmd.mu is
// held.
func (c *call) receiveResponse(cmd *winrsCommand, limit int) []byte {
	seq, hasSeq := c.req.Body.attr("", "SequenceId")
	r := c.s.begin(c.st, nsShell+"/ReceiveResponse", c.req.MessageID, "s a w rsp p", false)
	r.raw("<rsp:ReceiveResponse")
	if hasSeq {
		r.attr("SequenceId", strings.TrimSpace(seq))
	}
	r.raw(">")
	budget := limit - r.Len() - 1024
	if len(cmd.packets) > 0 {
		pkt := cmd.packets[0]
		used := 0
		for len(pkt) > 0 {
			ch := pkt[0]
			room := (budget-used-200)/4*3 - 3
			if room <= 0 {
				break
			}
			n := min(len(ch.data), room)
			r.raw(`<rsp:Stream Name="`, ch.stream, `" CommandId="`, cmd.id, `">`, base64.StdEncoding.EncodeToString(ch.data[:n]), "</rsp:Stream>")
			used += 200 + (n+2)/3*4
			if n < len(ch.data) {
				pkt[0].data = ch.data[n:]
				break
			}
			pkt = pkt[1:]
		}
		if len(pkt) == 0 {
			cmd.packets = cmd.packets[1:]
		} else {
			cmd.packets[0] = pkt
		}
	}
	if cmd.done && len(cmd.packets) == 0 {
		r.raw(`<rsp:Stream Name="stdout" CommandId="`, cmd.id, `" End="true"></rsp:Stream>`)
		r.raw(`<rsp:Stream Name="stderr" CommandId="`, cmd.id, `" End="true"></rsp:Stream>`)
		r.raw(`<rsp:CommandState CommandId="`, cmd.id, `" State="`, stateDone, `"><rsp:ExitCode>`,
			strconv.Itoa(cmd.exitCode), "</rsp:ExitCode></rsp:CommandState>")
		cmd.doneSent = true
	} else {
		r.raw(`<rsp:CommandState CommandId="`, cmd.id, `" State="`, stateRunning, `"></rsp:CommandState>`)
	}
	r.raw("</rsp:ReceiveResponse>")
	return r.end()
}

// sendInput answers Send: stdin data for a command.
func (c *call) sendInput() ([]byte, *FaultSpec) {
	body := c.req.Body
	st := body.child(nsShell, "Stream")
	if !body.is(nsShell, "Send") || st == nil {
		return nil, invalidShellRequest("The Send request has no rsp:Stream.")
	}
	cmdID, _ := st.attr("", "CommandId")
	if name, _ := st.attr("", "Name"); name != "stdin" {
		return nil, invalidShellRequest("The Send request's stream " + name + " is not an input stream of the shell.")
	}
	data, err := base64.StdEncoding.DecodeString(st.text())
	if err != nil {
		return nil, invalidShellRequest("The Send request's stream is not valid base64: " + err.Error())
	}
	cmd, f := c.lookupCommand(cmdID)
	if f != nil {
		return nil, f
	}
	end, _ := st.attr("", "End")
	cmd.send(data, strings.EqualFold(strings.TrimSpace(end), "true"))
	r := c.s.begin(c.st, nsShell+"/SendResponse", c.req.MessageID, "s a w rsp p", false)
	r.raw("<rsp:SendResponse></rsp:SendResponse>")
	return r.end(), nil
}

// signal answers Signal: terminate (or ctrl_c, ctrl_break) stops the
// command, waits for it to end, and forgets it.
func (c *call) signal() ([]byte, *FaultSpec) {
	body := c.req.Body
	if !body.is(nsShell, "Signal") {
		return nil, invalidShellRequest("The Signal request has no rsp:Signal body.")
	}
	cmdID, _ := body.attr("", "CommandId")
	code := body.child(nsShell, "Code").text()
	switch code {
	case signalTerm, signalCtrlC, signalCtrlBrk:
	default:
		return nil, &FaultSpec{Subcode: "w:InvalidParameter", Message: "The signal code " + code + " is not supported."}
	}
	cmd, f := c.lookupCommand(cmdID)
	if f != nil {
		return nil, f
	}
	cmd.cancel()
	select {
	case <-cmd.finished:
	case <-c.ctx.Done():
		return nil, &FaultSpec{Close: true}
	}
	if code == signalTerm {
		c.s.shells.mu.Lock()
		delete(cmd.shell.cmds, cmd.id)
		c.s.shells.mu.Unlock()
	}
	r := c.s.begin(c.st, nsShell+"/SignalResponse", c.req.MessageID, "s a w rsp p", false)
	r.raw("<rsp:SignalResponse></rsp:SignalResponse>")
	return r.end(), nil
}
