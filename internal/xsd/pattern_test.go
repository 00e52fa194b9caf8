package xsd

import (
	"regexp"
	"strings"
	"testing"
)

func TestPatternRE2(t *testing.T) {
	for _, c := range []struct {
		pattern string
		match   []string
		differ  []string
	}{
		{`[A-Z]{2}-\d+`, []string{"AB-12", "AB-٣٤"}, []string{"ab-12", "AB-", "xAB-1"}},
		{`\w+`, []string{"José", "abc1", "日本"}, []string{"a b", "a,b", "a_b", ""}},
		{`\W`, []string{",", " "}, []string{"a", "é"}},
		{`\i\c*`, []string{"name", "_n-1.x", "é1"}, []string{"1name", "-n", ""}},
		{`[\i-]+`, nil, nil}, // - at the end of a class: literal; \i inside a class
		{`\s*x\S`, []string{" \txy", "xy"}, []string{"x ", "x"}},
		{`a^b$c`, []string{"a^b$c"}, []string{"abc", "ab"}},
		{`\\i`, []string{`\i`}, []string{"i", "a"}},
		{`.`, []string{"a", "é"}, []string{"\n", "\r", "ab"}},
		{`\p{Lu}\p{Ll}*`, []string{"Émile"}, []string{"émile"}},
		{`\P{Nd}+`, []string{"abc"}, []string{"a1"}},
		{`[^\d]`, []string{"a"}, []string{"5", "٣"}},
		{`[\D]`, []string{"a"}, []string{"5"}},
		{`a|b`, []string{"a", "b"}, []string{"ab", ""}},
	} {
		re, ok := PatternRE2(c.pattern)
		if !ok {
			t.Errorf("%s: not translated", c.pattern)
			continue
		}
		r := regexp.MustCompile(re)
		for _, v := range c.match {
			if !r.MatchString(v) {
				t.Errorf("%s (%s) refuses %q", c.pattern, re, v)
			}
		}
		for _, v := range c.differ {
			if r.MatchString(v) {
				t.Errorf("%s (%s) takes %q", c.pattern, re, v)
			}
		}
	}
	for _, p := range []string{
		`[a-z-[aeiou]]`,        // class subtraction
		`\p{IsBasicLatin}+`,    // a block escape
		`[\I]`,                 // a negated name class inside a class
		`(?i)abc`,              // not XML Schema syntax
		`abc\`,                 // a dangling escape
		`[abc`,                 // an open class
		`(\i\c*){1000}`,        // too large a program to run cheaply
		`a{1001}`,              // past RE2's repeat limit
		strings.Repeat("(", 3), // malformed
	} {
		if re, ok := PatternRE2(p); ok {
			t.Errorf("%s translated to %s, want it left unchecked", p, re)
		}
	}
}

// FuzzPatternRE2: any pattern either translates to an expression Go
// compiles within the size bound, or is left unchecked; never a panic.
func FuzzPatternRE2(f *testing.F) {
	for _, p := range []string{`[A-Z]{2}-\d+`, `\i\c*`, `[a-z-[aeiou]]`, `\p{Lu}`, `a^b$`, `[^\d\s]`, `(\w|\.){1,3}`} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if re, ok := PatternRE2(p); ok {
			if _, err := regexp.Compile(re); err != nil {
				t.Fatalf("%q translated to %q, which does not compile: %v", p, re, err)
			}
		}
	})
}
