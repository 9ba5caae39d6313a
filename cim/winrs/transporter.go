package winrs

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// Transport is the session's transport as a Runner needs it: the
// project's masterzen/winrm adapter bound to a context
// (cim/wsman/transport's Client has it).
type Transport interface {
	TransporterContext(ctx context.Context) winrm.Transporter
}

// runTransport is the winrm.Transporter that one run's winrm.Client
// posts through (Parameters.TransportDecorator). It covers the library's
// lack of a per-call context: each request gets one from the run, so
// cancelling the run ends a Receive the server is holding; Signal and
// Delete, which release what the run holds on the server, get their own
// short deadline instead, so they go out even after Ctrl-C. It also
// checks every reply before the library parses it (receive.go) and turns
// failures into typed faults.
type runTransport struct {
	r   *Runner
	ctx context.Context
	// timeout is each request's client deadline: the server may hold a
	// Receive for OperationTimeout, and this is that and a grace period.
	timeout time.Duration
	// receipts carries, for each Receive reply with output, how much of
	// each stream masterzen/winrm is about to write to its pipes.
	receipts chan receipt

	mu        sync.Mutex
	commandID string
	final     *receipt // the reply that said the command is done
	err       error    // the first failure, as a *model.Fault
}

func newRunTransport(r *Runner, ctx context.Context, timeout time.Duration) *runTransport {
	return &runTransport{r: r, ctx: ctx, timeout: timeout, receipts: make(chan receipt, 4)}
}

// Transport is a no-op: the session's transport knows its endpoint.
func (t *runTransport) Transport(*winrm.Endpoint) error { return nil }

// errReceiveTimedOut is what a Receive the server answered w:TimedOut
// becomes. masterzen/winrm's Receive loop tries again only when the
// error text holds "OperationTimeout", which a Windows server localized
// into another language need not send, so the text is this one's.
var errReceiveTimedOut = errors.New("winrs: Receive: OperationTimeout passed with no output (the command is still running)")

// Post sends msg under the run's context (or the cleanup deadline) and
// checks the reply.
func (t *runTransport) Post(c *winrm.Client, msg *soap.SoapMessage) (string, error) {
	action, messageID := requestHeader(msg.String())
	var ctx context.Context
	var cancel context.CancelFunc
	switch action {
	case actionSignal, actionDelete:
		ctx, cancel = context.WithTimeout(context.WithoutCancel(t.ctx), t.r.opts.CleanupTimeout)
	case actionCreate:
		// A Create cut off after it was sent may leave a shell on the
		// server that nobody knows to delete: its reply is waited for,
		// up to CleanupTimeout after the run is cancelled.
		ctx, cancel = context.WithTimeout(context.WithoutCancel(t.ctx), t.timeout)
		stop := context.AfterFunc(t.ctx, func() {
			time.AfterFunc(t.r.opts.CleanupTimeout, cancel)
		})
		defer stop()
	default:
		ctx, cancel = context.WithTimeout(t.ctx, t.timeout)
	}
	defer cancel()
	reply, err := t.r.tr.TransporterContext(ctx).Post(c, msg)
	if err != nil {
		f := t.r.fault(ctx, err)
		if action == actionReceive && isTimedOut(f) {
			return "", errReceiveTimedOut
		}
		return "", t.fail(f)
	}
	if err := checkRelatesTo(actionName(action), reply, messageID); err != nil {
		return "", t.fail(t.r.protocolFault(err))
	}
	switch action {
	case actionReceive:
		rc, err := checkReceive(reply)
		if err != nil {
			return "", t.fail(t.r.protocolFault(err))
		}
		if rc.done {
			t.mu.Lock()
			t.final = &rc
			t.mu.Unlock()
		}
		if rc.stdout+rc.stderr > 0 {
			select {
			case t.receipts <- rc:
			case <-t.ctx.Done():
			}
		}
	case actionCommand:
		id, err := winrm.ParseExecuteCommandResponse(reply)
		if err == nil && id == "" {
			err = errors.New("no CommandId")
		}
		if err != nil {
			return "", t.fail(t.r.protocolFault(fmt.Errorf("the Command reply: %w", err)))
		}
		t.mu.Lock()
		t.commandID = id
		t.mu.Unlock()
	default:
		if err := checkXML(actionName(action), reply); err != nil {
			return "", t.fail(t.r.protocolFault(err))
		}
	}
	return reply, nil
}

// fail records the run's first failure and returns err.
func (t *runTransport) fail(f *model.Fault) error {
	t.mu.Lock()
	if t.err == nil {
		t.err = f
	}
	t.mu.Unlock()
	return f
}

func (t *runTransport) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

func (t *runTransport) done() *receipt {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.final
}

func (t *runTransport) command() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.commandID
}

// requestHeader reads a request's wsa:Action and wsa:MessageID
// (masterzen/winrm's messages keep them in unexported fields).
func requestHeader(env string) (action, messageID string) {
	dec := xml.NewDecoder(strings.NewReader(env))
	for {
		tok, err := dec.Token()
		if err != nil {
			return action, messageID
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var s string
		switch t.Name.Local {
		case "Action":
			if dec.DecodeElement(&s, &t) == nil {
				action = strings.TrimSpace(s)
			}
		case "MessageID":
			if dec.DecodeElement(&s, &t) == nil {
				messageID = strings.TrimSpace(s)
			}
		case "Body":
			return action, messageID
		}
	}
}

// actionName is an action's last path element, for messages.
func actionName(action string) string {
	return action[strings.LastIndexByte(action, '/')+1:]
}

// isTimedOut reports a w:TimedOut fault (WSMan code 0x80338029).
func isTimedOut(f *model.Fault) bool {
	return f.Subcode == "w:TimedOut" || f.WSManCode == 2150858793
}

// fault turns a transport error into a *model.Fault naming the computer.
func (r *Runner) fault(ctx context.Context, err error) *model.Fault {
	if f, ok := model.AsFault(err); ok {
		if f.ComputerName == "" {
			f.ComputerName = r.opts.ComputerName
		}
		return f
	}
	var he *wsman.HTTPError
	if errors.As(err, &he) && he.StatusCode != 0 {
		f := he.DecodedFault()
		f.ComputerName = r.opts.ComputerName
		return f
	}
	f := &model.Fault{ComputerName: r.opts.ComputerName, Category: model.CategoryUnreachable, Err: err}
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		f.Category = model.CategoryCanceled
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		f.Category = model.CategoryTimeout
	}
	return f
}

func (r *Runner) protocolFault(err error) *model.Fault {
	return &model.Fault{Category: model.CategoryProtocol, ComputerName: r.opts.ComputerName,
		Reason: err.Error(), Err: err}
}
