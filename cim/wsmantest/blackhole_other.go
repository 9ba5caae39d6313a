//go:build !linux

package wsmantest

import "testing"

// BlackholePort needs Linux's listen-queue behaviour; elsewhere it skips.
func BlackholePort(t testing.TB) int {
	t.Skip("wsmantest: the full-listen-queue trick needs Linux")
	return 0
}
