package openapi

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
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
// cannot translate safely: \p{..} blocks and categories, character class
// subtraction, and anything unusual; those are left out of the document
// (the gateway still checks them).
func ECMAPattern(p string) (string, bool) {
	var b strings.Builder
	rs := []rune(p)
	inClass := false
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\':
			if i+1 >= len(rs) {
				return "", false
			}
			i++
			e := rs[i]
			switch e {
			case 'n', 'r', 't':
				b.WriteRune('\\')
				b.WriteRune(e)
			case 'd', 'w', 's', 'S':
				// The ASCII part of XML Schema's meaning, which ECMA-262
				// and RE2 read alike: \d and \w of other scripts are left
				// to the gateway (docs/openapi.md).
				class := map[rune]string{'d': `0-9`, 'w': "0-9A-Za-z$+<=>^`|~", 's': ` \t\n\r`, 'S': `^ \t\n\r`}[e]
				switch {
				case !inClass:
					b.WriteString("[" + class + "]")
				case e == 'S':
					return "", false
				default:
					b.WriteString(class)
				}
			case 'D', 'W':
				return "", false // their ASCII forms would take too much
			case 'i', 'I', 'c', 'C':
				if inClass {
					return "", false
				}
				ranges := nameStart
				if e == 'c' || e == 'C' {
					ranges = nameChar
				}
				b.WriteString(classOf(ranges, e == 'I' || e == 'C'))
			case '\\', '|', '.', '-', '^', '?', '*', '+', '{', '}', '(', ')', '[', ']', '$':
				b.WriteRune('\\')
				b.WriteRune(e)
			default:
				return "", false
			}
		case inClass:
			switch c {
			case ']':
				inClass = false
				b.WriteRune(c)
			case '[':
				return "", false // subtraction or a nested class
			case '-':
				if i+1 < len(rs) && rs[i+1] == '[' {
					return "", false
				}
				b.WriteRune(c)
			default:
				b.WriteRune(c)
			}
		case c == '[':
			inClass = true
			b.WriteRune(c)
			if i+1 < len(rs) && rs[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
			if i+1 < len(rs) && rs[i+1] == ']' {
				return "", false
			}
		case c == '^' || c == '$':
			b.WriteRune('\\')
			b.WriteRune(c)
		case c == '(' && i+1 < len(rs) && rs[i+1] == '?':
			return "", false
		case c == '/':
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	if inClass {
		return "", false
	}
	out := "^(?:" + b.String() + ")$"
	if _, err := regexp.Compile(out); err != nil {
		return "", false
	}
	return out, true
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
