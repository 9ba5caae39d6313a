//go:build !race

package wsman_test

const raceDetector = false
