package model

import (
	"fmt"
	"math"
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

// NewTimestamp returns a timestamp Datetime for t, truncated to the
// microsecond: CIM datetimes carry no finer precision.
func NewTimestamp(t time.Time) Datetime {
	return Datetime{Kind: Timestamp, Time: t.Truncate(time.Microsecond)}
}

// NewInterval returns an interval Datetime of d, truncated to the
// microsecond.
func NewInterval(d time.Duration) Datetime {
	return Datetime{Kind: Interval, Duration: d.Truncate(time.Microsecond)}
}

// IsInterval reports whether d is an interval.
func (d Datetime) IsInterval() bool { return d.Kind == Interval }

// String returns the ISO 8601 form: RFC 3339 with the zone for a
// timestamp ("2013-04-15T16:28:43.488171Z"), an xs:duration for an
// interval ("P1DT2H3M4.5S").
func (d Datetime) String() string {
	if d.isWildcard() {
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
	if d.isWildcard() {
		return d.Text
	}
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
// duration. A DMTF value with wildcards equals only the same text.
func (d Datetime) Equal(o Datetime) bool {
	if d.Kind != o.Kind {
		return false
	}
	if dw, ow := d.isWildcard(), o.isWildcard(); dw || ow {
		return dw && ow && d.Text == o.Text
	}
	if d.Kind == Interval {
		return d.Duration == o.Duration
	}
	return d.Time.Equal(o.Time)
}

// isWildcard reports whether d is a DMTF string with wildcards, which
// holds only its text.
func (d Datetime) isWildcard() bool {
	return d.Time.IsZero() && d.Duration == 0 && strings.Contains(d.Text, "*")
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
	if len(s) > maxDatetimeText {
		// No datetime form is this long; time.Parse would spend seconds
		// quoting a megabyte of text into its errors.
		return Datetime{}, fmt.Errorf("model: %s is not a CIM datetime", Quote(s))
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
	return Datetime{}, fmt.Errorf("model: %s is not a CIM datetime", Quote(s))
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
	bad := badDMTF(s)
	if !allDigits(s[:14]) || !allDigits(s[15:21]) || !allDigits(s[22:25]) {
		return Datetime{}, bad
	}
	us, _ := strconv.Atoi(s[15:21])
	if s[21] == ':' {
		if s[22:25] != "000" {
			return Datetime{}, bad
		}
		days, _ := strconv.ParseInt(s[:8], 10, 64)
		h, _ := strconv.Atoi(s[8:10])
		m, _ := strconv.Atoi(s[10:12])
		sec, _ := strconv.Atoi(s[12:14])
		if h > 23 || m > 59 || sec > 59 {
			return Datetime{}, bad
		}
		if days > maxDurationDays {
			return Datetime{}, fmt.Errorf("model: interval %q is too long (more than %d days)", s, maxDurationDays)
		}
		d := time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
			time.Duration(sec)*time.Second + time.Duration(us)*time.Microsecond
		if d < 0 {
			return Datetime{}, fmt.Errorf("model: interval %q is too long", s)
		}
		return Datetime{Kind: Interval, Duration: d, Text: s}, nil
	}
	off, _ := strconv.Atoi(s[22:25])
	if s[21] == '-' {
		off = -off
	}
	t, err := time.ParseInLocation("20060102150405", s[:14], time.FixedZone("", off*60))
	if err != nil {
		return Datetime{}, bad
	}
	return Datetime{Kind: Timestamp, Time: t.Add(time.Duration(us) * time.Microsecond), Text: s}, nil
}

// maxDatetimeText bounds the text of a datetime: the longest forms (an
// xs:dateTime with nine fraction digits and a zone, an xs:duration with
// every unit) are under 64 bytes.
const maxDatetimeText = 256

// maxDurationDays is the most whole days a time.Duration holds.
const maxDurationDays = int64(1<<63-1) / int64(24*time.Hour)

// badDMTF and badDuration are errors made only when returned: a
// datetime per instance would otherwise format one each, used or not.
type badDatetime struct{ text, form string }

func (e *badDatetime) Error() string { return fmt.Sprintf("model: %q is not %s", e.text, e.form) }

func badDMTF(s string) error     { return &badDatetime{s, "a DMTF datetime"} }
func badDuration(s string) error { return &badDatetime{s, "an xs:duration"} }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseDuration parses an xs:duration such as "P0DT0H1M40S", "P2000D" or
// "PT0.5S". Years and months, which have no fixed length, count as 365
// and 30 days, as WMI does.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	bad := badDuration(orig)
	if !strings.HasPrefix(s, "P") || len(s) < 2 {
		return 0, bad
	}
	s = s[1:]
	var total time.Duration
	add := func(d time.Duration) bool {
		if d < 0 || total > math.MaxInt64-d {
			return false
		}
		total += d
		return true
	}
	inTime, components, timeComponents := false, 0, 0
	order := 0 // units must come in order: Y M D, then H M S
	for s != "" {
		if s[0] == 'T' {
			if inTime {
				return 0, bad
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if i == 0 || i == len(s) {
			return 0, bad
		}
		num, unitChar := s[:i], s[i]
		s = s[i+1:]
		var unit time.Duration
		var rank int
		switch {
		case unitChar == 'Y' && !inTime:
			unit, rank = 365*24*time.Hour, 1
		case unitChar == 'M' && !inTime:
			unit, rank = 30*24*time.Hour, 2
		case unitChar == 'D' && !inTime:
			unit, rank = 24*time.Hour, 3
		case unitChar == 'H' && inTime:
			unit, rank = time.Hour, 4
		case unitChar == 'M' && inTime:
			unit, rank = time.Minute, 5
		case unitChar == 'S' && inTime:
			unit, rank = time.Second, 6
		default:
			return 0, bad
		}
		if rank <= order {
			return 0, bad
		}
		order = rank
		whole, frac, hasFrac := strings.Cut(num, ".")
		if whole == "" && frac == "" || strings.Contains(frac, ".") || hasFrac && frac == "" && whole == "" {
			return 0, bad
		}
		if hasFrac && unitChar != 'S' {
			return 0, bad // only seconds take a fraction
		}
		if whole != "" {
			n, err := strconv.ParseUint(whole, 10, 63)
			if err != nil || n > uint64(math.MaxInt64/int64(unit)) {
				return 0, fmt.Errorf("model: duration %q is too long", orig)
			}
			if !add(time.Duration(n) * unit) {
				return 0, fmt.Errorf("model: duration %q is too long", orig)
			}
		}
		if frac != "" {
			digits := frac
			if len(digits) > 9 {
				digits = digits[:9] // beyond nanoseconds
			}
			ns, err := strconv.ParseUint(digits+strings.Repeat("0", 9-len(digits)), 10, 64)
			if err != nil || !add(time.Duration(ns)) {
				return 0, bad
			}
		}
		components++
		if inTime {
			timeComponents++
		}
	}
	if components == 0 || inTime && timeComponents == 0 {
		return 0, bad
	}
	if neg {
		total = -total
	}
	return total, nil
}

// FormatDuration writes d as an xs:duration with days, hours, minutes and
// seconds ("P1DT2H3M4.5S"), the form Windows uses. The fraction of a
// second is the exact decimal of what d holds (microseconds for a CIM
// value), never a float's rounding ("15.729959", not "15.729959000000001").
func FormatDuration(d time.Duration) string {
	var b strings.Builder
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = -u // two's complement: exact even for math.MinInt64
	}
	const (
		second = uint64(time.Second)
		minute = uint64(time.Minute)
		hour   = uint64(time.Hour)
		day    = 24 * hour
	)
	fmt.Fprintf(&b, "P%dDT%dH%dM%d", u/day, u%day/hour, u%hour/minute, u%minute/second)
	if frac := u % second; frac != 0 {
		b.WriteString(strings.TrimRight(fmt.Sprintf(".%09d", frac), "0"))
	}
	b.WriteByte('S')
	return b.String()
}
