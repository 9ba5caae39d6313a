package editdist

import (
	"testing"

	"github.com/cimsh/cimsh/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"credential", "credential", 0},
		{"credentail", "credential", 2},
		{"cerdential", "credential", 2},
		{"class_name", "clas_name", 1},
		{"kitten", "sitting", 3},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := Distance(c.b, c.a); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.b, c.a, got, c.want)
		}
	}
}
