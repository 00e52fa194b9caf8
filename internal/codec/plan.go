package codec

import (
	"strconv"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Reserved JSON member names. None can clash with an XML name, which never
// starts with "$".
const (
	memberValue   = "$value"   // the text of a simple-content or mixed element
	memberType    = "$type"    // the xsi:type of a polymorphic value
	memberAny     = "$any"     // wildcard elements, as XML strings
	memberHeaders = "$headers" // SOAP headers of a request or response
)

type memberKind uint8

const (
	mElem memberKind = iota
	mAttr
)

// member is one JSON member of a complex type's object.
type member struct {
	name     string
	kind     memberKind
	elem     xsd.ElemID // mElem
	attr     int        // mAttr: index into Type.Attrs
	repeated bool       // a JSON array
	// scattered: a repeated member whose elements may be separated by
	// others (in a repeated group of several elements, a substitution
	// group, or a name used twice); the decoder gathers its array
	// before writing it.
	scattered bool
	key       []byte // the member name as a JSON string and a colon

	// Decoding: what an element member is read as.
	xname    xsd.QName  // mElem: the element name that selects the member; mAttr: the attribute's name
	typ      xsd.TypeID // mElem: the element's declared type
	nillable bool       // mElem
	simple   bool       // mElem: the declared type is simple
}

// plan maps the JSON members of one complex type to its XML content.
type plan struct {
	members []member
	byName  map[string]int
	byElem  map[xsd.QName]int // decode: element name -> member
	byAttr  map[xsd.QName]int // decode: attribute name -> member
	elemMem map[xsd.ElemID]int
	text    bool // has "$value"
	any     bool // has "$any"
	// anyScattered: wildcard content may be separated by elements (a
	// wildcard in a repeated group of several particles, or two
	// wildcards).
	anyScattered bool
	scattered    bool // some member (or "$any") is scattered
}

// buildPlan names the members of type t: elements by local name, in the
// order of the content model; an element name used again in another
// namespace gets "_2", "_3"; an attribute whose name an element already
// has gets "@" in front; substitution group members are members of their
// own.
func buildPlan(s *xsd.Schema, t *xsd.Type) *plan {
	p := &plan{byName: map[string]int{}, byElem: map[xsd.QName]int{}, byAttr: map[xsd.QName]int{}, elemMem: map[xsd.ElemID]int{}}
	if t.Particle != nil {
		p.particle(s, t.Particle, false, false)
	}
	for i, a := range t.Attrs {
		name := a.Name.Local
		if _, clash := p.byName[name]; clash {
			name = "@" + name
		}
		name = p.unique(name)
		p.byName[name] = len(p.members)
		p.byAttr[a.Name] = len(p.members)
		p.members = append(p.members, member{name: name, kind: mAttr, attr: i})
	}
	p.text = t.Content == xsd.ContentSimple || t.Content == xsd.ContentMixed
	for i := range p.members {
		m := &p.members[i]
		m.key = append(appendString(nil, m.name), ':')
		switch m.kind {
		case mElem:
			e := s.Element(m.elem)
			m.xname, m.typ, m.nillable = e.Name, e.Type, e.Nillable
			m.simple = s.Type(e.Type).Simple
		case mAttr:
			m.xname = t.Attrs[m.attr].Name
		}
	}
	return p
}

// elemMember returns the member an element of name n selects, looking
// first at member hint and the one after it (elements mostly come in the
// order of the content model, so this spares a map lookup), then by name,
// then by local name alone (servers often get qualification wrong).
func (p *plan) elemMember(n xsd.QName, hint int) (int, bool) {
	for i := max(hint, 0); i < len(p.members) && i <= hint+1; i++ {
		if m := &p.members[i]; m.kind == mElem && m.xname.Local == n.Local && m.xname.Space == n.Space {
			return i, true
		}
	}
	if i, ok := p.byElem[n]; ok {
		return i, true
	}
	for i := range p.members {
		if m := &p.members[i]; m.kind == mElem && m.xname.Local == n.Local {
			return i, true
		}
	}
	return 0, false
}

// attrMember returns the member of the attribute named n, or of an
// unqualified attribute of its local name.
func (p *plan) attrMember(n xsd.QName) (int, bool) {
	if len(p.byAttr) > 8 {
		i, ok := p.byAttr[n]
		if !ok {
			i, ok = p.byAttr[xsd.QName{Local: n.Local}]
		}
		return i, ok
	}
	for i := range p.members {
		if m := &p.members[i]; m.kind == mAttr && m.xname == n {
			return i, true
		}
	}
	for i := range p.members {
		if m := &p.members[i]; m.kind == mAttr && m.xname.Space == "" && m.xname.Local == n.Local {
			return i, true
		}
	}
	return 0, false
}

func (p *plan) unique(name string) string {
	if _, clash := p.byName[name]; !clash {
		return name
	}
	for i := 2; ; i++ {
		n := name + "_" + strconv.Itoa(i)
		if _, clash := p.byName[n]; !clash {
			return n
		}
	}
}

// particle adds the members of pt. repeated says whether an enclosing
// group repeats (its elements are arrays), scattered whether one that
// repeats holds more than one particle (their elements may interleave).
func (p *plan) particle(s *xsd.Schema, pt *xsd.Particle, repeated, scattered bool) {
	if pt.Kind != xsd.PElement && pt.Repeated() && leaves(s, pt) > 1 {
		scattered = true
	}
	repeated = repeated || pt.Repeated()
	switch pt.Kind {
	case xsd.PAny:
		if p.any || scattered {
			p.anyScattered, p.scattered = true, true
		}
		p.any = true
	case xsd.PElement:
		subs := s.Element(pt.Element).Substitutes
		scattered = scattered || repeated && len(subs) > 0
		p.element(s, pt.Element, repeated, scattered)
		for _, sub := range subs {
			p.element(s, sub, repeated, scattered)
		}
	default:
		for i := range pt.Children {
			p.particle(s, &pt.Children[i], repeated, scattered)
		}
	}
}

// leaves counts the element and wildcard particles under pt, with
// substitutes, stopping at 2.
func leaves(s *xsd.Schema, pt *xsd.Particle) int {
	switch pt.Kind {
	case xsd.PAny:
		return 1
	case xsd.PElement:
		return 1 + len(s.Element(pt.Element).Substitutes)
	}
	n := 0
	for i := range pt.Children {
		if n += leaves(s, &pt.Children[i]); n > 1 {
			break
		}
	}
	return n
}

func (p *plan) element(s *xsd.Schema, id xsd.ElemID, repeated, scattered bool) {
	e := s.Element(id)
	if i, ok := p.byElem[e.Name]; ok {
		// The same name again in one content model: one member, a list,
		// whose elements may be apart.
		p.members[i].repeated, p.members[i].scattered = true, true
		p.elemMem[id] = i
		p.scattered = true
		return
	}
	p.scattered = p.scattered || scattered
	name := p.unique(e.Name.Local)
	i := len(p.members)
	p.byName[name] = i
	p.byElem[e.Name] = i
	p.elemMem[id] = i
	p.members = append(p.members, member{name: name, kind: mElem, elem: id, repeated: repeated, scattered: scattered})
}
