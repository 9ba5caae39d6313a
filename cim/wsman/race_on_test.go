//go:build race

package wsman_test

// raceDetector is true under -race, which makes byte-at-a-time work many
// times slower: tests that stream tens of megabytes stream less.
const raceDetector = true
