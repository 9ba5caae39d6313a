package model

import (
	"strings"
	"testing"
	"time"
)

func TestParseDatetime(t *testing.T) {
	plus2 := time.FixedZone("", 2*3600)
	minus5 := time.FixedZone("", -5*3600)
	tests := []struct {
		in       string
		kind     DatetimeKind
		time     time.Time     // timestamps, dates and times
		dur      time.Duration // intervals
		str      string        // String(), when checked
		wildcard bool
	}{
		// xs:dateTime with 0..9 fraction digits and every zone form.
		{in: "2013-04-15T16:28:43Z", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 0, time.UTC), str: "2013-04-15T16:28:43Z"},
		{in: "2013-04-15T16:28:43.4Z", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 400000000, time.UTC)},
		{in: "2013-04-15T16:28:43.488171Z", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 488171000, time.UTC), str: "2013-04-15T16:28:43.488171Z"},
		{in: "2013-04-15T16:28:43.4881712Z", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 488171200, time.UTC)},
		{in: "2013-04-15T16:28:43.123456789Z", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 123456789, time.UTC)},
		{in: "2013-04-15T16:28:43+02:00", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 0, plus2), str: "2013-04-15T16:28:43+02:00"},
		{in: "2013-04-15T16:28:43.5-05:00", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 500000000, minus5)},
		{in: "2013-04-15T16:28:43", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 0, time.UTC)},
		{in: "  2013-04-15T16:28:43Z\n", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 0, time.UTC)},
		// xs:date and xs:time.
		{in: "2013-04-15", kind: DateOnly, time: time.Date(2013, 4, 15, 0, 0, 0, 0, time.UTC)},
		{in: "2013-04-15Z", kind: DateOnly, time: time.Date(2013, 4, 15, 0, 0, 0, 0, time.UTC), str: "2013-04-15Z"},
		{in: "2013-04-15+02:00", kind: DateOnly, time: time.Date(2013, 4, 15, 0, 0, 0, 0, plus2), str: "2013-04-15+02:00"},
		{in: "16:28:43", kind: TimeOnly, time: time.Date(0, 1, 1, 16, 28, 43, 0, time.UTC)},
		{in: "16:28:43.25Z", kind: TimeOnly, time: time.Date(0, 1, 1, 16, 28, 43, 250000000, time.UTC), str: "16:28:43.25Z"},
		{in: "16:28:43-05:00", kind: TimeOnly, time: time.Date(0, 1, 1, 16, 28, 43, 0, minus5)},
		// xs:duration.
		{in: "P0DT0H1M40S", kind: Interval, dur: 100 * time.Second, str: "P0DT0H1M40S"},
		{in: "P2000D", kind: Interval, dur: 2000 * 24 * time.Hour},
		{in: "PT0.5S", kind: Interval, dur: 500 * time.Millisecond, str: "P0DT0H0M0.5S"},
		{in: "PT0.000001S", kind: Interval, dur: time.Microsecond},
		{in: "P1Y2M3DT4H5M6.789S", kind: Interval, dur: (365+60+3)*24*time.Hour + 4*time.Hour + 5*time.Minute + 6789*time.Millisecond},
		{in: "-P1D", kind: Interval, dur: -24 * time.Hour, str: "-P1DT0H0M0S"},
		{in: "P100000DT0.000001S", kind: Interval, dur: 100000*24*time.Hour + time.Microsecond}, // exact, no float rounding
		// DMTF timestamps and intervals.
		{in: "20130415162843.488171+120", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 488171000, plus2)},
		{in: "20130415162843.000000-300", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 0, minus5)},
		{in: "20130415162843.000000+000", kind: Timestamp, time: time.Date(2013, 4, 15, 16, 28, 43, 0, time.UTC), str: "2013-04-15T16:28:43Z"},
		{in: "00000001020304.000005:000", kind: Interval, dur: 24*time.Hour + 2*time.Hour + 3*time.Minute + 4*time.Second + 5*time.Microsecond},
		{in: "00000000000000.000000:000", kind: Interval, dur: 0},
		// DMTF wildcards keep their text.
		{in: "2013**15******.******+***", kind: Timestamp, wildcard: true, str: "2013**15******.******+***"},
		{in: "********1200**.******+000", kind: Timestamp, wildcard: true},
		{in: "00000001******.******:000", kind: Interval, wildcard: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseDatetime(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind != tt.kind {
				t.Fatalf("kind %d, want %d", d.Kind, tt.kind)
			}
			if d.Text != strings.TrimSpace(tt.in) {
				t.Fatalf("Text %q", d.Text)
			}
			if d.Lexical() != d.Text {
				t.Fatalf("Lexical %q", d.Lexical())
			}
			switch {
			case tt.wildcard:
				if !d.Time.IsZero() || d.Duration != 0 || d.String() != d.Text || d.DMTF() != d.Text {
					t.Fatalf("wildcard value %+v prints %q / %q", d, d.String(), d.DMTF())
				}
			case tt.kind == Interval:
				if d.Duration != tt.dur || !d.IsInterval() {
					t.Fatalf("duration %v, want %v", d.Duration, tt.dur)
				}
			default:
				if !d.Time.Equal(tt.time) {
					t.Fatalf("time %v, want %v", d.Time, tt.time)
				}
				_, gotOff := d.Time.Zone()
				_, wantOff := tt.time.Zone()
				if gotOff != wantOff {
					t.Fatalf("zone offset %d, want %d", gotOff, wantOff)
				}
			}
			if tt.str != "" && d.String() != tt.str {
				t.Fatalf("String() %q, want %q", d.String(), tt.str)
			}
		})
	}
}

func TestParseDatetimeErrors(t *testing.T) {
	for _, in := range []string{
		"", "yesterday", "2013-13-01", "2013-04-15T25:00:00Z", "16:61:00",
		"P", "PT", "P1DT", "P1H", "PT1D", "P1S", "P1.5D", "P1D2D", "PT1S1M", "PxD", "P1", "P.S", "PT1..5S",
		"P999999999999999999D", "P106752D",
		"20131315162843.000000+000", // month 13
		"2013041516284x.000000+000",
		"20130415162843.00000x+000",
		"20130415162843.000000+0x0",
		"20130415162843.000000++00",
		"00000001250000.000000:000", // 25 hours
		"00000001006000.000000:000", // 60 minutes
		"00000001000000.000000:123", // an interval's offset is always 000
		"99999999000000.000000:000", // longer than a time.Duration
	} {
		if d, err := ParseDatetime(in); err == nil {
			t.Errorf("ParseDatetime(%q) = %+v, want an error", in, d)
		} else if !strings.HasPrefix(err.Error(), "model: ") {
			t.Errorf("ParseDatetime(%q) error %q lacks the package name", in, err)
		}
	}
}

func TestDatetimeForms(t *testing.T) {
	ts := NewTimestamp(time.Date(2024, 3, 1, 8, 30, 15, 123456789, time.FixedZone("", -90*60)))
	if got := ts.DMTF(); got != "20240301083015.123456-090" {
		t.Errorf("DMTF %s", got)
	}
	if got := ts.String(); got != "2024-03-01T08:30:15.123456-01:30" {
		t.Errorf("String %s", got)
	}
	if ts.Lexical() != ts.String() {
		t.Error("Lexical of a local value is its ISO form")
	}
	// CIM has microseconds: nothing finer survives into a value, so
	// differences of local values are whole microseconds too.
	if ts.Time.Nanosecond() != 123456000 || NewInterval(1500*time.Nanosecond).Duration != time.Microsecond {
		t.Errorf("not truncated to microseconds: %v", ts.Time)
	}
	iv := NewInterval(3*24*time.Hour + 4*time.Hour + 5*time.Minute + 6*time.Second + 7*time.Microsecond)
	if got := iv.DMTF(); got != "00000003040506.000007:000" {
		t.Errorf("interval DMTF %s", got)
	}
	if got := iv.String(); got != "P3DT4H5M6.000007S" {
		t.Errorf("interval String %s", got)
	}
	// Round trips through both forms.
	for _, d := range []Datetime{ts, iv} {
		for _, text := range []string{d.DMTF(), d.String()} {
			back, err := ParseDatetime(text)
			if err != nil {
				t.Fatalf("%s: %v", text, err)
			}
			if back.Compare(d) != 0 && d.Kind == Interval {
				t.Errorf("%s parsed back as %v", text, back)
			}
			if d.Kind == Timestamp && !back.Time.Truncate(time.Microsecond).Equal(d.Time.Truncate(time.Microsecond)) {
				t.Errorf("%s parsed back as %v", text, back.Time)
			}
		}
	}
	if got := FormatDuration(0); got != "P0DT0H0M0S" {
		t.Errorf("FormatDuration(0) %s", got)
	}
	if d, err := ParseDuration(FormatDuration(-36*time.Hour - time.Nanosecond)); err != nil || d != -36*time.Hour-time.Nanosecond {
		t.Errorf("negative duration round trip: %v %v", d, err)
	}
}

func TestDatetimeEqualCompare(t *testing.T) {
	mustParse := func(s string) Datetime {
		d, err := ParseDatetime(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		a, b  string
		equal bool
		cmp   int
	}{
		{"20240301083015.000000+060", "2024-03-01T07:30:15Z", true, 0},
		{"2024-03-01T07:30:15Z", "2024-03-01T07:30:16Z", false, -1},
		{"2024-03-01T07:30:15+01:00", "2024-03-01T07:30:15Z", false, -1},
		{"P1D", "00000001000000.000000:000", true, 0},
		{"PT0S", "00000000000000.000000:000", true, 0}, // zero intervals written differently
		{"PT1H", "PT2H", false, -1},
		{"P1D", "PT24H", true, 0},
		{"2024**01******.******+***", "2024**01******.******+***", true, 0},
	}
	for _, tt := range tests {
		a, b := mustParse(tt.a), mustParse(tt.b)
		if a.Equal(b) != tt.equal || b.Equal(a) != tt.equal {
			t.Errorf("%s Equal %s = %v, want %v", tt.a, tt.b, a.Equal(b), tt.equal)
		}
		if !strings.Contains(tt.a, "*") {
			if c := a.Compare(b); c != tt.cmp {
				t.Errorf("%s Compare %s = %d, want %d", tt.a, tt.b, c, tt.cmp)
			}
			if c := b.Compare(a); c != -tt.cmp {
				t.Errorf("%s Compare %s = %d, want %d", tt.b, tt.a, c, -tt.cmp)
			}
		}
	}
	// A wildcard never equals a concrete value, nor an interval a timestamp.
	if mustParse("2024**01******.******+***").Equal(mustParse("20240101000000.000000+000")) {
		t.Error("wildcard equals a concrete timestamp")
	}
	if mustParse("P1D").Equal(mustParse("2024-03-01T00:00:00Z")) {
		t.Error("interval equals a timestamp")
	}
	if mustParse("2024-03-01").Equal(mustParse("2024-03-01T00:00:00Z")) {
		t.Error("a date equals a timestamp")
	}
}

func FuzzParseDatetime(f *testing.F) {
	for _, s := range []string{"2013-04-15T16:28:43.488171Z", "20130415162843.488171+120", "P1DT2H", "00000001020304.000005:000", "16:28:43", "2013-04-15", "2013**15******.******+***"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDatetime(s)
		if err != nil {
			return
		}
		_ = d.String()
		_ = d.DMTF()
		// The ISO form of a parsed value parses to an equal value.
		if !d.isWildcard() && d.Kind != TimeOnly && d.Kind != DateOnly {
			back, err := ParseDatetime(d.String())
			if err != nil {
				t.Fatalf("%q -> %q: %v", s, d.String(), err)
			}
			if d.Kind == Interval && back.Duration != d.Duration {
				t.Fatalf("%q -> %q -> %v", s, d.String(), back.Duration)
			}
		}
	})
}
