package wql

import (
	"fmt"
	"strings"

	"github.com/cimsh/cimsh/cim/model"
)

// Select builds the query Get-CimInstance sends for -ClassName with
// -Property and -Filter: "SELECT a,b FROM class WHERE filter" ("*" when
// properties is empty). The class and property names must be names, and
// the filter must parse as a WQL condition; it is kept as written, since
// the server, not cimsh, evaluates it.
func Select(class string, properties []string, where string) (string, error) {
	if !IsName(class) {
		return "", fmt.Errorf("wql: %s is not a class name", model.Quote(class))
	}
	list := "*"
	if len(properties) > 0 {
		names := make([]string, 0, len(properties))
		for _, p := range properties {
			p = strings.TrimSpace(p)
			if p == "*" {
				names = nil
				break
			}
			for _, part := range strings.Split(p, ".") {
				if !IsName(part) {
					return "", fmt.Errorf("wql: %s is not a property name", model.Quote(p))
				}
			}
			names = append(names, p)
		}
		if names != nil {
			list = strings.Join(names, ",")
		}
	}
	q := "SELECT " + list + " FROM " + class
	if w := strings.TrimSpace(where); w != "" {
		if err := CheckFilter(where); err != nil {
			return "", fmt.Errorf("wql: %w", err)
		}
		q += " WHERE " + w
	}
	return q, nil
}
