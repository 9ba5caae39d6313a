package cim

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// ErrNoCommands is the fault for a session whose provider cannot run
// commands.
var ErrNoCommands = &model.Fault{Category: model.CategoryNotSupported, CIMStatus: model.CIMNotSupported,
	Reason: "this session's provider cannot run commands"}

// RunCommand runs a command (or a PowerShell script) on the session's
// machine (Invoke-Command): through a WinRS shell on a remote session,
// as a child process on the local machine. A non-zero exit code is a
// result; an error means the command could not be run or its output not
// read. The session's operation timeout bounds each request, not the
// command; req.TimeLimit bounds the command.
func (s *Session) RunCommand(ctx context.Context, req *model.CommandRequest) (*model.CommandResult, error) {
	p, err := s.connect()
	if err != nil {
		return nil, err
	}
	r, ok := p.(model.CommandRunner)
	if !ok {
		f := *ErrNoCommands
		return nil, s.fault(&f)
	}
	res, err := r.RunCommand(ctx, req)
	if err != nil {
		return nil, s.fault(err)
	}
	return res, nil
}
