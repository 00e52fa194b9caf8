package codec

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// jsonKind is how a simple type's values appear in JSON.
type jsonKind uint8

const (
	jString jsonKind = iota
	jInteger
	jNumber // decimal, float, double
	jBoolean
)

func kindOf(b xsd.Builtin) jsonKind {
	switch {
	case b == xsd.Boolean:
		return jBoolean
	case b.IsInteger():
		return jInteger
	case b == xsd.Decimal || b == xsd.Float || b == xsd.Double:
		return jNumber
	}
	return jString
}

var (
	reFloat = regexp.MustCompile(`^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$`)
	// Lexical forms of the date and time types (XML Schema 1.0, timezone optional).
	reTZ       = `(Z|[+-][0-9]{2}:[0-9]{2})?`
	reDateTime = regexp.MustCompile(`^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?` + reTZ + `$`)
	reDate     = regexp.MustCompile(`^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}` + reTZ + `$`)
	reTime     = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?` + reTZ + `$`)
	reDuration = regexp.MustCompile(`^-?P([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$`)
	reGYear    = regexp.MustCompile(`^-?[0-9]{4,}` + reTZ + `$`)
	reGYM      = regexp.MustCompile(`^-?[0-9]{4,}-[0-9]{2}` + reTZ + `$`)
	reGMD      = regexp.MustCompile(`^--[0-9]{2}-[0-9]{2}` + reTZ + `$`)
	reGDay     = regexp.MustCompile(`^---[0-9]{2}` + reTZ + `$`)
	reGMonth   = regexp.MustCompile(`^--[0-9]{2}(--)?` + reTZ + `$`)
)

// lexical checks a lexical value against its built-in type, after
// whitespace processing. It returns a description of what was expected
// when the value does not fit.
func lexical(b xsd.Builtin, v string) (ok bool, expected string) {
	switch {
	case b == xsd.Boolean:
		return v == "true" || v == "false" || v == "1" || v == "0", "a boolean"
	case b.IsInteger():
		if !isInteger(v) {
			return false, "an integer"
		}
		lo, hi, _ := b.IntegerRange()
		if c, _ := cmpDecimal(v, lo); lo != "" && c < 0 {
			return false, fmt.Sprintf("a %s (at least %s)", b, lo)
		}
		if c, _ := cmpDecimal(v, hi); hi != "" && c > 0 {
			return false, fmt.Sprintf("a %s (at most %s)", b, hi)
		}
		return true, ""
	case b == xsd.Decimal:
		return isDecimal(v), "a decimal number"
	case b == xsd.Float || b == xsd.Double:
		return reFloat.MatchString(v), "a number"
	case b == xsd.DateTime || b == xsd.DateTimeStamp:
		return reDateTime.MatchString(v), "a dateTime like 2024-01-31T13:45:00Z"
	case b == xsd.Date:
		return reDate.MatchString(v), "a date like 2024-01-31"
	case b == xsd.Time:
		return reTime.MatchString(v), "a time like 13:45:00"
	case b == xsd.Duration || b == xsd.DayTimeDuration || b == xsd.YearMonthDuration:
		return reDuration.MatchString(v) && v != "P" && !strings.HasSuffix(v, "T"), "a duration like P1DT2H"
	case b == xsd.GYear:
		return reGYear.MatchString(v), "a year like 2024"
	case b == xsd.GYearMonth:
		return reGYM.MatchString(v), "a year and month like 2024-01"
	case b == xsd.GMonthDay:
		return reGMD.MatchString(v), "a month and day like --01-31"
	case b == xsd.GDay:
		return reGDay.MatchString(v), "a day like ---31"
	case b == xsd.GMonth:
		return reGMonth.MatchString(v), "a month like --01"
	case b == xsd.Base64Binary:
		_, err := base64.StdEncoding.DecodeString(stripSpace(v))
		return err == nil, "base64 text"
	case b == xsd.HexBinary:
		_, err := hex.DecodeString(v)
		return err == nil, "hexadecimal text"
	}
	return utf8.ValidString(v), "text"
}

func stripSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Join(strings.Fields(s), "")
}

// xmlSpace marks the bytes XML counts as whitespace.
var xmlSpace = [256]bool{' ': true, '\t': true, '\r': true, '\n': true}

// hasXMLSpace reports whether v holds XML whitespace: a loop, since the
// values of the decode hot path are short.
func hasXMLSpace(v string) bool {
	for i := 0; i < len(v); i++ {
		if xmlSpace[v[i]] {
			return true
		}
	}
	return false
}

// whitespace applies a type's whiteSpace facet.
func whitespace(t *xsd.Type, v string) string {
	switch t.Facets.WhiteSpace {
	case "collapse":
		if hasXMLSpace(v) {
			return strings.Join(strings.Fields(v), " ")
		}
	case "replace":
		return strings.Map(func(r rune) rune {
			if r == '\t' || r == '\r' || r == '\n' {
				return ' '
			}
			return r
		}, v)
	}
	return v
}

// fromJSON turns a JSON scalar into the lexical value of simple type t.
// Numbers keep every digit: json.Number carries the text as sent.
func fromJSON(t *xsd.Type, v any) (string, bool, string) {
	k := kindOf(t.Builtin)
	switch x := v.(type) {
	case string:
		if k == jBoolean {
			return x, x == "true" || x == "false", "a boolean"
		}
		return x, true, ""
	case json.Number:
		switch k {
		case jInteger, jNumber:
			s := x.String()
			if k == jInteger {
				// 1e3 or 10.0 are integers written as JSON numbers.
				if !isInteger(s) {
					d, ok := expandExponent(s)
					if !ok || strings.Contains(d, ".") {
						return s, false, "an integer"
					}
					s = d
				}
			} else if t.Builtin == xsd.Decimal && strings.ContainsAny(s, "eE") {
				d, ok := expandExponent(s)
				if !ok {
					return s, false, fmt.Sprintf("a decimal number (with an exponent of at most %d)", maxExponent)
				}
				s = d
			}
			return s, true, ""
		case jBoolean:
			return x.String(), false, "a boolean (true or false)"
		}
		return x.String(), true, ""
	case bool:
		if k == jBoolean || k == jString && t.Builtin == xsd.AnySimpleType {
			return strconv.FormatBool(x), true, ""
		}
		return strconv.FormatBool(x), false, describeKind(k)
	}
	return "", false, describeKind(k)
}

func describeKind(k jsonKind) string {
	switch k {
	case jInteger:
		return "an integer"
	case jNumber:
		return "a number"
	case jBoolean:
		return "a boolean"
	}
	return "a string"
}

// isInteger is reInteger without the regexp: the decode hot path.
func isInteger(v string) bool {
	if len(v) > 0 && (v[0] == '+' || v[0] == '-') {
		v = v[1:]
	}
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// isDecimal is reDecimal without the regexp.
func isDecimal(v string) bool {
	if len(v) > 0 && (v[0] == '+' || v[0] == '-') {
		v = v[1:]
	}
	digits, dot := 0, false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

// toJSON appends the JSON form of a lexical value of simple type t.
func toJSON(dst []byte, t *xsd.Type, v string) []byte {
	switch kindOf(t.Builtin) {
	case jBoolean:
		switch v {
		case "true", "1":
			return append(dst, "true"...)
		case "false", "0":
			return append(dst, "false"...)
		}
	case jInteger:
		if isInteger(v) {
			return appendNumber(dst, v)
		}
	case jNumber:
		if isDecimal(v) {
			return appendNumber(dst, v)
		}
		if t.Builtin != xsd.Decimal && reFloat.MatchString(v) && !strings.Contains(v, "INF") && v != "NaN" {
			if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) {
				return appendNumber(dst, v)
			}
		}
	}
	return appendString(dst, v)
}

// appendNumber writes a valid XML number as a valid JSON number: no "+",
// no leading zeros, no bare "." at either end.
func appendNumber(dst []byte, v string) []byte {
	if plainNumber(v) {
		return append(dst, v...)
	}
	neg := false
	switch {
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	case strings.HasPrefix(v, "-"):
		neg, v = true, v[1:]
	}
	mant, exp, _ := strings.Cut(v, "e")
	if exp == "" && strings.Contains(v, "E") {
		mant, exp, _ = strings.Cut(v, "E")
	}
	ip, fp, hasDot := strings.Cut(mant, ".")
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	if neg {
		dst = append(dst, '-')
	}
	dst = append(dst, ip...)
	if hasDot && fp != "" {
		dst = append(dst, '.')
		dst = append(dst, fp...)
	}
	if exp != "" {
		dst = append(dst, 'e')
		dst = append(dst, strings.TrimPrefix(exp, "+")...)
	}
	return dst
}

// plainNumber reports whether v, a valid XML number, is already written
// as JSON writes it: a sign only if "-", digits without a leading zero
// (or a lone 0 before "."), at most one "." with digits after it, no
// exponent. Most numbers on the wire are.
func plainNumber(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	if i >= len(v) || v[i] < '0' || v[i] > '9' {
		return false
	}
	if v[i] == '0' && i+1 < len(v) && v[i+1] != '.' {
		return false // a leading zero
	}
	dot := false
	for i++; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i+1 < len(v):
			dot = true
		default:
			return false
		}
	}
	return true
}

// appendString appends a JSON string literal.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x7f {
			continue
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
				start = i + 1
			} else if r == '\u2028' || r == '\u2029' {
				dst = append(dst, s[start:i]...)
				dst = append(dst, fmt.Sprintf(`\u%04x`, r)...)
				start = i + size
			}
			i += size - 1
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, `\"`...)
		case '\\':
			dst = append(dst, `\\`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		default:
			dst = append(dst, fmt.Sprintf(`\u%04x`, c)...)
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
