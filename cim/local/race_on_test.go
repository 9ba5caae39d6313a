//go:build race

package local

// raceEnabled reports whether the race detector is on; timing limits are
// widened under it, since it slows /proc reading several times over.
const raceEnabled = true
