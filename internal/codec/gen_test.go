package codec

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// generator makes JSON values that fit a schema, following
// docs/mapping.md, for property tests. It gives up (ok=false) on what it
// cannot generate faithfully: patterns, wildcards, untyped content.
type generator struct {
	c     *Codec
	rng   *rand.Rand
	depth int
}

const maxGenDepth = 6

func (g *generator) input(op *wsdl.Operation) (map[string]any, bool) {
	m := op.Input
	obj := map[string]any{}
	switch {
	case m.Wrapped:
		e := g.c.s.Element(m.Parts[0].Element)
		v, ok := g.complexMembers(e.Type)
		return v, ok
	default:
		for _, p := range m.Parts {
			var v any
			ok := true
			if p.Element != xsd.NoElem {
				e := g.c.s.Element(p.Element)
				v, ok = g.value(e.Type, false)
			} else {
				v, ok = g.value(p.Type, false)
			}
			if !ok {
				return nil, false
			}
			obj[p.Name] = v
		}
	}
	return obj, true
}

func (g *generator) value(id xsd.TypeID, nillable bool) (any, bool) {
	t := g.c.s.Type(id)
	if nillable && g.rng.Intn(8) == 0 {
		return nil, true
	}
	if t.Simple {
		return g.simple(id)
	}
	if t.Name == (xsd.QName{Space: xsd.NSXSD, Local: "anyType"}) || t.Abstract || len(t.Derived) > 0 || t.Content == xsd.ContentMixed {
		return nil, false
	}
	if t.IsArray() {
		var items []any
		for i := 0; i < g.rng.Intn(3); i++ {
			v, ok := g.value(t.ArrayItem, false)
			if !ok || v == nil {
				return nil, false
			}
			items = append(items, v)
		}
		if items == nil {
			items = []any{}
		}
		return items, true
	}
	obj, ok := g.complexMembers(id)
	return obj, ok
}

func (g *generator) complexMembers(id xsd.TypeID) (map[string]any, bool) {
	g.depth++
	defer func() { g.depth-- }()
	if g.depth > maxGenDepth {
		return nil, false
	}
	t := g.c.s.Type(id)
	p := g.c.plan(id)
	obj := map[string]any{}
	for _, m := range p.members {
		if m.kind != mAttr {
			continue
		}
		a := &t.Attrs[m.attr]
		if a.Constraint.Kind == xsd.FixedValue {
			continue
		}
		if a.Required || g.rng.Intn(2) == 0 {
			v, ok := g.simple(a.Type)
			if !ok {
				return nil, false
			}
			obj[m.name] = v
		}
	}
	switch t.Content {
	case xsd.ContentSimple:
		v, ok := g.simple(t.Value)
		if !ok {
			return nil, false
		}
		obj[memberValue] = v
	case xsd.ContentElements:
		if !g.particle(t.Particle, p, obj, true) {
			return nil, false
		}
	}
	return obj, true
}

func (g *generator) particle(pt *xsd.Particle, p *plan, obj map[string]any, must bool) bool {
	if pt.Repeated() && pt.Kind == xsd.PSequence && g.plainSequence(pt, p, obj) {
		return g.repeatedSequence(pt, p, obj, must)
	}
	if pt.Repeated() && pt.Kind != xsd.PElement {
		return false // repeated groups lose interleaving order by design
	}
	present := must && pt.Min > 0 || g.rng.Intn(2) == 0
	switch pt.Kind {
	case xsd.PAny:
		return !present
	case xsd.PElement:
		e := g.c.s.Element(pt.Element)
		if e.Abstract || len(e.Substitutes) > 0 || e.Constraint.Kind == xsd.FixedValue {
			return !present && pt.Min == 0
		}
		m := p.members[p.elemMem[pt.Element]]
		if _, dup := obj[m.name]; dup {
			return false
		}
		if m.repeated {
			n := 0
			if present {
				n = pt.Min + g.rng.Intn(3)
				if pt.Max != xsd.Unbounded && n > pt.Max {
					n = pt.Max
				}
			}
			items := []any{}
			for i := 0; i < n; i++ {
				v, ok := g.value(e.Type, e.Nillable)
				if !ok {
					return false
				}
				items = append(items, v)
			}
			obj[m.name] = items
			return true
		}
		if !present {
			return true
		}
		v, ok := g.value(e.Type, e.Nillable)
		if !ok {
			return false
		}
		obj[m.name] = v
	case xsd.PSequence, xsd.PAll:
		for i := range pt.Children {
			if !g.particle(&pt.Children[i], p, obj, present) {
				return false
			}
		}
	case xsd.PChoice:
		if !present || len(pt.Children) == 0 {
			return pt.Min == 0 || !must
		}
		return g.particle(&pt.Children[g.rng.Intn(len(pt.Children))], p, obj, true)
	}
	return true
}

// plainSequence reports whether pt holds only elements the generator can
// give values that the encoder shares out among the repetitions.
func (g *generator) plainSequence(pt *xsd.Particle, p *plan, obj map[string]any) bool {
	names := map[string]bool{}
	for i := range pt.Children {
		c := &pt.Children[i]
		if c.Kind != xsd.PElement {
			return false
		}
		e := g.c.s.Element(c.Element)
		name := p.members[p.elemMem[c.Element]].name
		if _, dup := obj[name]; dup || names[name] || e.Abstract || len(e.Substitutes) > 0 || e.Constraint.Kind == xsd.FixedValue {
			return false
		}
		names[name] = true
	}
	return len(pt.Children) > 0
}

// repeatedSequence gives the elements of a repeated sequence arrays of
// the same number of items per repetition, which the encoder writes
// repetition by repetition and the decoder gathers back.
func (g *generator) repeatedSequence(pt *xsd.Particle, p *plan, obj map[string]any, must bool) bool {
	rounds := 0
	if must && pt.Min > 0 || g.rng.Intn(2) == 0 {
		rounds = max(pt.Min, 1) + g.rng.Intn(3)
		if pt.Max != xsd.Unbounded {
			rounds = min(rounds, pt.Max)
		}
	}
	for i := range pt.Children {
		c := &pt.Children[i]
		e := g.c.s.Element(c.Element)
		per := c.Min + g.rng.Intn(2)
		if c.Max != xsd.Unbounded {
			per = min(per, c.Max)
		}
		items := []any{}
		for range rounds * per {
			v, ok := g.value(e.Type, e.Nillable)
			if !ok {
				return false
			}
			items = append(items, v)
		}
		obj[p.members[p.elemMem[c.Element]].name] = items
	}
	return true
}

func (g *generator) simple(id xsd.TypeID) (any, bool) {
	t := g.c.s.Type(id)
	f := &t.Facets
	if len(f.Patterns) > 0 || t.Variety == xsd.Union {
		return nil, false
	}
	if len(f.Enumeration) > 0 {
		v := f.Enumeration[g.rng.Intn(len(f.Enumeration))]
		if strings.TrimSpace(v) != v || kindOf(t.Builtin) != jString {
			return nil, false
		}
		return v, true
	}
	if t.Variety == xsd.List {
		var items []any
		for i := 0; i < 1+g.rng.Intn(3); i++ {
			v, ok := g.simple(t.Item)
			if !ok {
				return nil, false
			}
			if s, isStr := v.(string); isStr && (s == "" || strings.ContainsAny(s, " \t\n")) {
				return nil, false
			}
			items = append(items, v)
		}
		return items, true
	}
	var v any
	switch b := t.Builtin; {
	case b == xsd.Boolean:
		v = g.rng.Intn(2) == 0
	case b.IsInteger():
		n := g.rng.Intn(100)
		switch b {
		case xsd.NegativeInteger:
			n = -n - 1
		case xsd.NonPositiveInteger:
			n = -n
		case xsd.PositiveInteger:
			n++
		}
		v = json.Number(fmt.Sprint(n))
	case b == xsd.Decimal:
		v = json.Number(fmt.Sprintf("%d.%02d", g.rng.Intn(1000), 1+g.rng.Intn(99)))
	case b == xsd.Float || b == xsd.Double:
		v = json.Number(fmt.Sprintf("%d.5", g.rng.Intn(1000)))
	case b == xsd.DateTime:
		v = "2024-02-29T13:45:00Z"
	case b == xsd.Date:
		v = "2024-02-29"
	case b == xsd.Time:
		v = "13:45:00"
	case b == xsd.Base64Binary:
		v = "c29hcGJyaWRnZQ=="
	case b == xsd.HexBinary:
		v = "0AFF"
	case b == xsd.Duration:
		v = "P1DT2H"
	case b == xsd.GYear:
		v = "2024"
	case b == xsd.AnyURI:
		v = "urn:example:x"
	case b == xsd.QNameType, b == xsd.Notation, b == xsd.GMonth, b == xsd.GDay, b == xsd.GMonthDay, b == xsd.GYearMonth, b == xsd.AnySimpleType:
		return nil, false
	case b == xsd.String:
		v = []string{"plain", "with <markup> & ampersands", "ünïcödé ✓", "", "  spaced  "}[g.rng.Intn(5)]
	default:
		v = []string{"token", "x1", "abc-def"}[g.rng.Intn(3)]
	}
	if s, ok := v.(string); ok {
		n := len([]rune(s))
		if f.Length.Set && n != f.Length.N || f.MinLength.Set && n < f.MinLength.N || f.MaxLength.Set && n > f.MaxLength.N {
			return nil, false
		}
	}
	if f.MinInclusive != "" || f.MaxInclusive != "" || f.MinExclusive != "" || f.MaxExclusive != "" || f.TotalDigits.Set || f.FractionDigits.Set {
		if ok, _ := g.c.check(id).check(fmt.Sprint(v)); !ok {
			return nil, false
		}
	}
	return v, true
}
