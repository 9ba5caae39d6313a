//go:build !linux

package wsmantest

import (
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// BlackholePort needs Linux's listen-queue behaviour; elsewhere it skips.
func BlackholePort(t testing.TB) int {
	testenv.Skip(t, "a connect that hangs (a full listen queue) needs Linux")
	return 0
}
