package openapi

import (
	"math/big"
	"math/rand"
	"regexp"
	"strings"
	"testing"
)

// TestIntRangePattern checks that the pattern of an integer range matches
// exactly the strings the codec reads as an integer in the range: every
// value near the bounds, zero and powers of ten, with signs and leading
// zeros, and random values, for bounded, half-bounded and unbounded
// ranges.
func TestIntRangePattern(t *testing.T) {
	n := func(s string) *big.Int {
		if s == "" {
			return nil
		}
		v, ok := new(big.Int).SetString(s, 10)
		if !ok {
			t.Fatalf("bad number %q", s)
		}
		return v
	}
	rng := rand.New(rand.NewSource(1))
	for _, r := range [][2]string{
		{"-9223372036854775808", "9223372036854775807"}, // long
		{"0", "18446744073709551615"},                   // unsignedLong
		{"0", ""}, {"1", ""}, {"", "0"}, {"", "-1"},     // the unbounded integers
		{"-99", "250"}, {"-999", "999"}, {"5", "5"}, {"-5", "-5"}, {"0", "0"},
		{"10", "99"}, {"100", "1000"}, {"199", "2001"}, {"-1000", "-100"}, {"123456", ""}, {"", "-98765"},
		{"7", "70000000"}, {"-1", "1"},
	} {
		lo, hi := n(r[0]), n(r[1])
		p, ok := intRangePattern(lo, hi)
		if !ok {
			t.Fatalf("%v: no pattern", r)
		}
		re, err := regexp.Compile(p)
		if err != nil {
			t.Fatalf("%v: %s: %v", r, p, err)
		}
		in := func(v *big.Int) bool { return (lo == nil || v.Cmp(lo) >= 0) && (hi == nil || v.Cmp(hi) <= 0) }
		var probes []*big.Int
		for _, b := range []*big.Int{lo, hi, big.NewInt(0)} {
			if b == nil {
				continue
			}
			for d := int64(-12); d <= 12; d++ {
				probes = append(probes, new(big.Int).Add(b, big.NewInt(d)))
			}
		}
		for e := 0; e <= 21; e++ {
			p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil)
			for _, d := range []int64{-1, 0, 1} {
				v := new(big.Int).Add(p, big.NewInt(d))
				probes = append(probes, v, new(big.Int).Neg(v))
			}
		}
		for i := 0; i < 2000; i++ {
			v := new(big.Int).Rand(rng, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(1+i%22)), nil))
			if i%2 == 1 {
				v.Neg(v)
			}
			probes = append(probes, v)
		}
		for _, v := range probes {
			abs := new(big.Int).Abs(v).String()
			forms := []string{v.String()}
			if v.Sign() >= 0 {
				forms = append(forms, "00"+abs, "+"+abs, "+0"+abs)
			}
			if v.Sign() <= 0 {
				forms = append(forms, "-"+abs, "-00"+abs)
			}
			for _, s := range forms {
				if got := re.MatchString(s); got != in(v) {
					t.Errorf("range %v: %q matches %v, want %v (pattern %s)", r, s, got, in(v), p)
				}
			}
		}
		for _, bad := range []string{"", "+", "-", "1.0", "1e3", " 1", "0x1", "--1", "+-1", "1-"} {
			if re.MatchString(bad) {
				t.Errorf("range %v: %q matches", r, bad)
			}
		}
		if strings.Contains(p, `\d`) {
			t.Errorf("%s: use [0-9], not \\d (ECMA-262 and RE2 differ on Unicode digits)", p)
		}
	}
	if _, ok := intRangePattern(big.NewInt(3), big.NewInt(2)); ok {
		t.Errorf("an empty range has a pattern")
	}
}
