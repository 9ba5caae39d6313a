package model

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestFormatDurationExact checks intervals print the exact decimal of
// their microseconds: a float's Seconds() gave "15.729959000000001S".
func TestFormatDurationExact(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{23*time.Minute + 15729959*time.Microsecond, "P0DT0H23M15.729959S"},
		{15729959 * time.Microsecond, "P0DT0H0M15.729959S"},
		{100*24*time.Hour + time.Microsecond, "P100DT0H0M0.000001S"},
		{time.Nanosecond, "P0DT0H0M0.000000001S"},
		{500 * time.Millisecond, "P0DT0H0M0.5S"},
		{-(36*time.Hour + 100*time.Millisecond), "-P1DT12H0M0.1S"},
		{0, "P0DT0H0M0S"},
		{math.MaxInt64, "P106751DT23H47M16.854775807S"},
		{math.MinInt64, "-P106751DT23H47M16.854775808S"},
	} {
		if got := FormatDuration(c.d); got != c.want {
			t.Errorf("FormatDuration(%d) = %s, want %s", c.d, got, c.want)
		}
	}
	// A DMTF interval from a server (Win32_Process times, uptime).
	d, err := ParseDatetime("00000000002315.729959:000")
	if err != nil || d.String() != "P0DT0H23M15.729959S" {
		t.Errorf("DMTF interval prints %q (%v)", d.String(), err)
	}
}

// FuzzDurationRoundTrip checks that every duration prints without float
// noise (at most nine fraction digits, no trailing zero) and parses back
// to itself, and that microsecond timestamps print and parse back too.
func FuzzDurationRoundTrip(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 1395729959000, 15729959000, math.MaxInt64, math.MinInt64, 86400e9} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		d := time.Duration(n)
		s := FormatDuration(d)
		if _, frac, ok := strings.Cut(strings.TrimSuffix(s, "S"), "."); ok && (len(frac) > 9 || strings.HasSuffix(frac, "0")) {
			t.Fatalf("FormatDuration(%d) = %s: not the exact decimal", n, s)
		}
		if n == math.MinInt64 {
			return // its magnitude is one more than a Duration holds, so it cannot parse back
		}
		back, err := ParseDuration(s)
		if err != nil || back != d {
			t.Fatalf("FormatDuration(%d) = %s parses back as %d (%v)", n, s, back, err)
		}
		iv := NewInterval(d)
		if p, err := ParseDatetime(iv.String()); err != nil || !p.Equal(iv) || p.DMTF() != iv.DMTF() && n >= 0 {
			t.Fatalf("interval %s does not round-trip: %+v %v", iv, p, err)
		}
		// Timestamps: any microsecond in years 1..9999, in a few zones.
		us := n % (253402300799 * 1e6)
		if us < -62135596800*1e6 {
			us = -us
		}
		for _, zone := range []*time.Location{time.UTC, time.FixedZone("", -5*3600), time.FixedZone("", 330*60)} {
			ts := NewTimestamp(time.UnixMicro(us).In(zone))
			text := ts.String()
			if _, frac, ok := strings.Cut(text, "."); ok && strings.IndexFunc(frac+"Z", func(r rune) bool { return r < '0' || r > '9' }) > 6 {
				t.Fatalf("timestamp %s has more than microseconds", text)
			}
			p, err := ParseDatetime(text)
			if err != nil || !p.Equal(ts) {
				t.Fatalf("timestamp %s parses back as %+v (%v)", text, p, err)
			}
			if q, err := ParseDatetime(ts.DMTF()); err != nil || !q.Equal(ts) {
				t.Fatalf("timestamp DMTF %s parses back as %+v (%v)", ts.DMTF(), q, err)
			}
		}
	})
}
