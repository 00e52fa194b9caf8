package codec

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// facetCheck validates values of one simple type against its facets.
type facetCheck struct {
	t        *xsd.Type
	patterns []*regexp.Regexp // nil entries: patterns Go cannot express, not checked
	enum     map[string]bool
}

func newFacetCheck(t *xsd.Type) *facetCheck {
	fc := &facetCheck{t: t}
	for _, p := range t.Facets.Patterns {
		var re *regexp.Regexp
		if expr, ok := xsd.PatternRE2(p); ok {
			re = regexp.MustCompile(expr) // PatternRE2 compiled it
		}
		fc.patterns = append(fc.patterns, re)
	}
	if len(t.Facets.Enumeration) > 0 {
		fc.enum = make(map[string]bool, len(t.Facets.Enumeration))
		for _, e := range t.Facets.Enumeration {
			fc.enum[whitespace(t, e)] = true
		}
	}
	return fc
}

// check validates a lexical value (after whitespace processing) and returns
// what was expected when it does not fit.
func (fc *facetCheck) check(v string) (bool, string) {
	t, f := fc.t, &fc.t.Facets
	if ok, exp := lexical(t.Builtin, v); !ok {
		return false, exp
	}
	if fc.enum != nil && !fc.enum[v] {
		vals := f.Enumeration
		if len(vals) > 12 {
			vals = append(vals[:12:12], "…")
		}
		return false, "one of " + strings.Join(quoteAll(vals), ", ")
	}
	for i, re := range fc.patterns {
		if re != nil && !re.MatchString(v) {
			return false, fmt.Sprintf("a value matching the pattern %s", f.Patterns[i])
		}
	}
	n := length(t.Builtin, v)
	if f.Length.Set && n != f.Length.N {
		return false, fmt.Sprintf("a length of exactly %d", f.Length.N)
	}
	if f.MinLength.Set && n < f.MinLength.N {
		return false, fmt.Sprintf("a length of at least %d", f.MinLength.N)
	}
	if f.MaxLength.Set && n > f.MaxLength.N {
		return false, fmt.Sprintf("a length of at most %d", f.MaxLength.N)
	}
	if f.MinInclusive != "" || f.MaxInclusive != "" || f.MinExclusive != "" || f.MaxExclusive != "" || f.TotalDigits.Set || f.FractionDigits.Set {
		return fc.checkNumeric(v)
	}
	return true, ""
}

func quoteAll(vs []string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// length is the facet length of a value: octets for binary types,
// characters otherwise.
func length(b xsd.Builtin, v string) int {
	switch b {
	case xsd.HexBinary:
		return len(v) / 2
	case xsd.Base64Binary:
		s := stripSpace(v)
		return len(s)/4*3 - strings.Count(s, "=")
	}
	return utf8.RuneCountInString(v)
}

// checkNumeric applies range and digit facets. Ranges on non-numeric types
// (dates) are compared as strings only when both sides have the same form.
func (fc *facetCheck) checkNumeric(v string) (bool, string) {
	f := &fc.t.Facets
	var compare func(bound string) (int, bool)
	switch b := fc.t.Builtin; {
	case b == xsd.Float || b == xsd.Double:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return true, ""
		}
		compare = func(bound string) (int, bool) {
			y, err := strconv.ParseFloat(strings.TrimSpace(bound), 64)
			if bound == "" || err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(x) || math.IsNaN(y) {
				return 0, false
			}
			return cmp.Compare(x, y), true
		}
	case b == xsd.Decimal || b.IsInteger():
		compare = func(bound string) (int, bool) { return cmpDecimal(v, strings.TrimSpace(bound)) }
	default:
		return true, "" // dates and other ordered types: not checked
	}
	if c, ok := compare(f.MinInclusive); ok && c < 0 {
		return false, "a value of at least " + f.MinInclusive
	}
	if c, ok := compare(f.MaxInclusive); ok && c > 0 {
		return false, "a value of at most " + f.MaxInclusive
	}
	if c, ok := compare(f.MinExclusive); ok && c <= 0 {
		return false, "a value greater than " + f.MinExclusive
	}
	if c, ok := compare(f.MaxExclusive); ok && c >= 0 {
		return false, "a value less than " + f.MaxExclusive
	}
	if f.TotalDigits.Set || f.FractionDigits.Set {
		digits := strings.TrimLeft(strings.TrimLeft(v, "+-"), "0")
		ip, fp, _ := strings.Cut(digits, ".")
		fp = strings.TrimRight(fp, "0")
		if f.FractionDigits.Set && len(fp) > f.FractionDigits.N {
			return false, fmt.Sprintf("at most %d digits after the decimal point", f.FractionDigits.N)
		}
		if f.TotalDigits.Set && len(ip)+len(fp) > f.TotalDigits.N {
			return false, fmt.Sprintf("at most %d digits in all", f.TotalDigits.N)
		}
	}
	return true, ""
}
