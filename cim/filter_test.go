package cim

import (
	"context"
	"errors"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wql"
)

// TestFilterErrorPosition checks that a syntax error in a filter is
// reported at its column in the filter as written (not in the SELECT
// built around it), as an invalid-query fault that never reaches the
// provider.
func TestFilterErrorPosition(t *testing.T) {
	p := fixture(t)
	s, _ := NewSessionWithProvider(Config{}, p)
	ctx := context.Background()
	for _, c := range []struct {
		filter, want string
		column       int
	}{
		{"Id = )", `filter: syntax error at column 6: expected a constant, found ")"`, 6},
		{"  Id > 3 AND", "filter: syntax error at column 13: expected a condition, found end of the filter", 13},
		{"label = 'é' OR (", "filter: syntax error at column 17: expected a condition, found end of the filter", 17},
		{"Id = 3; DROP", "filter: syntax error at column 7: unexpected character ';'", 7},
	} {
		before := p.enumerates.Load()
		_, err := s.GetInstances(ctx, InstanceQuery{ClassName: "Test_Item", Filter: c.filter})
		f, ok := model.AsFault(err)
		if !ok || f.Summary() != c.want || f.CIMStatus != model.CIMInvalidQuery || !errors.Is(err, model.ErrInvalidQuery) {
			t.Errorf("filter %q: %v, want %q", c.filter, err, c.want)
		}
		var fe *wql.FilterError
		if !errors.As(err, &fe) || fe.Column != c.column || fe.Filter != c.filter {
			t.Errorf("filter %q: FilterError %+v, want column %d", c.filter, fe, c.column)
		}
		if p.enumerates.Load() != before {
			t.Errorf("filter %q reached the provider", c.filter)
		}
		if _, err := s.Enumerate(ctx, InstanceQuery{ClassName: "Test_Item", Filter: c.filter}); !errors.As(err, &fe) {
			t.Errorf("Enumerate with filter %q: %v", c.filter, err)
		}
	}
}
