//go:build !linux

package local

func systemdRunningForTest() bool { return false }
