//go:build !linux

package local

import "context"

// systemBusUnits has nothing to read outside Linux: macOS runs launchd,
// and Windows services are real local WMI's, later work. Win32_Service
// is then an empty set.
type systemBusUnits struct{}

func (systemBusUnits) units(context.Context) (*unitSnapshot, error) { return nil, nil }
