package openapi

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Ranges of the XML Schema multi-character escapes \i (initial name
// characters) and \c (name characters), written with literal characters
// so that the class means the same in ECMA-262 and RE2.
var (
	nameStart = [][2]rune{{'_', '_'}, {':', ':'}, {'A', 'Z'}, {'a', 'z'}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x2FF}, {0x370, 0x37D}, {0x37F, 0x1FFF}}
	nameChar  = [][2]rune{{'-', '-'}, {'.', '.'}, {'_', '_'}, {':', ':'}, {'A', 'Z'}, {'a', 'z'}, {'0', '9'}, {0xB7, 0xB7}, {0xC0, 0xD6}, {0xD8, 0xF6}, {0xF8, 0x37D}, {0x37F, 0x1FFF}}
)

func classOf(ranges [][2]rune, negate bool) string {
	var b strings.Builder
	b.WriteByte('[')
	if negate {
		b.WriteByte('^')
	}
	for _, r := range ranges {
		writeClassRune(&b, r[0])
		if r[1] != r[0] {
			b.WriteByte('-')
			writeClassRune(&b, r[1])
		}
	}
	b.WriteByte(']')
	return b.String()
}

func writeClassRune(b *strings.Builder, r rune) {
	switch r {
	case '-', ']', '\\', '^', '[':
		b.WriteByte('\\')
	}
	b.WriteRune(r)
}

// ECMAPattern translates an XML Schema regular expression into one that
// means the same in ECMA-262 (JSON Schema's dialect) and in RE2, anchored
// as XML Schema patterns implicitly are. It reports false for patterns it
// cannot translate safely (\D, \W, \p{..} blocks and categories,
// character class subtraction, anything unusual) and for those the
// gateway does not check either (xsd.PatternRE2): those are left out of
// the document.
func ECMAPattern(p string) (string, bool) {
	if _, ok := xsd.PatternRE2(p); !ok {
		return "", false
	}
	body, ok := xsd.TranslatePattern(p, xsd.PatternDialect{Escape: ecmaEscape})
	if !ok {
		return "", false
	}
	out := "^(?:" + body + ")$"
	if _, err := regexp.Compile(out); err != nil {
		return "", false
	}
	return out, true
}

// ecmaEscape writes the multi-character escapes as classes of literal
// characters, which ECMA-262 (without the u flag) and RE2 read alike: \d
// and \w as the ASCII part of their XML Schema meaning (digits and letters
// of other scripts are left to the gateway, docs/openapi.md), \s as the
// four XML spaces, \i and \c as the XML name characters of the BMP. \D
// and \W have no such form: their ASCII forms would take too much.
func ecmaEscape(e rune, inClass bool) (string, bool) {
	switch e {
	case 'd', 'w', 's', 'S':
		class := map[rune]string{'d': `0-9`, 'w': "0-9A-Za-z$+<=>^`|~", 's': ` \t\n\r`, 'S': `^ \t\n\r`}[e]
		switch {
		case !inClass:
			return "[" + class + "]", true
		case e == 'S':
			return "", false
		}
		return class, true
	case 'i', 'I', 'c', 'C':
		if inClass {
			return "", false
		}
		ranges := nameStart
		if e == 'c' || e == 'C' {
			ranges = nameChar
		}
		return classOf(ranges, e == 'I' || e == 'C'), true
	}
	return "", false
}

// exampleFor returns a short string matching the RE2 pattern re whose
// length in characters is within [minLen, maxLen] (maxLen < 0: no
// bound), or false. The shortest match comes first; when it is too short,
// every repetition (*, +, {n,m}) is repeated once more, until the string is
// long enough or cannot grow.
func exampleFor(re string, minLen, maxLen int) (string, bool) {
	tree, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return "", false
	}
	tree = tree.Simplify()
	prev := -1
	for extra := 0; extra <= 256; extra++ {
		var b strings.Builder
		if !genRegexp(&b, tree, 0, extra) {
			return "", false
		}
		s := b.String()
		n := utf8.RuneCountInString(s)
		if n < minLen && n > prev {
			prev = n
			continue
		}
		if n < minLen || maxLen >= 0 && n > maxLen {
			return "", false
		}
		if m, err := regexp.MatchString(re, s); err != nil || !m {
			return "", false
		}
		return s, true
	}
	return "", false
}

// genRegexp writes a string matching re, with each repetition taken extra
// times more than its minimum (within its maximum).
func genRegexp(b *strings.Builder, re *syntax.Regexp, depth, extra int) bool {
	if depth > 50 || b.Len() > 1024 {
		return false
	}
	repeat := func(min, max int) bool {
		n := min + extra
		if max >= 0 && n > max {
			n = max
		}
		for i := 0; i < n; i++ {
			if !genRegexp(b, re.Sub[0], depth+1, extra) {
				return false
			}
		}
		return true
	}
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			b.WriteRune(r)
		}
		return true
	case syntax.OpCharClass:
		if len(re.Rune) < 2 {
			return false
		}
		// Prefer a letter or digit of the class.
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for _, pick := range []rune{'a', 'A', '0'} {
				if re.Rune[i] <= pick && pick <= re.Rune[i+1] {
					b.WriteRune(pick)
					return true
				}
			}
		}
		r := re.Rune[0]
		if r < 0x20 && re.Rune[1] >= 0x20 {
			r = 0x20
		}
		b.WriteRune(r)
		return true
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('x')
		return true
	case syntax.OpCapture:
		return genRegexp(b, re.Sub[0], depth+1, extra)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !genRegexp(b, s, depth+1, extra) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return genRegexp(b, re.Sub[0], depth+1, extra)
	case syntax.OpStar:
		return repeat(0, -1)
	case syntax.OpQuest:
		return repeat(0, 1)
	case syntax.OpPlus:
		return repeat(1, -1)
	case syntax.OpRepeat:
		return repeat(re.Min, re.Max)
	}
	return false
}

func regexpMatch(re, s string) (bool, error) { return regexp.MatchString(re, s) }
