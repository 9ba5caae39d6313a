package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DatetimeKind says which of CIM's datetime forms a Datetime holds.
type DatetimeKind uint8

const (
	Timestamp DatetimeKind = iota // a point in time (cim:Datetime)
	Interval                      // a duration (cim:Interval)
	DateOnly                      // cim:Date
	TimeOnly                      // cim:Time
)

// Datetime is a CIM datetime: a timestamp or an interval. Text keeps the
// lexical form it was decoded from, so a value read from a server is
// written back byte for byte; it is empty for values built locally. A DMTF
// string with wildcards ('*') keeps only its Text.
type Datetime struct {
	Kind     DatetimeKind
	Time     time.Time     // Timestamp, DateOnly, TimeOnly
	Duration time.Duration // Interval
	Text     string
}

// NewTimestamp returns a timestamp Datetime for t.
func NewTimestamp(t time.Time) Datetime { return Datetime{Kind: Timestamp, Time: t} }

// NewInterval returns an interval Datetime of d.
func NewInterval(d time.Duration) Datetime { return Datetime{Kind: Interval, Duration: d} }

// IsInterval reports whether d is an interval.
func (d Datetime) IsInterval() bool { return d.Kind == Interval }

// String returns the ISO 8601 form: RFC 3339 with the zone for a
// timestamp ("2013-04-15T16:28:43.488171Z"), an xs:duration for an
// interval ("P1DT2H3M4.5S").
func (d Datetime) String() string {
	if d.Time.IsZero() && d.Duration == 0 && d.Text != "" && strings.Contains(d.Text, "*") {
		return d.Text
	}
	switch d.Kind {
	case Interval:
		return FormatDuration(d.Duration)
	case DateOnly:
		return d.Time.Format("2006-01-02Z07:00")
	case TimeOnly:
		return d.Time.Format("15:04:05.999999Z07:00")
	}
	return d.Time.Format("2006-01-02T15:04:05.999999Z07:00")
}

// Lexical returns the text to put on the wire: the received text when
// known, otherwise the ISO 8601 form.
func (d Datetime) Lexical() string {
	if d.Text != "" {
		return d.Text
	}
	return d.String()
}

// DMTF returns the DMTF string form: yyyymmddHHMMSS.mmmmmm+UUU for a
// timestamp, ddddddddHHMMSS.mmmmmm:000 for an interval.
func (d Datetime) DMTF() string {
	if d.Kind == Interval {
		total := d.Duration
		days := int64(total / (24 * time.Hour))
		rest := total - time.Duration(days)*24*time.Hour
		h := int64(rest / time.Hour)
		m := int64(rest % time.Hour / time.Minute)
		s := int64(rest % time.Minute / time.Second)
		us := int64(rest % time.Second / time.Microsecond)
		return fmt.Sprintf("%08d%02d%02d%02d.%06d:000", days, h, m, s, us)
	}
	_, off := d.Time.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s.%06d%c%03d", d.Time.Format("20060102150405"), d.Time.Nanosecond()/1000, sign, off/60)
}

// Equal reports whether a and b are the same kind and the same instant or
// duration.
func (d Datetime) Equal(o Datetime) bool {
	if d.Kind != o.Kind {
		return false
	}
	if d.Kind == Interval {
		return d.Duration == o.Duration && (d.Duration != 0 || d.Text == o.Text || d.Text == "" || o.Text == "")
	}
	if d.Time.IsZero() && o.Time.IsZero() {
		return d.Text == o.Text
	}
	return d.Time.Equal(o.Time)
}

// Compare orders two datetimes of the same kind: -1, 0 or +1.
func (d Datetime) Compare(o Datetime) int {
	if d.Kind == Interval {
		switch {
		case d.Duration < o.Duration:
			return -1
		case d.Duration > o.Duration:
			return 1
		}
		return 0
	}
	return d.Time.Compare(o.Time)
}

// ParseDatetime parses every datetime form CIM servers send: xs:dateTime
// (fraction digits and zone optional), xs:date, xs:time, xs:duration, and
// the DMTF timestamp and interval strings (wildcards kept as text).
func ParseDatetime(s string) (Datetime, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Datetime{}, fmt.Errorf("model: empty datetime")
	}
	if s[0] == 'P' || (len(s) > 1 && s[0] == '-' && s[1] == 'P') {
		d, err := ParseDuration(s)
		if err != nil {
			return Datetime{}, err
		}
		return Datetime{Kind: Interval, Duration: d, Text: s}, nil
	}
	if len(s) == 25 && s[14] == '.' && (s[21] == '+' || s[21] == '-' || s[21] == ':') && isDMTFBody(s[:14]) {
		return parseDMTF(s)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Datetime{Kind: Timestamp, Time: t, Text: s}, nil
		}
	}
	for _, layout := range []string{"2006-01-02Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Datetime{Kind: DateOnly, Time: t, Text: s}, nil
		}
	}
	for _, layout := range []string{"15:04:05.999999999Z07:00", "15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Datetime{Kind: TimeOnly, Time: t, Text: s}, nil
		}
	}
	return Datetime{}, fmt.Errorf("model: %q is not a CIM datetime", s)
}

func isDMTFBody(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && c != '*' {
			return false
		}
	}
	return true
}

func parseDMTF(s string) (Datetime, error) {
	if strings.Contains(s, "*") {
		kind := Timestamp
		if s[21] == ':' {
			kind = Interval
		}
		return Datetime{Kind: kind, Text: s}, nil
	}
	us, err := strconv.Atoi(s[15:21])
	if err != nil {
		return Datetime{}, fmt.Errorf("model: %q is not a DMTF datetime", s)
	}
	if s[21] == ':' {
		days, _ := strconv.ParseInt(s[:8], 10, 64)
		h, _ := strconv.Atoi(s[8:10])
		m, _ := strconv.Atoi(s[10:12])
		sec, _ := strconv.Atoi(s[12:14])
		d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
			time.Duration(sec)*time.Second + time.Duration(us)*time.Microsecond
		return Datetime{Kind: Interval, Duration: d, Text: s}, nil
	}
	off, err := strconv.Atoi(s[22:25])
	if err != nil {
		return Datetime{}, fmt.Errorf("model: %q is not a DMTF datetime", s)
	}
	if s[21] == '-' {
		off = -off
	}
	t, err := time.ParseInLocation("20060102150405", s[:14], time.FixedZone("", off*60))
	if err != nil {
		return Datetime{}, fmt.Errorf("model: %q is not a DMTF datetime", s)
	}
	return Datetime{Kind: Timestamp, Time: t.Add(time.Duration(us) * time.Microsecond), Text: s}, nil
}

// ParseDuration parses an xs:duration such as "P0DT0H1M40S", "P2000D" or
// "PT0.5S". Years and months, which have no fixed length, count as 365
// and 30 days, as WMI does.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(s, "P") || len(s) < 2 {
		return 0, fmt.Errorf("model: %q is not an xs:duration", orig)
	}
	s = s[1:]
	var total float64
	inTime := false
	for s != "" {
		if s[0] == 'T' {
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, fmt.Errorf("model: %q is not an xs:duration", orig)
		}
		n, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return 0, fmt.Errorf("model: %q is not an xs:duration", orig)
		}
		var unit float64
		switch {
		case s[i] == 'Y' && !inTime:
			unit = 365 * 86400
		case s[i] == 'M' && !inTime:
			unit = 30 * 86400
		case s[i] == 'D' && !inTime:
			unit = 86400
		case s[i] == 'H' && inTime:
			unit = 3600
		case s[i] == 'M' && inTime:
			unit = 60
		case s[i] == 'S' && inTime:
			unit = 1
		default:
			return 0, fmt.Errorf("model: %q is not an xs:duration", orig)
		}
		total += n * unit
		s = s[i+1:]
	}
	if total*1e9 > float64(1<<63-1) {
		return 0, fmt.Errorf("model: duration %q is too long", orig)
	}
	d := time.Duration(total*1e6+0.5) * time.Microsecond
	if neg {
		d = -d
	}
	return d, nil
}

// FormatDuration writes d as an xs:duration with days, hours, minutes and
// seconds ("P1DT2H3M4.5S"), the form Windows uses.
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	d -= m * time.Minute
	fmt.Fprintf(&b, "P%dDT%dH%dM", days, h, m)
	secs := strconv.FormatFloat(d.Seconds(), 'f', -1, 64)
	b.WriteString(secs)
	b.WriteByte('S')
	return b.String()
}
