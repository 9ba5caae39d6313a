//go:build race

package e2e

// raceEnabled: the race detector distorts memory measurements.
const raceEnabled = true
