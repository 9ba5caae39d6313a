//go:build !linux

package local

// defaultGateways is unknown outside Linux (no rtnetlink; the BSD
// routing socket is later work); DefaultIPGateway stays NULL.
func defaultGateways() map[string][]string { return nil }
