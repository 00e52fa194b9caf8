package openapi

import (
	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// maxChoiceMembers bounds the members of a choice written as oneOf: the
// constraint grows with the square of the members.
const maxChoiceMembers = 48

// memberInfo is what the content model says of one member.
type memberInfo struct {
	required bool
	min, max int // array bounds; max -1 is unbounded
	hits     int // particles that map to the member
}

// walker reads a content model for the requiredness, array bounds and
// choices of a type's members.
type walker struct {
	g           *schemas
	id          xsd.TypeID
	d           dir
	members     []codec.Member
	info        []memberInfo
	anyRequired bool
	choices     []*Schema
}

func (w *walker) particle(pt *xsd.Particle, must bool, min, max int, inRepeat bool) {
	switch pt.Kind {
	case xsd.PAny:
		if must && pt.Min > 0 {
			w.anyRequired = true
		}
	case xsd.PElement:
		ids := append([]xsd.ElemID{pt.Element}, w.g.s.Element(pt.Element).Substitutes...)
		for _, id := range ids {
			i := w.g.c.MemberOf(w.id, id)
			if i < 0 {
				continue
			}
			in := &w.info[i]
			in.hits++
			if len(ids) == 1 && must && pt.Min > 0 {
				in.required = true
				in.min = minOccurs(xsd.MulOccurs(pt.Min, min))
			}
			in.max = xsd.MulOccurs(pt.Max, max)
		}
	case xsd.PSequence, xsd.PAll:
		for i := range pt.Children {
			w.particle(&pt.Children[i], must && pt.Min > 0, minOccurs(xsd.MulOccurs(min, pt.Min)), xsd.MulOccurs(max, pt.Max), inRepeat || pt.Repeated())
		}
	case xsd.PChoice:
		repeated := inRepeat || pt.Repeated()
		if !repeated && w.d != faultDetail {
			w.choice(pt, must && pt.Min > 0)
		}
		for i := range pt.Children {
			w.particle(&pt.Children[i], false, 0, xsd.MulOccurs(max, pt.Max), repeated)
		}
	}
}

// collect lists the member names a particle can produce, and those it
// requires when it is chosen.
func (w *walker) collect(pt *xsd.Particle, must bool, names, required *[]string) {
	switch pt.Kind {
	case xsd.PAny:
		*names = append(*names, memberAny)
		if must && pt.Min > 0 && w.d == request {
			*required = append(*required, memberAny)
		}
	case xsd.PElement:
		ids := append([]xsd.ElemID{pt.Element}, w.g.s.Element(pt.Element).Substitutes...)
		for _, id := range ids {
			i := w.g.c.MemberOf(w.id, id)
			if i < 0 {
				continue
			}
			m := w.members[i]
			if w.d.decoded() && m.Repeated {
				continue // always present in a response
			}
			*names = append(*names, m.Name)
			if len(ids) == 1 && must && pt.Min > 0 {
				*required = append(*required, m.Name)
			}
		}
	case xsd.PSequence, xsd.PAll:
		for i := range pt.Children {
			w.collect(&pt.Children[i], must && pt.Min > 0, names, required)
		}
	case xsd.PChoice:
		for i := range pt.Children {
			w.collect(&pt.Children[i], false, names, required)
		}
	}
}

func presence(names []string) []*Schema {
	out := make([]*Schema, len(names))
	for i, n := range names {
		out[i] = &Schema{Required: []string{n}}
	}
	return out
}

// choice writes a non-repeated choice as a oneOf over which members are
// present: the members of one branch and none of the others (and none
// at all when the choice may be empty). Choices whose branches cannot be
// told apart by their members are left unconstrained.
func (w *walker) choice(pt *xsd.Particle, must bool) {
	var sets, reqs [][]string
	owner := map[string]int{}
	var all []string
	for i := range pt.Children {
		var names, req []string
		w.collect(&pt.Children[i], pt.Children[i].Min > 0, &names, &req)
		if len(names) == 0 {
			if isEmptyParticle(&pt.Children[i]) {
				continue
			}
			return
		}
		for _, n := range names {
			if j, dup := owner[n]; dup && j != i {
				return
			}
			if _, dup := owner[n]; !dup {
				all = append(all, n)
			}
			owner[n] = i
		}
		sets = append(sets, names)
		reqs = append(reqs, req)
	}
	if len(sets) == 0 || len(all) > maxChoiceMembers {
		return
	}
	s := &Schema{}
	for i, names := range sets {
		b := &Schema{}
		if len(reqs[i]) > 0 {
			b.Required = reqs[i]
		} else if len(names) == 1 {
			b.Required = names
		} else {
			b.AnyOf = presence(names)
		}
		var others []string
		for _, n := range all {
			if owner[n] != owner[names[0]] {
				others = append(others, n)
			}
		}
		if len(others) > 0 {
			b.Not = &Schema{AnyOf: presence(others)}
		}
		s.OneOf = append(s.OneOf, b)
	}
	if !must || pt.Emptiable() {
		s.OneOf = append(s.OneOf, &Schema{Not: &Schema{AnyOf: presence(all)}})
	}
	if len(s.OneOf) < 2 {
		return
	}
	w.choices = append(w.choices, s)
}

func isEmptyParticle(p *xsd.Particle) bool {
	return (p.Kind == xsd.PSequence || p.Kind == xsd.PChoice || p.Kind == xsd.PAll) && len(p.Children) == 0
}

// extensionBase returns the base whose component the schema of an
// extension can build on (allOf), or NoType when its members must be
// listed in full: the base's members keep their names in the extension.
func (g *schemas) extensionBase(id xsd.TypeID, members []codec.Member, value, wild bool) (xsd.TypeID, map[string]bool) {
	t := g.s.Type(id)
	if t.Derivation != xsd.Extension || t.Base == xsd.NoType || isBuiltinID(t.Base) || t.Content == xsd.ContentSimple {
		return xsd.NoType, nil
	}
	b := g.s.Type(t.Base)
	if b.Simple || b.Content == xsd.ContentSimple || b.IsArray() || isAnyType(b) {
		return xsd.NoType, nil
	}
	bm, bv, bw := g.c.Members(t.Base)
	if bv && !value || bw && !wild {
		return xsd.NoType, nil
	}
	byName := map[string]codec.Member{}
	for _, m := range members {
		byName[m.Name] = m
	}
	names := map[string]bool{}
	for _, m := range bm {
		x, ok := byName[m.Name]
		if !ok || x.Attr != m.Attr || x.Repeated != m.Repeated {
			return xsd.NoType, nil
		}
		if !m.Attr && x.Element != m.Element {
			return xsd.NoType, nil
		}
		names[m.Name] = true
	}
	if bv {
		names[memberValue] = true
	}
	if bw {
		names[memberAny] = true
	}
	return t.Base, names
}

// complex is the schema of a complex type's value.
func (g *schemas) complex(id xsd.TypeID, d dir) *Schema {
	t := g.s.Type(id)
	if t.IsArray() {
		return &Schema{Type: "array", Items: g.value(t.ArrayItem, d, true), Description: t.Doc, XSDType: xsdTypeName(g.s, id)}
	}
	members, value, wild := g.c.Members(id)
	w := &walker{g: g, id: id, d: d, members: members, info: make([]memberInfo, len(members))}
	for i := range w.info {
		w.info[i].max = xsd.Unbounded
	}
	if t.Particle != nil {
		w.particle(t.Particle, true, 1, 1, false)
	}
	base, inBase := g.extensionBase(id, members, value, wild)
	obj := &Schema{Type: "object"}
	for i, m := range members {
		if inBase[m.Name] {
			continue
		}
		var ps *Schema
		required := false
		if m.Attr {
			a := &t.Attrs[m.Index]
			ps = describe(g.typeSchema(a.Type, d), a.Doc)
			if a.Constraint.Kind != xsd.NoConstraint {
				if dv, ok := g.jsonValue(a.Type, a.Constraint.Value); ok {
					ps.Default = dv
				}
			}
			required = a.Required && (d == response || d == request && a.Constraint.Kind != xsd.FixedValue)
		} else {
			ps = g.elementSchema(m.Element, d)
			in := w.info[i]
			required = in.required && d != faultDetail
			if m.Repeated {
				// The element's documentation describes the array.
				arr := &Schema{Type: "array", Items: ps}
				if e := g.s.Element(m.Element); e.Doc != "" {
					arr.Description = e.Doc
					if ps.Description == e.Doc {
						ps.Description = ""
					}
				}
				if in.hits == 1 {
					if in.min > 0 {
						arr.MinItems = intp(in.min)
					}
					if in.max != xsd.Unbounded {
						arr.MaxItems = intp(in.max)
					}
				}
				ps = arr
				if d.decoded() {
					required = true // a response always has its arrays
				}
			}
		}
		obj.Properties = append(obj.Properties, Property{m.Name, ps})
		if required {
			obj.Required = append(obj.Required, m.Name)
		}
	}
	if value && !inBase[memberValue] {
		if t.Content == xsd.ContentSimple {
			vs := g.typeSchema(t.Value, d)
			vs = describe(vs, "The element's text.")
			obj.Properties = append(obj.Properties, Property{memberValue, vs})
			obj.Required = append(obj.Required, memberValue)
		} else {
			obj.Properties = append(obj.Properties, Property{memberValue, &Schema{Type: "string", Description: "The text of mixed content, concatenated."}})
		}
	}
	if wild && !inBase[memberAny] {
		obj.Properties = append(obj.Properties, Property{memberAny, &Schema{Type: "array", Items: &Schema{Type: "string"},
			Description: "Wildcard (xsd:any) content: each item one XML element, with the namespaces it uses declared."}})
		if d == request && w.anyRequired {
			obj.Required = append(obj.Required, memberAny)
		}
	}
	switch len(w.choices) {
	case 0:
	case 1:
		obj.OneOf = w.choices[0].OneOf
	default:
		obj.AllOf = w.choices
	}
	if base == xsd.NoType {
		obj.Description, obj.XSDType = t.Doc, xsdTypeName(g.s, id)
		return obj
	}
	return &Schema{Description: t.Doc, XSDType: xsdTypeName(g.s, id), AllOf: []*Schema{g.typeSchema(base, d), obj}}
}

// minOccurs is a product of minOccurs bounds, which MulOccurs makes
// Unbounded past 1<<40: as a lower bound, that large.
func minOccurs(n int) int {
	if n == xsd.Unbounded {
		return 1 << 40
	}
	return n
}
