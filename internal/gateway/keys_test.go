package gateway

import (
	"testing"
	"time"
)

// FuzzParseExpiry: a lifetime is refused with an error or is positive and
// puts the expiry after now (no overflow into the past).
func FuzzParseExpiry(f *testing.F) {
	for _, s := range []string{"30d", "720h", "90m", "1h30m", "0d", "-1h", "36500d", "36501d", "+5d", "2562047h", "9223372036854775807ns", "1e9h", "d", ""} {
		f.Add(s)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseExpiry(s)
		if err != nil {
			return
		}
		if d <= 0 || !now.Add(d).After(now) {
			t.Fatalf("%q: %v, expiring at %v", s, d, now.Add(d))
		}
	})
}
