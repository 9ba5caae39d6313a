package cim

import (
	"context"
	"errors"

	"github.com/cimsh/cimsh/cim/local"
	"github.com/cimsh/cimsh/cim/memprov"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/winrs"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
)

// remoteProvider serves a session with a computer name: the WS-Man
// client over the HTTP transport (neither opens anything yet), and WinRS
// commands over the same transport and its connections.
func remoteProvider(cfg *Config) (model.Provider, error) {
	if cfg.isDCOM() {
		return dcomProvider(cfg)
	}
	tr, err := transport.New(transportConfig(cfg))
	if err != nil {
		return nil, err
	}
	opts := clientOptions(cfg)
	shells, err := winrs.New(tr, winrs.Options{Endpoint: opts.Endpoint, ComputerName: cfg.ComputerName,
		MaxEnvelopeSize: opts.MaxEnvelopeSize, Locale: opts.Locale, OperationTimeout: cfg.OperationTimeout})
	if err != nil {
		tr.Close()
		return nil, err
	}
	return &remote{Client: wsman.NewClient(tr, opts), shells: shells}, nil
}

// remote is a remote session's provider: CIM operations from the WS-Man
// client, commands from a WinRS runner.
type remote struct {
	*wsman.Client
	shells *winrs.Runner
}

func (r *remote) RunCommand(ctx context.Context, req *model.CommandRequest) (*model.CommandResult, error) {
	return r.shells.RunCommand(ctx, req)
}

// Close deletes the shells of commands still running, then closes the
// client and its transport.
func (r *remote) Close() error {
	return errors.Join(r.shells.Close(), r.Client.Close())
}

// localProvider serves a session with no computer name: the local CIM
// provider, and commands run on this machine.
func localProvider() (model.Provider, error) {
	p, err := local.New()
	if err != nil {
		return nil, err
	}
	return &localMachine{Provider: p}, nil
}

// localMachine adds commands to the local provider (embedded as its
// concrete type, so that its other interfaces, such as indications,
// stay visible).
type localMachine struct {
	*memprov.Provider
	winrs.Local
}
