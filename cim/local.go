package cim

import (
	"github.com/cimsh/cimsh/cim/local"
	"github.com/cimsh/cimsh/cim/model"
)

func init() {
	newLocalProvider = func() (model.Provider, error) { return local.New() }
}
