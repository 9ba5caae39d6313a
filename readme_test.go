package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The README names the Go version go.mod requires.
func TestReadmeGoVersion(t *testing.T) {
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindStringSubmatch(readFile(t, "go.mod"))
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	readme := readFile(t, "README.md")
	if !strings.Contains(readme, "Go "+m[1]+" or later") {
		t.Errorf("README.md does not say %q", "Go "+m[1]+" or later")
	}
	for _, v := range regexp.MustCompile(`Go (1\.\d+(\.\d+)?) or later`).FindAllStringSubmatch(readme, -1) {
		if v[1] != m[1] {
			t.Errorf("README.md says Go %s or later; go.mod says go %s", v[1], m[1])
		}
	}
}
