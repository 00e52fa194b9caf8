package codec

import "github.com/soapbridge/soapbridge/internal/xsd"

// Member is one JSON member of the object of a complex type, as the codec
// names it (docs/mapping.md, section 8). It is what generators of other
// descriptions of the JSON (the OpenAPI documents) need to stay in step
// with the codec.
type Member struct {
	// Name is the JSON member name: an element's or attribute's local
	// name, "_2"... for a local name used again, "@" in front of an
	// attribute that shares an element's name.
	Name string
	// Attr is set for an attribute: Index is then its index in
	// xsd.Type.Attrs. For an element, Element is its declaration.
	Attr    bool
	Index   int
	Element xsd.ElemID
	// Repeated is set when the member is always a JSON array.
	Repeated bool
}

// Members lists the JSON members of complex type t, elements in content
// model order (substitution group members after their head) and then
// attributes. value reports whether the object has "$value" (simple or
// mixed content) and wildcard whether it has "$any". The members are the
// ones the codec itself encodes and decodes.
func (c *Codec) Members(t xsd.TypeID) (members []Member, value, wildcard bool) {
	p := c.plan(t)
	out := make([]Member, len(p.members))
	for i, m := range p.members {
		out[i] = Member{Name: m.name, Attr: m.kind == mAttr, Index: m.attr, Element: m.elem, Repeated: m.repeated}
		if m.kind == mAttr {
			out[i].Element = xsd.NoElem
		}
	}
	return out, p.text, p.any
}

// MemberOf returns the index in Members(t) of the member that holds
// element id of t's content model, or -1.
func (c *Codec) MemberOf(t xsd.TypeID, id xsd.ElemID) int {
	if i, ok := c.plan(t).elemMem[id]; ok {
		return i
	}
	return -1
}
