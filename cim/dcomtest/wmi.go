package dcomtest

import (
	"github.com/cimsh/cimsh/cim/dcom/ndr"
)

// login is an IWbemLevel1Login object.
type login struct{}

func (s *Server) wmiInterfaces() map[ndr.GUID]handler {
	return map[ndr.GUID]handler{}
}
