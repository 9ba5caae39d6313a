package ntlmsec

import (
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

// TestMain prints one line saying which tests were skipped and why.
func TestMain(m *testing.M) { testenv.Main(m) }
