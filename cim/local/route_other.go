//go:build !linux

package local

// defaultGateways is unknown outside Linux (no /proc routing tables);
// DefaultIPGateway stays NULL.
func defaultGateways() map[string][]string { return nil }
