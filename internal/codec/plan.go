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
	key      []byte     // the member name as a JSON string and a colon
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
}

// buildPlan names the members of type t: elements by local name, in the
// order of the content model; an element name used again in another
// namespace gets "_2", "_3"; an attribute whose name an element already
// has gets "@" in front; substitution group members are members of their
// own.
func buildPlan(s *xsd.Schema, t *xsd.Type) *plan {
	p := &plan{byName: map[string]int{}, byElem: map[xsd.QName]int{}, byAttr: map[xsd.QName]int{}, elemMem: map[xsd.ElemID]int{}}
	if t.Particle != nil {
		p.particle(s, t.Particle, false)
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
		p.members[i].key = append(appendString(nil, p.members[i].name), ':')
	}
	return p
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

func (p *plan) particle(s *xsd.Schema, pt *xsd.Particle, repeated bool) {
	repeated = repeated || pt.Repeated()
	switch pt.Kind {
	case xsd.PAny:
		p.any = true
	case xsd.PElement:
		p.element(s, pt.Element, repeated)
		for _, sub := range s.Element(pt.Element).Substitutes {
			p.element(s, sub, repeated)
		}
	default:
		for i := range pt.Children {
			p.particle(s, &pt.Children[i], repeated)
		}
	}
}

func (p *plan) element(s *xsd.Schema, id xsd.ElemID, repeated bool) {
	e := s.Element(id)
	if i, ok := p.byElem[e.Name]; ok {
		// The same name again in one content model: one member, a list.
		p.members[i].repeated = true
		p.elemMem[id] = i
		return
	}
	name := p.unique(e.Name.Local)
	i := len(p.members)
	p.byName[name] = i
	p.byElem[e.Name] = i
	p.elemMem[id] = i
	p.members = append(p.members, member{name: name, kind: mElem, elem: id, repeated: repeated})
}
