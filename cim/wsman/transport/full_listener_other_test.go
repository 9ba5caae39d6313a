//go:build !linux

package transport

import "testing"

func fullListener(t *testing.T) string {
	t.Skip("transport: the full-backlog listener trick needs Linux")
	return ""
}
