package cim

import (
	"github.com/cimsh/cimsh/cim/model"
)

// newLocalProvider serves a session with no computer name (set in local.go).
var newLocalProvider func() (model.Provider, error)

// newRemoteProvider serves a session with a computer name over WS-Man.
var newRemoteProvider = func(cfg *Config) (model.Provider, error) {
	return nil, &model.Fault{Category: model.CategoryNotSupported, Reason: "cim: the WS-Man client is not built yet"}
}
