package openapi

import (
	"math/big"
	"strings"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// intBounds is the range of the values of an integer type: its
// built-in's range narrowed by the range facets and totalDigits; nil
// ends are unbounded.
func intBounds(b xsd.Builtin, f *xsd.Facets) (lo, hi *big.Int) {
	parse := func(v string) *big.Rat {
		r, ok := new(big.Rat).SetString(strings.TrimPrefix(strings.TrimSpace(v), "+"))
		if !ok {
			return nil
		}
		return r
	}
	ceil := func(r *big.Rat) *big.Int {
		q, m := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
		if m.Sign() != 0 {
			q.Add(q, big.NewInt(1))
		}
		return q
	}
	floor := func(r *big.Rat) *big.Int {
		q, _ := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
		return q
	}
	raise := func(n *big.Int) {
		if n != nil && (lo == nil || n.Cmp(lo) > 0) {
			lo = n
		}
	}
	lower := func(n *big.Int) {
		if n != nil && (hi == nil || n.Cmp(hi) < 0) {
			hi = n
		}
	}
	bmin, bmax, _ := b.IntegerRange()
	if r := parse(bmin); r != nil {
		raise(r.Num())
	}
	if r := parse(bmax); r != nil {
		lower(r.Num())
	}
	if r := parse(f.MinInclusive); r != nil {
		raise(ceil(r))
	}
	if r := parse(f.MinExclusive); r != nil {
		raise(new(big.Int).Add(floor(r), big.NewInt(1)))
	}
	if r := parse(f.MaxInclusive); r != nil {
		lower(floor(r))
	}
	if r := parse(f.MaxExclusive); r != nil {
		lower(new(big.Int).Sub(ceil(r), big.NewInt(1)))
	}
	if f.TotalDigits.Set && f.TotalDigits.N > 0 && f.TotalDigits.N < 1000 {
		// At most n digits: |v| <= 10^n - 1.
		m := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(f.TotalDigits.N)), nil)
		m.Sub(m, big.NewInt(1))
		raise(new(big.Int).Neg(m))
		lower(m)
	}
	return lo, hi
}

// intRangePattern is a regular expression (in the subset ECMA-262 and RE2
// share) that matches exactly the integers in [lo, hi] written as the
// codec reads an integer given as a string: an optional sign, then
// digits, leading zeros allowed. nil ends are unbounded; ok is false
// when the range is empty.
func intRangePattern(lo, hi *big.Int) (string, bool) {
	if lo != nil && hi != nil && lo.Cmp(hi) > 0 {
		return "", false
	}
	one := big.NewInt(1)
	var alts []string
	// Positive values: [max(lo, 1), hi].
	pLo := one
	if lo != nil && lo.Cmp(one) > 0 {
		pLo = lo
	}
	if hi == nil || hi.Cmp(pLo) >= 0 {
		alts = append(alts, `\+?0*(?:`+positiveRange(pLo, hi)+`)`)
	}
	// Negative values: their absolute values in [max(-hi, 1), -lo].
	nLo := one
	if hi != nil && new(big.Int).Neg(hi).Cmp(one) > 0 {
		nLo = new(big.Int).Neg(hi)
	}
	var nHi *big.Int
	if lo != nil {
		nHi = new(big.Int).Neg(lo)
	}
	if nHi == nil || nHi.Cmp(nLo) >= 0 {
		alts = append(alts, `-0*(?:`+positiveRange(nLo, nHi)+`)`)
	}
	// Zero, with any sign.
	if (lo == nil || lo.Sign() <= 0) && (hi == nil || hi.Sign() >= 0) {
		alts = append(alts, `[+-]?0+`)
	}
	return "^(?:" + strings.Join(alts, "|") + ")$", true
}

// positiveRange matches the numbers in [a, b] (1 <= a <= b; b nil is
// unbounded) written without leading zeros.
func positiveRange(a, b *big.Int) string {
	as := a.String()
	var alts []string
	if b == nil {
		// Every length from a's: a's own length from a up, then longer.
		nines := strings.Repeat("9", len(as))
		alts = append(alts, sameLength(as, nines))
		alts = append(alts, `[1-9][0-9]{`+itoa(len(as))+`,}`)
		return strings.Join(alts, "|")
	}
	bs := b.String()
	full := -1 // the first of a run of lengths whose every number is in
	flush := func(end int) {
		if full < 0 {
			return
		}
		if full == end {
			alts = append(alts, "[1-9]"+anyDigits(full-1))
		} else {
			alts = append(alts, "[1-9][0-9]{"+itoa(full-1)+","+itoa(end-1)+"}")
		}
		full = -1
	}
	for n := len(as); n <= len(bs); n++ {
		from, to := "1"+strings.Repeat("0", n-1), strings.Repeat("9", n)
		if n == len(as) {
			from = as
		}
		if n == len(bs) {
			to = bs
		}
		if from == "1"+strings.Repeat("0", n-1) && to == strings.Repeat("9", n) {
			if full < 0 {
				full = n
			}
			continue
		}
		flush(n - 1)
		alts = append(alts, sameLength(from, to))
	}
	flush(len(bs))
	return strings.Join(alts, "|")
}

// sameLength matches the digit strings of x's length from x to y
// (x <= y, equal lengths), as alternatives without anchors.
func sameLength(x, y string) string {
	if x == y {
		return x
	}
	if len(x) == 1 {
		return digitClass(x[0], y[0])
	}
	if x[0] == y[0] {
		return x[:1] + group(sameLength(x[1:], y[1:]))
	}
	rest := len(x) - 1
	var alts []string
	low, high := x[0], y[0]
	if strings.Trim(x[1:], "0") != "" {
		alts = append(alts, x[:1]+group(sameLength(x[1:], strings.Repeat("9", rest))))
		low++
	}
	var top string
	if strings.Trim(y[1:], "9") != "" {
		top = y[:1] + group(sameLength(strings.Repeat("0", rest), y[1:]))
		high--
	}
	if low <= high {
		alts = append(alts, digitClass(low, high)+anyDigits(rest))
	}
	if top != "" {
		alts = append(alts, top)
	}
	return strings.Join(alts, "|")
}

// group wraps alternatives so that a prefix applies to all of them.
func group(s string) string {
	if strings.Contains(s, "|") {
		return "(?:" + s + ")"
	}
	return s
}

func digitClass(a, b byte) string {
	switch {
	case a == b:
		return string(a)
	case a == '0' && b == '9':
		return "[0-9]"
	}
	return "[" + string(a) + "-" + string(b) + "]"
}

func anyDigits(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "[0-9]"
	}
	return "[0-9]{" + itoa(n) + "}"
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }
