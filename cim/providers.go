package cim

import (
	"github.com/cimsh/cimsh/cim/local"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsman/transport"
)

// remoteProvider serves a session with a computer name: the WS-Man
// client over the HTTP transport (neither opens anything yet).
func remoteProvider(cfg *Config) (model.Provider, error) {
	tr, err := transport.New(transportConfig(cfg))
	if err != nil {
		return nil, err
	}
	return wsman.NewClient(tr, clientOptions(cfg)), nil
}

// localProvider serves a session with no computer name.
func localProvider() (model.Provider, error) {
	p, err := local.New()
	if err != nil {
		return nil, err
	}
	return p, nil
}
