package codec

import (
	"cmp"
	"strconv"
	"strings"
)

// Numbers in requests can be as long as the request. math/big converts
// decimal text to binary in time that grows with the square of its
// length (a megabyte of digits takes seconds), so the checks on decimal
// and integer values work on their text instead, in linear time.

// maxExponent bounds the exponent of a JSON number written for a decimal
// or integer type: "1e1000" is expanded to its 1001 digits, "1e100000000"
// would be a 100 MB value.
const maxExponent = 1000

// decimalParts splits a plain decimal lexical form, [+-]digits[.digits]
// (or .digits), into its sign, the integer digits without leading zeros
// and the fraction digits without trailing zeros. Zero is never negative.
// ok is false for any other form.
func decimalParts(v string) (neg bool, ip, fp string, ok bool) {
	if !isDecimal(v) {
		return false, "", "", false
	}
	switch v[0] {
	case '-':
		neg, v = true, v[1:]
	case '+':
		v = v[1:]
	}
	ip, fp, _ = strings.Cut(v, ".")
	ip = strings.TrimLeft(ip, "0")
	fp = strings.TrimRight(fp, "0")
	if ip == "" && fp == "" {
		neg = false
	}
	return neg, ip, fp, true
}

// cmpDecimal compares two plain decimal lexical forms exactly: -1, 0 or
// +1 as a is less than, equal to or greater than b. ok is false when
// either is not a plain decimal.
func cmpDecimal(a, b string) (c int, ok bool) {
	an, ai, af, ok1 := decimalParts(a)
	bn, bi, bf, ok2 := decimalParts(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	if an != bn {
		if an {
			return -1, true
		}
		return 1, true
	}
	// Magnitudes: more integer digits is larger; then digit by digit,
	// the fractions as strings (no trailing zeros, so a longer fraction
	// with the same start is larger).
	switch {
	case len(ai) != len(bi):
		c = cmp.Compare(len(ai), len(bi))
	case ai != bi:
		c = strings.Compare(ai, bi)
	default:
		c = strings.Compare(af, bf)
	}
	if an {
		c = -c
	}
	return c, true
}

// expandExponent writes a JSON number (-?digits[.digits][(e|E)[+-]digits])
// as a plain decimal without exponent, exactly: "1.25e2" is "125",
// "-5E-3" is "-0.005". ok is false for another form or an exponent
// beyond maxExponent.
func expandExponent(s string) (string, bool) {
	mant, exp, hasExp := strings.Cut(strings.ReplaceAll(s, "E", "e"), "e")
	if !isDecimal(mant) {
		return "", false
	}
	e := 0
	if hasExp {
		n, err := strconv.Atoi(exp)
		if err != nil || n > maxExponent || n < -maxExponent {
			return "", false
		}
		e = n
	}
	neg := mant[0] == '-'
	mant = strings.TrimLeft(mant, "+-")
	ip, fp, _ := strings.Cut(mant, ".")
	digits := ip + fp
	point := len(ip) + e // where the point goes in digits
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	case point >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
	default:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	}
	n, i, f, _ := decimalParts(b.String())
	out := i
	if out == "" {
		out = "0"
	}
	if f != "" {
		out += "." + f
	}
	if n {
		out = "-" + out
	}
	return out, true
}
