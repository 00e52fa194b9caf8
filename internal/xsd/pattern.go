package xsd

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// maxPatternInsts bounds the size of a translated pattern's program. Go's
// regexp runs in time linear in the input but proportional to the program
// too: (\i\c*){1000}, some 4,000 instructions, takes seconds on a 100 KB
// value. A larger pattern is left unchecked. (The largest of the corpus
// of real WSDLs has 514.)
const maxPatternInsts = 1000

// PatternRE2 translates an XML Schema regular expression (the pattern
// facet's dialect) into an anchored Go (RE2) expression with the same
// meaning, or reports false when it cannot be translated faithfully or is
// too large to run cheaply; such a pattern is not checked.
//
// XML Schema expressions match whole values, have no anchors (^ and $ are
// ordinary characters outside a class), and their escapes are Unicode
// aware: \d is a decimal digit of any script, \w any character that is not
// punctuation, a separator or "other", \i and \c the initial and other
// characters of XML names. Block escapes (\p{IsBasicLatin}) and character
// class subtraction ([a-z-[aeiou]]) have no RE2 form.
func PatternRE2(p string) (string, bool) {
	body, ok := TranslatePattern(p, re2Dialect)
	if !ok {
		return "", false
	}
	re := `^(?:` + body + `)$`
	tree, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return "", false
	}
	prog, err := syntax.Compile(tree.Simplify())
	if err != nil || len(prog.Inst) > maxPatternInsts {
		return "", false
	}
	if _, err := regexp.Compile(re); err != nil {
		return "", false
	}
	return re, true
}

// PatternDialect is how TranslatePattern writes what regular expression
// dialects write differently.
type PatternDialect struct {
	// Escape is the form of a multi-character escape (d D s S w W i I c
	// C), inside a character class or not, or false when the dialect
	// has none that means the same.
	Escape func(e rune, inClass bool) (string, bool)
	// Categories allows \p{..} and \P{..} of Unicode general categories.
	Categories bool
}

// re2Dialect is Go's.
var re2Dialect = PatternDialect{Escape: multiEscape, Categories: true}

// TranslatePattern writes an XML Schema regular expression in the syntax
// ECMA-262 and RE2 share, with the dialect's forms for the escapes that
// differ, unanchored. It reports false for what it cannot write with the
// same meaning: block escapes, class subtraction, escapes the dialect
// lacks, syntax XML Schema does not have.
func TranslatePattern(p string, d PatternDialect) (string, bool) {
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
			case 'n', 'r', 't', '\\', '|', '.', '-', '^', '?', '*', '+', '{', '}', '(', ')', '[', ']':
				b.WriteRune('\\')
				b.WriteRune(e)
			case 'd', 'D', 's', 'S', 'w', 'W', 'i', 'I', 'c', 'C':
				class, ok := d.Escape(e, inClass)
				if !ok {
					return "", false
				}
				b.WriteString(class)
			case 'p', 'P':
				j := i + 1
				if j >= len(rs) || rs[j] != '{' {
					return "", false
				}
				end := j + 1
				for end < len(rs) && rs[end] != '}' {
					end++
				}
				if end >= len(rs) {
					return "", false
				}
				name := string(rs[j+1 : end])
				if _, ok := unicode.Categories[name]; !ok || !d.Categories {
					return "", false // a block (IsBasicLatin) or an unknown category
				}
				b.WriteRune('\\')
				b.WriteRune(e)
				b.WriteString("{" + name + "}")
				i = end
			default:
				return "", false
			}
		case inClass:
			switch c {
			case ']':
				inClass = false
			case '[':
				return "", false // subtraction, or a nested class
			case '-':
				if i+1 < len(rs) && rs[i+1] == '[' {
					return "", false // subtraction
				}
			}
			b.WriteRune(c)
		case c == '[':
			inClass = true
			b.WriteRune('[')
			if i+1 < len(rs) && rs[i+1] == '^' {
				b.WriteRune('^')
				i++
			}
			if i+1 < len(rs) && rs[i+1] == ']' {
				return "", false // an empty class, or ']' first: unusual enough to leave
			}
		case c == '^' || c == '$':
			b.WriteRune('\\') // no anchors in XML Schema
			b.WriteRune(c)
		case c == '(' && i+1 < len(rs) && rs[i+1] == '?':
			return "", false // not XML Schema syntax
		case c == '.':
			b.WriteString(`[^\n\r]`)
		default:
			b.WriteRune(c)
		}
	}
	if inClass {
		return "", false
	}
	return b.String(), true
}

// multiEscape is the RE2 form of a multi-character escape, for use in or
// outside a class. Negated name classes have no form inside a class.
func multiEscape(e rune, inClass bool) (string, bool) {
	var in string
	neg := false
	switch e {
	case 'd', 'D':
		in, neg = `\p{Nd}`, e == 'D'
	case 's', 'S':
		// RE2's \s adds only \f, which XML text cannot hold.
		return `\` + string(e), true
	case 'w', 'W':
		// [#x0000-#x10FFFF]-[\p{P}\p{Z}\p{C}]: the other categories.
		in = `\p{L}\p{M}\p{N}\p{S}`
		if e == 'W' {
			in = `\p{P}\p{Z}\p{C}`
		}
	case 'i', 'I':
		in, neg = nameStartClass, e == 'I'
	case 'c', 'C':
		in, neg = nameCharClass, e == 'C'
	}
	switch {
	case !inClass && neg:
		return "[^" + in + "]", true
	case !inClass:
		return "[" + in + "]", true
	case neg && (e == 'D'):
		return `\P{Nd}`, true
	case neg:
		return "", false
	}
	return in, true
}

// The characters of XML 1.0 (fifth edition) names: NameStartChar (\i)
// and NameChar (\c), as class contents.
const (
	nameStartClass = `:A-Z_a-z\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2FF}\x{370}-\x{37D}\x{37F}-\x{1FFF}\x{200C}-\x{200D}\x{2070}-\x{218F}\x{2C00}-\x{2FEF}\x{3001}-\x{D7FF}\x{F900}-\x{FDCF}\x{FDF0}-\x{FFFD}\x{10000}-\x{EFFFF}`
	nameCharClass  = nameStartClass + `\-.0-9\x{B7}\x{300}-\x{36F}\x{203F}-\x{2040}`
)
