package xsd

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// occurs reads minOccurs and maxOccurs.
func (c *Compiler) occurs(el *xmltree.Element) (min, max int) {
	min, max = 1, 1
	if v, ok := el.Attr("minOccurs"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			c.errorf(el, "minOccurs %q is not a non-negative integer", v)
		}
		min = n
	}
	if v, ok := el.Attr("maxOccurs"); ok {
		v = strings.TrimSpace(v)
		if v == "unbounded" {
			max = Unbounded
		} else if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			max = n
		} else {
			c.errorf(el, "maxOccurs %q is neither a non-negative integer nor unbounded", v)
		}
	}
	if min > MaxOccurs {
		c.warn(el, fmt.Sprintf("minOccurs %d is more than %d; using %d", min, MaxOccurs, MaxOccurs))
		min = MaxOccurs
	}
	if max != Unbounded && max > MaxOccurs {
		c.warn(el, fmt.Sprintf("maxOccurs %d is more than %d; using unbounded", max, MaxOccurs))
		max = Unbounded
	}
	if max != Unbounded && max < min {
		c.warn(el, fmt.Sprintf("maxOccurs %d is less than minOccurs %d; using %d", max, min, min))
		max = min
	}
	return min, max
}

// MaxOccurs is the largest occurrence bound the model keeps: a larger
// maxOccurs is unbounded, a larger minOccurs is MaxOccurs. No message
// holds a million of one element, and bounds this size can be multiplied
// through nested groups without overflow (MulOccurs).
const MaxOccurs = 1 << 20

// MulOccurs multiplies two occurrence bounds, as nested particles
// multiply: Unbounded when either is, or when the product passes
// 1<<40 (more than any message holds).
func MulOccurs(a, b int) int {
	if a == Unbounded || b == Unbounded {
		return Unbounded
	}
	if a != 0 && b > (1<<40)/a {
		return Unbounded
	}
	return a * b
}

// particle compiles a model group, group reference, element or wildcard.
// It reports false for elements that are not particles. The particle is
// returned by value: model groups copy it into their children anyway.
func (c *Compiler) particle(el *xmltree.Element, sd *schemaDoc) (Particle, bool) {
	if !isXSD(el.Name.Space) {
		return Particle{}, false
	}
	min, max := c.occurs(el)
	p := Particle{Min: min, Max: max, Element: NoElem}
	switch el.Name.Local {
	case "element":
		p.Kind = PElement
		p.Element = c.localElement(el, sd)
	case "sequence", "choice", "all":
		switch el.Name.Local {
		case "sequence":
			p.Kind = PSequence
		case "choice":
			p.Kind = PChoice
		default:
			p.Kind = PAll
		}
		for _, ch := range el.Children {
			if q, ok := c.particle(ch, sd); ok {
				if p.Children == nil {
					p.Children = make([]Particle, 0, len(el.Children))
				}
				p.Children = append(p.Children, q)
			}
		}
	case "any":
		p.Kind = PAny
		p.Any = wildcard(el, sd)
	case "group":
		ref, ok := el.Attr("ref")
		if !ok {
			c.errorf(el, "group reference without ref")
			return Particle{}, false
		}
		g := c.lookup(c.groups, el, sd, ref, "group")
		if g == nil {
			return Particle{}, false
		}
		if g.orig != nil && c.inGroup[defKey{g.el, g.sd}] {
			// A redefinition's reference to its own name, nested in its
			// model group, is the original.
			g = g.orig
		}
		gp := c.group(g)
		if gp == nil {
			return Particle{}, false
		}
		q := *gp
		q.Min, q.Max = min, max
		return q, true
	default:
		return Particle{}, false
	}
	return p, true
}

// group compiles a named model group once; every reference shares its
// element declarations.
func (c *Compiler) group(g *comp) *Particle {
	if p, ok := c.groupP[defKey{g.el, g.sd}]; ok {
		return p
	}
	if c.inGroup[defKey{g.el, g.sd}] {
		c.errorf(g.el, "group %q refers to itself", g.name.Local)
		return nil
	}
	c.inGroup[defKey{g.el, g.sd}] = true
	defer delete(c.inGroup, defKey{g.el, g.sd})
	var p *Particle
	for _, ch := range g.el.Children {
		if ch.Name.Local == "group" && isXSD(ch.Name.Space) && g.orig != nil {
			// A redefinition's reference to its own name is the original.
			if q, _ := c.qname(ch, g.sd, ch.AttrValue("ref")); q == g.name {
				orig := c.group(g.orig)
				if orig != nil {
					cp := *orig
					cp.Min, cp.Max = c.occurs(ch)
					p = &cp
				}
				continue
			}
		}
		if q, ok := c.particle(ch, g.sd); ok {
			p = &q
		}
	}
	if p == nil {
		p = &Particle{Kind: PSequence, Min: 1, Max: 1, Element: NoElem}
	}
	c.groupP[defKey{g.el, g.sd}] = p
	return p
}

func wildcard(el *xmltree.Element, sd *schemaDoc) *Wildcard {
	ns := strings.TrimSpace(el.AttrValue("namespace"))
	if ns == "" {
		ns = "##any"
	}
	if ns != "##any" && ns != "##other" {
		var parts []string
		for _, f := range strings.Fields(ns) {
			switch f {
			case "##targetNamespace":
				f = sd.tns
			case "##local":
				f = ""
			}
			parts = append(parts, f)
		}
		ns = strings.Join(parts, " ")
	}
	pc := strings.TrimSpace(el.AttrValue("processContents"))
	if pc == "" {
		pc = "strict"
	}
	return &Wildcard{Namespace: ns, Process: pc}
}

// localElement compiles an element particle: a reference to a global
// element or a local declaration.
func (c *Compiler) localElement(el *xmltree.Element, sd *schemaDoc) ElemID {
	if ref, ok := el.Attr("ref"); ok {
		g := c.lookup(c.elems, el, sd, ref, "element")
		if g == nil {
			return c.placeholderElement(el, sd, ref)
		}
		return c.globalElement(g)
	}
	if id, ok := c.elemIDs[defKey{el, sd}]; ok {
		return id
	}
	name := strings.TrimSpace(el.AttrValue("name"))
	if name == "" {
		c.errorf(el, "element without name or ref")
	}
	q := QName{Local: name}
	switch el.AttrValue("form") {
	case "qualified":
		q.Space = sd.tns
	case "unqualified":
	default:
		if sd.qualifiedElems {
			q.Space = sd.tns
		}
	}
	id := c.declareElement(el, sd, q, false)
	c.elemIDs[defKey{el, sd}] = id
	return id
}

// placeholderElement stands for an unresolved reference after the error is
// recorded, so compilation can go on to report it.
func (c *Compiler) placeholderElement(el *xmltree.Element, sd *schemaDoc, ref string) ElemID {
	id := ElemID(len(c.out.Elements))
	q, _ := c.qname(el, sd, ref)
	c.out.Elements = appendDoubling(c.out.Elements, Element{Name: q, Type: TypeID(AnyType), SubstitutionGroup: NoElem, Source: el.Position()})
	return id
}

// globalElement compiles a global element declaration once.
func (c *Compiler) globalElement(g *comp) ElemID {
	if id, ok := c.elemIDs[defKey{g.el, g.sd}]; ok {
		return id
	}
	id := c.declareElement(g.el, g.sd, g.name, true)
	return id
}

// declareElement appends an element declaration. For a global one the ID
// is recorded before its type is resolved, so a substitution group that
// names its own member ends.
func (c *Compiler) declareElement(el *xmltree.Element, sd *schemaDoc, q QName, global bool) ElemID {
	id := ElemID(len(c.out.Elements))
	src := el.Position()
	c.out.Elements = appendDoubling(c.out.Elements, Element{Name: q, Global: global, Type: TypeID(AnyType), SubstitutionGroup: NoElem, Source: src})
	if global {
		c.elemIDs[defKey{el, sd}] = id
	}
	e := Element{Name: q, Global: global, SubstitutionGroup: NoElem, Source: src, Doc: doc(el)}
	e.Nillable = boolAttr(el, "nillable")
	e.Abstract = boolAttr(el, "abstract")
	e.Constraint = constraint(el)
	if global {
		if v, ok := el.Attr("substitutionGroup"); ok {
			// XSD 1.1 allows a list; the first head is the one kept.
			if f := strings.Fields(v); len(f) > 0 {
				if h := c.lookup(c.elems, el, sd, f[0], "substitution group head"); h != nil {
					e.SubstitutionGroup = c.globalElement(h)
				}
			}
		}
	}
	switch {
	case el.AttrValue("type") != "":
		e.Type = c.typeRef(el, sd, el.AttrValue("type"), nil)
	case child(el, "complexType") != nil:
		e.Type = c.anonType(child(el, "complexType"), sd)
	case child(el, "simpleType") != nil:
		e.Type = c.anonType(child(el, "simpleType"), sd)
	case e.SubstitutionGroup != NoElem:
		e.Type = c.out.Elements[e.SubstitutionGroup].Type
	default:
		e.Type = TypeID(AnyType)
	}
	c.out.Elements[id] = e
	return id
}

// attrSet accumulates a type's attribute uses.
type attrSet struct {
	uses       []AttrUse
	prohibited []QName
	any        *Wildcard
	// index finds a use by name once there are many: adding the
	// thousand uses of a big attributeGroup compared each with all
	// the others, at every reference to the group.
	index map[QName]int
}

// attrScan is the number of uses up to which add compares names one by one.
const attrScan = 16

func (s *attrSet) add(a AttrUse) {
	if s.index == nil && len(s.uses) >= attrScan {
		s.index = make(map[QName]int, 2*len(s.uses))
		for i, u := range s.uses {
			s.index[u.Name] = i
		}
	}
	if s.index != nil {
		if i, ok := s.index[a.Name]; ok {
			s.uses[i] = a
			return
		}
		s.index[a.Name] = len(s.uses)
		s.uses = append(s.uses, a)
		return
	}
	for i := range s.uses {
		if s.uses[i].Name == a.Name {
			s.uses[i] = a
			return
		}
	}
	s.uses = append(s.uses, a)
}

// MaxAttrUses bounds the effective attribute uses of all a schema's types
// together: each type holds its inherited and referenced ones, so a few
// kilobytes of attributeGroup referenced by thousands of types (or a long
// extension chain adding one each) would otherwise make gigabytes. Real
// schemas have a few thousand.
const MaxAttrUses = 1 << 18

// countAttrs counts a type's effective attribute uses against
// MaxAttrUses, before they are made: over the bound, it fails the
// compile and returns false.
func (c *Compiler) countAttrs(el *xmltree.Element, n int) bool {
	if c.attrUses+n > MaxAttrUses {
		c.errorf(el, "the types have more than %d attribute uses in all, inherited and referenced ones counted in each type", MaxAttrUses)
		return false
	}
	c.attrUses += n
	return true
}

// extendAttrs is the effective attribute uses of an extension: the base's,
// then its own.
func (c *Compiler) extendAttrs(el *xmltree.Element, base, own []AttrUse) []AttrUse {
	if !c.countAttrs(el, len(base)+len(own)) || len(base)+len(own) == 0 {
		return nil
	}
	return append(append(make([]AttrUse, 0, len(base)+len(own)), base...), own...)
}

// attribute compiles an attribute, attributeGroup reference or anyAttribute
// into s.
func (c *Compiler) attribute(el *xmltree.Element, sd *schemaDoc, s *attrSet) {
	switch el.Name.Local {
	case "anyAttribute":
		s.any = wildcard(el, sd)
	case "attributeGroup":
		ref, ok := el.Attr("ref")
		if !ok {
			return
		}
		g := c.lookup(c.attrGroups, el, sd, ref, "attributeGroup")
		if g == nil {
			return
		}
		if g.orig != nil && c.inGroup[defKey{g.el, g.sd}] {
			g = g.orig // a redefinition's reference to itself
		}
		gs := c.attrGroup(g)
		for _, a := range gs.uses {
			s.add(a)
		}
		if gs.any != nil {
			s.any = gs.any
		}
	case "attribute":
		a, prohibited := c.attrUse(el, sd)
		if prohibited {
			s.prohibited = append(s.prohibited, a.Name)
			return
		}
		if a.Name.Local != "" {
			s.add(a)
		}
	}
}

func (c *Compiler) attrGroup(g *comp) *attrSet {
	if s, ok := c.agroups[defKey{g.el, g.sd}]; ok {
		return s
	}
	if c.inGroup[defKey{g.el, g.sd}] {
		c.errorf(g.el, "attributeGroup %q refers to itself", g.name.Local)
		return &attrSet{}
	}
	c.inGroup[defKey{g.el, g.sd}] = true
	defer delete(c.inGroup, defKey{g.el, g.sd})
	s := &attrSet{}
	for _, ch := range g.el.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		if ch.Name.Local == "attributeGroup" && g.orig != nil {
			if q, _ := c.qname(ch, g.sd, ch.AttrValue("ref")); q == g.name {
				for _, a := range c.attrGroup(g.orig).uses {
					s.add(a)
				}
				continue
			}
		}
		c.attribute(ch, g.sd, s)
	}
	c.agroups[defKey{g.el, g.sd}] = s
	return s
}

// attrUse compiles one xsd:attribute (a reference or a local declaration).
func (c *Compiler) attrUse(el *xmltree.Element, sd *schemaDoc) (a AttrUse, prohibited bool) {
	use := strings.TrimSpace(el.AttrValue("use"))
	if ref, ok := el.Attr("ref"); ok {
		q, declared := c.qname(el, sd, ref)
		if !declared && q.Local != "" {
			if c.Strict {
				c.dangling(el, "attribute %q: prefix not declared", ref)
				return AttrUse{}, false
			}
			c.warn(el, fmt.Sprintf("attribute %q has an undeclared prefix", ref))
		}
		if i, ok := c.builtinAttr(q); ok {
			a = c.out.Attributes[i]
		} else if g := c.attrs[q]; g != nil {
			a = c.globalAttribute(g)
		} else if g := c.lookup(c.attrs, el, sd, ref, "attribute"); g != nil {
			a = c.globalAttribute(g)
		} else {
			return AttrUse{}, false
		}
		// wsdl:arrayType on a use of soapenc:arrayType names the item type.
		if v, ok := el.AttrNS(NSWSDL, "arrayType"); ok {
			item, dims := parseArrayType(strings.TrimSpace(v))
			iq, _ := c.qname(el, sd, item)
			a.ArrayType = iq.String() + strings.Repeat("[]", dims)
		}
	} else {
		name := strings.TrimSpace(el.AttrValue("name"))
		a.Name = QName{Local: name}
		switch el.AttrValue("form") {
		case "qualified":
			a.Name.Space = sd.tns
		case "unqualified":
		default:
			if sd.qualifiedAttrs {
				a.Name.Space = sd.tns
			}
		}
		a.Type = c.attrType(el, sd)
	}
	if d := doc(el); d != "" {
		a.Doc = d
	}
	a.Required = use == "required"
	if vc := constraint(el); vc.Kind != NoConstraint {
		a.Constraint = vc
	}
	return a, use == "prohibited"
}

func (c *Compiler) attrType(el *xmltree.Element, sd *schemaDoc) TypeID {
	if v, ok := el.Attr("type"); ok {
		return c.typeRef(el, sd, v, nil)
	}
	if st := child(el, "simpleType"); st != nil {
		return c.anonType(st, sd)
	}
	return TypeID(AnySimpleType)
}

func (c *Compiler) builtinAttr(q QName) (int, bool) {
	for i := range c.out.Attributes[:c.nBuiltinAttrs] {
		if c.out.Attributes[i].Name == q {
			return i, true
		}
	}
	return 0, false
}

// globalAttribute compiles a global attribute declaration once.
func (c *Compiler) globalAttribute(g *comp) AttrUse {
	if c.out.attrs == nil {
		c.out.attrs = make(map[QName]int)
	}
	if i, ok := c.out.attrs[g.name]; ok {
		return c.out.Attributes[i]
	}
	a := AttrUse{Name: g.name, Type: c.attrType(g.el, g.sd), Constraint: constraint(g.el), Doc: doc(g.el)}
	c.out.attrs[g.name] = len(c.out.Attributes)
	c.out.Attributes = append(c.out.Attributes, a)
	return a
}

// constraint reads the default or fixed attribute of a declaration.
func constraint(el *xmltree.Element) ValueConstraint {
	if v, ok := el.Attr("fixed"); ok {
		return ValueConstraint{Kind: FixedValue, Value: v}
	}
	if v, ok := el.Attr("default"); ok {
		return ValueConstraint{Kind: DefaultValue, Value: v}
	}
	return ValueConstraint{}
}
