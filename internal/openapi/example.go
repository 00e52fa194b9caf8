package openapi

import (
	"encoding/json"
	"math/big"
	"strings"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// exampler makes example values that fit the generated schemas: the
// first branch of every choice, one item per array, optional members up
// to a depth, no recursion through optional members.
type exampler struct {
	g     *schemas
	stack []xsd.TypeID
	nodes int
}

const (
	maxExampleNodes    = 400
	maxOptionalDepth   = 3
	maxExampleRequired = 24
)

func (x *exampler) onStack(id xsd.TypeID) bool {
	for _, s := range x.stack {
		if s == id {
			return true
		}
	}
	return false
}

// body is the example of a message body, or false when none could be
// made.
func (x *exampler) body(o *wsdl.Operation, msg *wsdl.Message, d dir) (any, bool) {
	if msg == nil {
		return Object{}, true
	}
	if msg.Wrapped && len(msg.Parts) == 1 && msg.Parts[0].Element != xsd.NoElem && o.Style != wsdl.RPC {
		e := x.g.s.Element(msg.Parts[0].Element)
		v, ok := x.typed(e.Type, d, 0)
		if _, isObj := v.(Object); !isObj {
			return nil, false
		}
		return v, ok
	}
	obj := Object{}
	for _, p := range msg.Parts {
		var v any
		ok := true
		if p.Element != xsd.NoElem {
			v, ok = x.element(p.Element, d, 0)
		} else {
			v, ok = x.value(p.Type, d, 0)
		}
		if !ok {
			return nil, false
		}
		obj = append(obj, Member{p.Name, v})
	}
	return obj, true
}

func (x *exampler) element(id xsd.ElemID, d dir, depth int) (any, bool) {
	e := x.g.s.Element(id)
	if e.Constraint.Kind != xsd.NoConstraint {
		if v, ok := x.g.jsonValue(e.Type, e.Constraint.Value); ok {
			return v, true
		}
	}
	return x.value(e.Type, d, depth)
}

// value is an example of an element's value of declared type id: a
// derived type (with "$type") when id is abstract.
func (x *exampler) value(id xsd.TypeID, d dir, depth int) (any, bool) {
	t := x.g.s.Type(id)
	if t.Abstract && !t.Simple {
		for _, dt := range x.g.derived(id) {
			v, ok := x.typed(dt, d, depth)
			if o, isObj := v.(Object); ok && isObj {
				return append(Object{{memberType, x.g.s.Type(dt).Name.Local}}, o...), true
			}
		}
		return nil, false
	}
	return x.typed(id, d, depth)
}

func (x *exampler) typed(id xsd.TypeID, d dir, depth int) (any, bool) {
	x.nodes++
	if x.nodes > maxExampleNodes || depth > maxExampleRequired {
		return nil, false
	}
	t := x.g.s.Type(id)
	switch {
	case isAnyType(t):
		return "any", true
	case t.Simple:
		return x.simple(id, d)
	case t.IsArray():
		v, ok := x.value(t.ArrayItem, d, depth+1)
		return []any{v}, ok
	}
	x.stack = append(x.stack, id)
	defer func() { x.stack = x.stack[:len(x.stack)-1] }()
	members, value, wild := x.g.c.Members(id)
	vals := make([]any, len(members))
	set := make([]bool, len(members))
	anyNeeded := false
	var walk func(pt *xsd.Particle, must bool) bool
	walk = func(pt *xsd.Particle, must bool) bool {
		switch pt.Kind {
		case xsd.PAny:
			if must && pt.Min > 0 {
				anyNeeded = true
			}
			return true
		case xsd.PElement:
			eid := pt.Element
			if el := x.g.s.Element(eid); el.Abstract {
				if len(el.Substitutes) == 0 {
					return !(must && pt.Min > 0)
				}
				eid = el.Substitutes[0]
			}
			i := x.g.c.MemberOf(id, eid)
			if i < 0 || set[i] {
				return true
			}
			required := must && pt.Min > 0
			et := x.g.s.Element(eid).Type
			if !required && (depth >= maxOptionalDepth || x.onStack(et) || pt.Max == 0) {
				return true
			}
			v, ok := x.element(eid, d, depth+1)
			if !ok {
				return !required
			}
			if members[i].Repeated {
				n := pt.Min
				if n < 1 {
					n = 1
				}
				items := make([]any, n)
				for k := range items {
					items[k] = v
				}
				v = items
			}
			vals[i], set[i] = v, true
			return true
		case xsd.PSequence, xsd.PAll:
			for k := range pt.Children {
				if !walk(&pt.Children[k], must && pt.Min > 0) {
					return false
				}
			}
			return true
		case xsd.PChoice:
			for k := range pt.Children {
				c := &pt.Children[k]
				if isEmptyParticle(c) {
					continue
				}
				// The chosen branch is required in full.
				return walk(c, true)
			}
			return true
		}
		return true
	}
	if t.Particle != nil && !walk(t.Particle, true) {
		return nil, false
	}
	obj := Object{}
	for i, m := range members {
		if m.Attr {
			a := &t.Attrs[m.Index]
			var v any
			ok := false
			if a.Constraint.Kind != xsd.NoConstraint {
				v, ok = x.g.jsonValue(a.Type, a.Constraint.Value)
			}
			if !ok {
				v, ok = x.simple(a.Type, d)
			}
			if !ok {
				if a.Required {
					return nil, false
				}
				continue
			}
			obj = append(obj, Member{m.Name, v})
			continue
		}
		if set[i] {
			obj = append(obj, Member{m.Name, vals[i]})
		} else if m.Repeated && d == response {
			obj = append(obj, Member{m.Name, []any{}})
		}
	}
	if value {
		if t.Content == xsd.ContentSimple {
			v, ok := x.simple(t.Value, d)
			if !ok {
				return nil, false
			}
			obj = append(obj, Member{memberValue, v})
		}
	}
	if wild && anyNeeded && d == request {
		obj = append(obj, Member{memberAny, []any{`<example xmlns="urn:example"/>`}})
	}
	return obj, true
}

// simple is an example value of simple type id.
func (x *exampler) simple(id xsd.TypeID, d dir) (any, bool) {
	t := x.g.s.Type(id)
	switch t.Variety {
	case xsd.List:
		v, ok := x.simple(t.Item, d)
		n := 1
		if t.Facets.MinLength.Set && t.Facets.MinLength.N > 1 {
			n = t.Facets.MinLength.N
		}
		if t.Facets.Length.Set {
			n = t.Facets.Length.N
		}
		if n > 16 {
			return nil, false
		}
		items := make([]any, n)
		for i := range items {
			items[i] = v
		}
		return items, ok
	case xsd.Union:
		if len(t.Members) == 0 {
			return "text", true
		}
		v, ok := x.simple(t.Members[0], d)
		if d == response && t.Builtin == xsd.AnySimpleType {
			if _, isStr := v.(string); !isStr {
				b, _ := json.Marshal(v)
				return string(b), ok
			}
		}
		return v, ok
	}
	f := &t.Facets
	b := t.Builtin
	if len(f.Enumeration) > 0 {
		v := f.Enumeration[0]
		if f.WhiteSpace == "collapse" {
			v = strings.Join(strings.Fields(v), " ")
		}
		return scalarJSON(b, v), true
	}
	switch {
	case b == xsd.Boolean:
		return true, true
	case b.IsNumeric():
		return x.number(t)
	}
	var s string
	switch b {
	case xsd.DateTime, xsd.DateTimeStamp:
		s = "2024-01-31T13:45:00Z"
	case xsd.Date:
		s = "2024-01-31"
	case xsd.Time:
		s = "13:45:00"
	case xsd.Duration, xsd.DayTimeDuration:
		s = "P1DT2H"
	case xsd.YearMonthDuration:
		s = "P1Y2M"
	case xsd.GYear:
		s = "2024"
	case xsd.GYearMonth:
		s = "2024-01"
	case xsd.GMonthDay:
		s = "--01-31"
	case xsd.GDay:
		s = "---31"
	case xsd.GMonth:
		s = "--01"
	case xsd.Base64Binary:
		s = "c29hcGJyaWRnZQ=="
	case xsd.HexBinary:
		n := 1
		if f.Length.Set {
			n = f.Length.N
		} else if f.MinLength.Set && f.MinLength.N > 1 {
			n = f.MinLength.N
		}
		s = strings.Repeat("0a", n)
	case xsd.AnyURI:
		s = "https://example.com/"
	case xsd.Language:
		s = "en"
	case xsd.QNameType:
		s = "name"
	default:
		s = "string"
	}
	var pats []string
	for _, p := range f.Patterns {
		if ep, ok := ECMAPattern(p); ok {
			pats = append(pats, ep)
		}
	}
	if len(pats) > 0 {
		min, max := 0, -1
		if b != xsd.HexBinary && b != xsd.Base64Binary {
			if f.Length.Set {
				min, max = f.Length.N, f.Length.N
			}
			if f.MinLength.Set {
				min = f.MinLength.N
			}
			if f.MaxLength.Set {
				max = f.MaxLength.N
			}
		}
		v, ok := exampleFor(pats[0], min, max)
		if !ok {
			return nil, false
		}
		s = v
		for _, p := range pats[1:] {
			if !matches(p, s) {
				return nil, false
			}
		}
	} else if b != xsd.HexBinary && lexicalPattern(b) == "" && b != xsd.Base64Binary {
		min, max := -1, -1
		if f.Length.Set {
			min, max = f.Length.N, f.Length.N
		}
		if f.MinLength.Set {
			min = f.MinLength.N
		}
		if f.MaxLength.Set {
			max = f.MaxLength.N
		}
		if min > 256 {
			return nil, false
		}
		for min >= 0 && len([]rune(s)) < min {
			s += "x"
		}
		if max >= 0 && len([]rune(s)) > max {
			s = string([]rune(s)[:max])
		}
	}
	n := len([]rune(s))
	if b == xsd.HexBinary || b == xsd.Base64Binary {
		return s, true
	}
	if f.Length.Set && n != f.Length.N || f.MinLength.Set && n < f.MinLength.N || f.MaxLength.Set && n > f.MaxLength.N {
		return nil, false
	}
	return s, true
}

// number picks 1, or a value inside the type's range.
func (x *exampler) number(t *xsd.Type) (any, bool) {
	s := &Schema{}
	x.g.bounds(s, t.Builtin, &t.Facets)
	rat := func(n json.Number) *big.Rat {
		if n == "" {
			return nil
		}
		r, _ := new(big.Rat).SetString(string(n))
		return r
	}
	v := big.NewRat(1, 1)
	one := big.NewRat(1, 1)
	integer := t.Builtin.IsInteger() || t.Facets.FractionDigits.Set && t.Facets.FractionDigits.N == 0
	if lo := rat(s.Minimum); lo != nil && v.Cmp(lo) < 0 {
		v.Set(lo)
	}
	if lo := rat(s.ExclusiveMinimum); lo != nil && v.Cmp(lo) <= 0 {
		v.Add(lo, one)
	}
	if hi := rat(s.Maximum); hi != nil && v.Cmp(hi) > 0 {
		v.Set(hi)
	}
	if hi := rat(s.ExclusiveMaximum); hi != nil && v.Cmp(hi) >= 0 {
		v.Sub(hi, one)
	}
	if integer && !v.IsInt() {
		return nil, false
	}
	if v.IsInt() {
		return json.Number(v.Num().String()), true
	}
	return json.Number(ratString(v)), true
}

func matches(re, s string) bool {
	m, err := regexpMatch(re, s)
	return err == nil && m
}
