//go:build !linux

package local

import "time"

// installTime is unknown outside Linux (macOS's APFS volume creation time
// is not exposed through a portable call); the property stays NULL.
func installTime(string) time.Time { return time.Time{} }
