package wql

import (
	"fmt"
	"strings"
	"time"

	"github.com/cimsh/cimsh/cim/model"
)

// WMI also accepts dates written in the forms of its "WQL-Supported Date
// Formats" and "Time Formats" pages. They are locale-dependent on
// Windows; cimsh reads them as the en-US locale does (month before day
// in numeric dates), in the evaluating machine's time zone, with
// four-digit years only (two-digit years are ambiguous). The DMTF and
// ISO 8601 forms, which do not depend on a locale, are the ones to use.

var wqlDateLayouts = []string{
	"January 2, 2006", "January 2 2006", "Jan 2, 2006", "Jan 2 2006",
	"January, 2006", "January 2006", "Jan, 2006", "Jan 2006",
	"2 January, 2006", "2 January 2006", "2 Jan, 2006", "2 Jan 2006",
	"2006 January 2", "2006 Jan 2",
	"1/2/2006", "1-2-2006", "1.2.2006",
	"2006/1/2", "2006-1-2", "2006.1.2",
}

var wqlTimeLayouts = []string{
	"", " 15:04", " 15:04:05", " 3:04 PM", " 3:04PM", " 3:04:05 PM", " 3:04:05PM", " 3 PM", " 3PM",
}

// parseDatetimeLiteral parses a datetime constant of a WHERE clause: a
// DMTF or ISO 8601 form (model.ParseDatetime), or one of WMI's other date
// forms, optionally followed by a time of day.
func parseDatetimeLiteral(s string) (model.Datetime, error) {
	if d, err := model.ParseDatetime(s); err == nil {
		return d, nil
	}
	t := strings.Join(strings.Fields(s), " ")
	if t == "" || t[0] == 'P' || len(t) > 40 || !strings.ContainsAny(t, "0123456789") {
		return model.Datetime{}, fmt.Errorf("wql: %s is not a datetime", model.Quote(s))
	}
	for _, dl := range wqlDateLayouts {
		for _, tl := range wqlTimeLayouts {
			if v, err := time.ParseInLocation(dl+tl, t, time.Local); err == nil {
				return model.NewTimestamp(v), nil
			}
		}
	}
	return model.Datetime{}, fmt.Errorf("wql: %s is not a datetime", model.Quote(s))
}
