package wql

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// FilterError is a syntax error in a -Filter condition, positioned in the
// filter as the user wrote it rather than in the SELECT ... WHERE built
// around it. Column counts characters from 1.
type FilterError struct {
	Column int
	Msg    string
	Filter string
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("filter: syntax error at column %d: %s", e.Column, e.Msg)
}

// CheckFilter parses a -Filter condition on its own; a syntax error is a
// *FilterError.
func CheckFilter(filter string) error {
	_, err := ParseCondition(filter)
	var se *SyntaxError
	if errors.As(err, &se) {
		pos := min(max(se.Pos-1, 0), len(filter))
		msg := strings.ReplaceAll(se.Msg, "end of query", "end of the filter")
		return &FilterError{Column: utf8.RuneCountInString(filter[:pos]) + 1, Msg: msg, Filter: filter}
	}
	return err
}
