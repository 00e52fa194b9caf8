package openapi

import (
	"encoding/json"
	"math/big"
	"strings"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Lexical patterns of the built-in types the codec checks in requests
// (the same forms as internal/codec/values.go), in the ECMA/RE2 subset.
const (
	patTZ       = `(Z|[+-][0-9]{2}:[0-9]{2})?`
	patInteger  = `^[+-]?[0-9]+$`
	patDecimal  = `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`
	patSpecial  = `^(-?INF|NaN)$`
	patDateTime = `^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?` + patTZ + `$`
	patDate     = `^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}` + patTZ + `$`
	patTime     = `^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?` + patTZ + `$`
	patGYear    = `^-?[0-9]{4,}` + patTZ + `$`
	patGYM      = `^-?[0-9]{4,}-[0-9]{2}` + patTZ + `$`
	patGMD      = `^--[0-9]{2}-[0-9]{2}` + patTZ + `$`
	patGDay     = `^---[0-9]{2}` + patTZ + `$`
	patGMonth   = `^--[0-9]{2}(--)?` + patTZ + `$`
	patHex      = `^([0-9a-fA-F]{2})*$`
)

// lexicalPattern is the pattern of a built-in's lexical form, "" for none.
// Durations use no lookahead (RE2 has none): their pattern is looser.
func lexicalPattern(b xsd.Builtin) string {
	switch b {
	case xsd.DateTime, xsd.DateTimeStamp:
		return patDateTime
	case xsd.Date:
		return patDate
	case xsd.Time:
		return patTime
	case xsd.Duration, xsd.DayTimeDuration, xsd.YearMonthDuration:
		return `^-?P([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$`
	case xsd.GYear:
		return patGYear
	case xsd.GYearMonth:
		return patGYM
	case xsd.GMonthDay:
		return patGMD
	case xsd.GDay:
		return patGDay
	case xsd.GMonth:
		return patGMonth
	case xsd.HexBinary:
		return patHex
	}
	return ""
}

// xsdTypeName names a type for x-xsd-type: "xsd:local" for the XML
// Schema namespace, "{namespace}local" otherwise, the nearest built-in
// for an anonymous simple type, "" for an anonymous complex one.
func xsdTypeName(s *xsd.Schema, id xsd.TypeID) string {
	t := s.Type(id)
	if !t.Name.IsZero() {
		if t.Name.Space == xsd.NSXSD {
			return "xsd:" + t.Name.Local
		}
		return t.Name.String()
	}
	if !t.Simple {
		return ""
	}
	return "xsd:" + t.Builtin.String()
}

// simple is the schema of simple type id.
func (g *schemas) simple(id xsd.TypeID, d dir) *Schema {
	t := g.s.Type(id)
	var s *Schema
	switch t.Variety {
	case xsd.List:
		s = &Schema{Type: "array", Items: g.typeSchema(t.Item, d)}
		f := t.Facets
		if f.Length.Set {
			s.MinItems, s.MaxItems = intp(f.Length.N), intp(f.Length.N)
		}
		if f.MinLength.Set {
			s.MinItems = intp(f.MinLength.N)
		}
		if f.MaxLength.Set {
			s.MaxItems = intp(f.MaxLength.N)
		}
	case xsd.Union:
		s = g.union(id, d)
	default:
		s = g.atomic(t, d)
	}
	if !isBuiltinID(id) {
		s.Description = t.Doc
	}
	s.XSDType = xsdTypeName(g.s, id)
	return s
}

func (g *schemas) union(id xsd.TypeID, d dir) *Schema {
	t := g.s.Type(id)
	if d.decoded() && t.Builtin == xsd.AnySimpleType {
		// The codec writes a union of different kinds as a string.
		return &Schema{Type: "string"}
	}
	s := &Schema{}
	for _, m := range t.Members {
		s.AnyOf = append(s.AnyOf, g.typeSchema(m, d))
	}
	if len(s.AnyOf) == 0 {
		return &Schema{Type: "string"}
	}
	return s
}

// atomic is the schema of an atomic simple type: its JSON kind and its
// facets.
func (g *schemas) atomic(t *xsd.Type, d dir) *Schema {
	b := t.Builtin
	f := &t.Facets
	s := &Schema{}
	numeric := false
	switch {
	case b == xsd.AnySimpleType:
		s.Type = []string{"string", "number", "boolean"}
	case b == xsd.Boolean:
		s.Type = "boolean"
	case b.IsInteger():
		numeric = true
		s.Type = "integer"
		switch b {
		case xsd.Int:
			s.Format = "int32"
		case xsd.Long:
			s.Format = "int64"
		}
		if d == request && bigInteger(b) {
			// A string of digits, within the type's range when it has
			// one: the pattern bounds the value as exactly as
			// minimum and maximum bound a number.
			s.Type = []string{"integer", "string"}
			s.Pattern = patInteger
			if lo, hi := intBounds(b, f); lo != nil || hi != nil {
				if p, ok := intRangePattern(lo, hi); ok {
					s.Pattern = p
				}
			}
		}
	case b == xsd.Decimal:
		numeric = true
		s.Type = "number"
		if d == request {
			s.Type = []string{"number", "string"}
			s.Pattern = patDecimal
		}
	case b == xsd.Float || b == xsd.Double:
		numeric = true
		s.Type = []string{"number", "string"}
		s.Pattern = patSpecial
		s.Format = map[xsd.Builtin]string{xsd.Float: "float", xsd.Double: "double"}[b]
	default:
		s.Type = "string"
		s.Pattern = lexicalPattern(b)
		if b == xsd.Base64Binary {
			s.ContentEncoding = "base64"
		}
	}
	// Enumerations, as the JSON values the codec writes (and, for the
	// kinds a request may give as strings, those strings too).
	if len(f.Enumeration) > 0 && b != xsd.AnySimpleType {
		seen := map[string]bool{}
		add := func(v any) {
			k, _ := json.Marshal(v)
			if !seen[string(k)] {
				seen[string(k)] = true
				s.Enum = append(s.Enum, v)
			}
		}
		for _, e := range f.Enumeration {
			v := e
			if f.WhiteSpace == "collapse" {
				v = strings.Join(strings.Fields(v), " ")
			}
			jv := scalarJSON(b, v)
			add(jv)
			if _, isNum := jv.(json.Number); isNum && (d == request && stringNumber(b) || b == xsd.Float || b == xsd.Double) {
				if d == request && stringNumber(b) {
					add(v)
				}
			}
		}
		s.Pattern = "" // the enumeration says it all
	}
	// Patterns: every derivation step's must hold.
	var pats []string
	if s.Pattern != "" {
		pats = append(pats, s.Pattern)
	}
	if len(s.Enum) == 0 {
		for _, p := range f.Patterns {
			if ep, ok := ECMAPattern(p); ok {
				pats = append(pats, ep)
			}
		}
	}
	s.Pattern = ""
	switch len(pats) {
	case 0:
	case 1:
		s.Pattern = pats[0]
	default:
		s.Pattern = pats[0]
		for _, p := range pats[1:] {
			s.AllOf = append(s.AllOf, &Schema{Pattern: p})
		}
	}
	// Lengths apply to strings (hexBinary counts octets).
	if !numeric && b != xsd.Boolean && b != xsd.Base64Binary && len(s.Enum) == 0 {
		mul := 1
		if b == xsd.HexBinary {
			mul = 2
		}
		if f.Length.Set {
			s.MinLength, s.MaxLength = intp(f.Length.N*mul), intp(f.Length.N*mul)
		}
		if f.MinLength.Set {
			s.MinLength = intp(f.MinLength.N * mul)
		}
		if f.MaxLength.Set {
			s.MaxLength = intp(f.MaxLength.N * mul)
		}
	}
	if numeric {
		g.bounds(s, b, f)
	}
	return s
}

// bounds sets the numeric range: the facets, within the built-in's range.
func (g *schemas) bounds(s *Schema, b xsd.Builtin, f *xsd.Facets) {
	lo, hi, _ := b.IntegerRange()
	rat := func(v string) *big.Rat {
		if v == "" {
			return nil
		}
		r, ok := new(big.Rat).SetString(strings.TrimPrefix(strings.TrimSpace(v), "+"))
		if !ok {
			return nil
		}
		return r
	}
	num := func(v string) json.Number {
		r := rat(v)
		if r.IsInt() {
			return json.Number(r.Num().String())
		}
		return json.Number(ratString(r))
	}
	if r := rat(f.MinInclusive); r != nil && (rat(lo) == nil || r.Cmp(rat(lo)) > 0) {
		lo = f.MinInclusive
	}
	if r := rat(f.MaxInclusive); r != nil && (rat(hi) == nil || r.Cmp(rat(hi)) < 0) {
		hi = f.MaxInclusive
	}
	if rat(lo) != nil {
		s.Minimum = num(lo)
	}
	if rat(hi) != nil {
		s.Maximum = num(hi)
	}
	if r := rat(f.MinExclusive); r != nil {
		s.ExclusiveMinimum = num(f.MinExclusive)
	}
	if r := rat(f.MaxExclusive); r != nil {
		s.ExclusiveMaximum = num(f.MaxExclusive)
	}
	if b.IsInteger() && f.TotalDigits.Set {
		// totalDigits n bounds an integer: |v| <= 10^n - 1.
		lo, hi := intBounds(b, f)
		if lo != nil && (s.Minimum == "" || rat(string(s.Minimum)).Cmp(new(big.Rat).SetInt(lo)) < 0) {
			s.Minimum = json.Number(lo.String())
		}
		if hi != nil && (s.Maximum == "" || rat(string(s.Maximum)).Cmp(new(big.Rat).SetInt(hi)) > 0) {
			s.Maximum = json.Number(hi.String())
		}
	}
}
