package xsd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// appendDoubling is append that doubles the capacity when it grows: the
// schema's Types and Elements are large structs, and append's gentler
// growth for big slices copied them several times over.
func appendDoubling[T any](s []T, v T) []T {
	if len(s) == cap(s) {
		n := make([]T, len(s), max(2*cap(s), 64))
		copy(n, s)
		s = n
	}
	return append(s, v)
}

// newType allocates a TypeID for a type definition and queues it to be built.
func (c *Compiler) newType(cp *comp) TypeID {
	if id, ok := c.typeIDs[defKey{cp.el, cp.sd}]; ok {
		return id
	}
	id := TypeID(len(c.out.Types))
	c.out.Types = appendDoubling(c.out.Types, Type{Name: cp.name, Base: NoType, Item: NoType, Value: NoType, ArrayItem: NoType, Source: cp.el.Position()})
	c.state = append(c.state, queued)
	c.typeEl = append(c.typeEl, cp)
	c.typeIDs[defKey{cp.el, cp.sd}] = id
	c.queue = append(c.queue, id)
	return id
}

func (c *Compiler) namedType(cp *comp) TypeID { return c.newType(cp) }

// anonType allocates an anonymous type defined by el.
func (c *Compiler) anonType(el *xmltree.Element, sd *schemaDoc) TypeID {
	return c.newType(&comp{el: el, sd: sd})
}

// typeRef resolves a type-valued attribute (type, base, itemType...).
func (c *Compiler) typeRef(el *xmltree.Element, sd *schemaDoc, v string, self *comp) TypeID {
	q, declared := c.qname(el, sd, v)
	if q.Local == "" {
		return TypeID(AnyType)
	}
	if !declared && c.Strict {
		c.dangling(el, "type %q: prefix not declared", v)
		return TypeID(AnyType)
	}
	if declared {
		if self != nil && self.orig != nil && q == self.name {
			return c.namedType(self.orig)
		}
		cq := canonical(q)
		switch cq.Space {
		case NSXSD:
			if b, ok := builtinByName[cq.Local]; ok && b != SOAPArray && b != SOAPStruct {
				return TypeID(b)
			}
			c.dangling(el, "%q is not a built-in type of XML Schema", v)
			return TypeID(AnyType)
		case NSSOAPEnc:
			switch cq.Local {
			case "Array":
				return TypeID(SOAPArray)
			case "Struct":
				return TypeID(SOAPStruct)
			}
			if cp := c.types[q]; cp != nil {
				return c.namedType(cp)
			}
			c.warn(el, fmt.Sprintf("unknown SOAP encoding type %q; treated as anyType", v))
			return TypeID(AnyType)
		}
	} else if b, ok := builtinByName[q.Local]; ok && c.types[QName{sd.tns, q.Local}] == nil && len(c.byLocal[q.Local]) == 0 {
		// type="xs:string" with xs undeclared: the built-in is meant.
		c.warn(el, fmt.Sprintf("type %q has an undeclared prefix; using the built-in %s", v, q.Local))
		return TypeID(b)
	}
	if cp := c.types[q]; cp != nil && declared {
		return c.namedType(cp)
	}
	if !c.Strict {
		// Sloppy schemas name an element where a type is meant, or a
		// built-in type without its namespace.
		if e := c.elems[q]; e != nil && declared {
			c.warn(el, fmt.Sprintf("type %s not found; using the type of element %s", q, q.Local))
			return c.out.Elements[c.globalElement(e)].Type
		}
		if b, ok := builtinByName[q.Local]; ok && c.types[QName{sd.tns, q.Local}] == nil && len(c.byLocal[q.Local]) == 0 {
			c.warn(el, fmt.Sprintf("type %q not found; using the built-in %s", v, q.Local))
			return TypeID(b)
		}
	}
	cp := c.lookup(c.types, el, sd, v, "type")
	if cp == nil {
		return TypeID(AnyType)
	}
	return c.namedType(cp)
}

// build compiles the content of type id, after its base type.
func (c *Compiler) build(id TypeID) {
	switch c.state[id] {
	case built:
		return
	case building:
		cp := c.typeEl[id]
		c.errorf(cp.el, "type %s derives from itself", displayName(cp))
		return
	}
	c.state[id] = building
	cp := c.typeEl[id]
	t := c.out.Types[id]
	t.Doc = doc(cp.el)
	switch cp.el.Name.Local {
	case "simpleType":
		c.buildSimple(&t, cp)
	case "complexType":
		c.buildComplex(&t, cp)
	default:
		c.errorf(cp.el, "%s is not a type definition", cp.el.Name.Local)
	}
	c.out.Types[id] = t
	c.state[id] = built
}

func displayName(cp *comp) string {
	if cp.name.IsZero() {
		return "(anonymous)"
	}
	return strconv.Quote(cp.name.Local)
}

// base resolves and builds a base type, returning it with its ID.
func (c *Compiler) base(el *xmltree.Element, cp *comp) (TypeID, Type) {
	v, ok := el.Attr("base")
	var id TypeID
	if ok {
		id = c.typeRef(el, cp.sd, v, cp)
	} else if st := child(el, "simpleType"); st != nil {
		id = c.anonType(st, cp.sd)
	} else {
		c.errorf(el, "%s without a base", el.Name.Local)
		return TypeID(AnyType), c.out.Types[AnyType]
	}
	c.build(id)
	// Each derivation step copies what its base has (attributes,
	// facets) and each base lists all its derived types: a chain of
	// thousands of types would make a model of millions of entries.
	depth := 0
	for b := id; b >= TypeID(numBuiltins) && depth <= MaxDerivationDepth; b = c.out.Types[b].Base {
		depth++
	}
	if depth > MaxDerivationDepth {
		c.errorf(el, "type derives through more than %d bases", MaxDerivationDepth)
		return TypeID(AnyType), c.out.Types[AnyType]
	}
	return id, c.out.Types[id]
}

// MaxDerivationDepth bounds the chain of bases of a type (builtins not
// counted), and the chain of substitution group heads above an element.
// Real schemas derive a few levels deep.
const MaxDerivationDepth = 64

func (c *Compiler) buildSimple(t *Type, cp *comp) {
	t.Simple = true
	t.Content = ContentSimple
	for _, ch := range cp.el.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		switch ch.Name.Local {
		case "restriction":
			id, b := c.base(ch, cp)
			if !b.Simple && b.Builtin != AnyType {
				c.errorf(ch, "simple type restricts complex type %s", b.Name)
			}
			t.Base, t.Derivation = id, Restriction
			t.Builtin, t.Variety, t.Item, t.Members = b.Builtin, b.Variety, b.Item, b.Members
			if b.Builtin == AnyType {
				t.Builtin = AnySimpleType
			}
			t.Facets = c.facets(ch, b.Facets)
		case "list":
			t.Base, t.Derivation, t.Variety = TypeID(AnySimpleType), DerivList, List
			if v, ok := ch.Attr("itemType"); ok {
				t.Item = c.typeRef(ch, cp.sd, v, nil)
			} else if st := child(ch, "simpleType"); st != nil {
				t.Item = c.anonType(st, cp.sd)
			} else {
				c.errorf(ch, "list without itemType")
				t.Item = TypeID(String)
			}
			c.build(t.Item)
			t.Builtin = c.out.Types[t.Item].Builtin
		case "union":
			t.Base, t.Derivation, t.Variety = TypeID(AnySimpleType), DerivUnion, Union
			for _, f := range strings.Fields(ch.AttrValue("memberTypes")) {
				t.Members = append(t.Members, c.typeRef(ch, cp.sd, f, nil))
			}
			for _, st := range ch.Children {
				if st.Name.Local == "simpleType" && isXSD(st.Name.Space) {
					t.Members = append(t.Members, c.anonType(st, cp.sd))
				}
			}
			t.Builtin = AnySimpleType
			for i, m := range t.Members {
				c.build(m)
				b := c.out.Types[m].Builtin
				if i == 0 {
					t.Builtin = b
				} else if t.Builtin != b {
					t.Builtin = AnySimpleType
				}
			}
		}
	}
	if t.Base == NoType {
		c.errorf(cp.el, "simple type without restriction, list or union")
		t.Base, t.Builtin = TypeID(AnySimpleType), AnySimpleType
	}
	t.Value = NoType
}

// facets applies the facet children of a restriction to the base's facets.
func (c *Compiler) facets(el *xmltree.Element, base Facets) Facets {
	f := base
	f.Enumeration = nil
	var patterns []string
	for _, ch := range el.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		v, _ := ch.Attr("value")
		intv := func() Limit {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 0 {
				c.errorf(ch, "%s value %q is not a non-negative integer", ch.Name.Local, v)
				return Limit{}
			}
			return Limit{N: n, Set: true}
		}
		switch ch.Name.Local {
		case "enumeration":
			f.Enumeration = append(f.Enumeration, v)
		case "pattern":
			patterns = append(patterns, v)
		case "length":
			f.Length = intv()
		case "minLength":
			f.MinLength = intv()
		case "maxLength":
			f.MaxLength = intv()
		case "totalDigits":
			f.TotalDigits = intv()
		case "fractionDigits":
			f.FractionDigits = intv()
		case "minInclusive":
			f.MinInclusive, f.MinExclusive = strings.TrimSpace(v), ""
		case "maxInclusive":
			f.MaxInclusive, f.MaxExclusive = strings.TrimSpace(v), ""
		case "minExclusive":
			f.MinExclusive, f.MinInclusive = strings.TrimSpace(v), ""
		case "maxExclusive":
			f.MaxExclusive, f.MaxInclusive = strings.TrimSpace(v), ""
		case "whiteSpace":
			f.WhiteSpace = strings.TrimSpace(v)
		}
	}
	if f.Enumeration == nil {
		f.Enumeration = base.Enumeration
	}
	if len(patterns) > 0 {
		f.Patterns = append(append([]string(nil), base.Patterns...), strings.Join(patterns, "|"))
	}
	return f
}

func (c *Compiler) buildComplex(t *Type, cp *comp) {
	el := cp.el
	t.Abstract = boolAttr(el, "abstract")
	mixed := boolAttr(el, "mixed")
	t.Base, t.Derivation, t.Builtin = TypeID(AnyType), Restriction, AnyType
	var own *Particle
	var attrs attrSet
	for _, ch := range el.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		switch ch.Name.Local {
		case "simpleContent":
			c.simpleContent(t, cp, ch)
			return
		case "complexContent":
			if v, ok := ch.Attr("mixed"); ok {
				mixed = v == "true" || v == "1"
			}
			c.complexContent(t, cp, ch, mixed)
			return
		case "sequence", "choice", "all", "group":
			if q, ok := c.particle(ch, cp.sd); ok {
				own = &q
			} else {
				own = nil
			}
		case "attribute", "attributeGroup", "anyAttribute":
			c.attribute(ch, cp.sd, &attrs)
		}
	}
	t.Particle = own
	if c.countAttrs(cp.el, len(attrs.uses)) {
		t.Attrs = attrs.uses
	}
	t.AnyAttr = attrs.any
	t.Content = contentOf(own, mixed)
}

func contentOf(p *Particle, mixed bool) Content {
	switch {
	case mixed:
		return ContentMixed
	case p == nil || (p.Kind != PElement && p.Kind != PAny && len(p.Children) == 0):
		return ContentEmpty
	default:
		return ContentElements
	}
}

func (c *Compiler) complexContent(t *Type, cp *comp, cc *xmltree.Element, mixed bool) {
	der := firstXSD(cc, "extension", "restriction")
	if der == nil {
		c.errorf(cc, "complexContent without extension or restriction")
		return
	}
	id, b := c.base(der, cp)
	t.Base = id
	var own *Particle
	var attrs attrSet
	for _, ch := range der.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		switch ch.Name.Local {
		case "sequence", "choice", "all", "group":
			if q, ok := c.particle(ch, cp.sd); ok {
				own = &q
			} else {
				own = nil
			}
		case "attribute", "attributeGroup", "anyAttribute":
			c.attribute(ch, cp.sd, &attrs)
		}
	}
	if der.Name.Local == "extension" {
		t.Derivation = Extension
		t.Particle = extend(b.Particle, own)
		t.Attrs = c.extendAttrs(der, b.Attrs, attrs.uses)
		t.AnyAttr = attrs.any
		if t.AnyAttr == nil {
			t.AnyAttr = b.AnyAttr
		}
		if b.Content == ContentMixed {
			mixed = true
		}
		if b.Content == ContentSimple && own == nil {
			// Lenient: complexContent extension of a simple-content type.
			t.Content, t.Value = ContentSimple, b.Value
			t.Builtin = b.Builtin
			return
		}
	} else {
		t.Derivation = Restriction
		t.Particle = own
		if c.countAttrs(der, len(b.Attrs)+len(attrs.uses)) {
			t.Attrs = restrictAttrs(b.Attrs, attrs.uses, attrs.prohibited)
		}
		t.AnyAttr = attrs.any
	}
	t.Content = contentOf(t.Particle, mixed)
	if b.ArrayItem != NoType || id == TypeID(SOAPArray) {
		c.soapArray(t, der, cp.sd, b)
	}
}

// extend is the content model of an extension: the base's particles, then
// the extension's own.
func extend(base, own *Particle) *Particle {
	switch {
	case base == nil || isEmpty(base):
		return own
	case own == nil || isEmpty(own):
		return base
	}
	return &Particle{Kind: PSequence, Min: 1, Max: 1, Children: []Particle{*base, *own}}
}

func isEmpty(p *Particle) bool {
	return (p.Kind == PSequence || p.Kind == PChoice || p.Kind == PAll) && len(p.Children) == 0
}

// restrictAttrs applies a restriction's attribute uses to the base's.
func restrictAttrs(base, own []AttrUse, prohibited []QName) []AttrUse {
	var out []AttrUse
	// Many names are looked up in a set, not compared with each use.
	var drop map[QName]bool
	if len(own)+len(prohibited) > attrScan {
		drop = make(map[QName]bool, len(own)+len(prohibited))
		for _, p := range prohibited {
			drop[p] = true
		}
		for _, o := range own {
			drop[o.Name] = true
		}
	}
outer:
	for _, a := range base {
		if drop != nil {
			if drop[a.Name] {
				continue
			}
			out = append(out, a)
			continue
		}
		for _, p := range prohibited {
			if a.Name == p {
				continue outer
			}
		}
		for _, o := range own {
			if a.Name == o.Name {
				continue outer
			}
		}
		out = append(out, a)
	}
	return append(out, own...)
}

// soapArray records the item type of a type derived from soapenc:Array, from
// wsdl:arrayType or else from the single element of its content model.
func (c *Compiler) soapArray(t *Type, der *xmltree.Element, sd *schemaDoc, b Type) {
	t.ArrayItem, t.ArrayDims = b.ArrayItem, b.ArrayDims
	for _, a := range t.Attrs {
		if a.ArrayType == "" {
			continue
		}
		item, dims := parseArrayType(a.ArrayType)
		q := QName{}
		if s, l, ok := strings.Cut(strings.TrimPrefix(item, "{"), "}"); ok && strings.HasPrefix(item, "{") {
			q = QName{s, l}
		} else {
			q = QName{Local: item}
		}
		t.ArrayItem = c.typeByQName(der, sd, q)
		t.ArrayDims = dims
		return
	}
	if p := t.Particle; p != nil {
		if p.Kind == PSequence && len(p.Children) == 1 {
			p = &p.Children[0]
		}
		if p.Kind == PElement {
			t.ArrayItem = c.out.Elements[p.Element].Type
			t.ArrayDims = 1
		}
	}
}

// typeByQName resolves an already-expanded type name.
func (c *Compiler) typeByQName(el *xmltree.Element, sd *schemaDoc, q QName) TypeID {
	cq := canonical(q)
	if cq.Space == NSXSD {
		if b, ok := builtinByName[cq.Local]; ok {
			return TypeID(b)
		}
	}
	if cq.Space == NSSOAPEnc {
		switch cq.Local {
		case "Array":
			return TypeID(SOAPArray)
		case "Struct":
			return TypeID(SOAPStruct)
		}
	}
	if cp := c.types[q]; cp != nil {
		return c.namedType(cp)
	}
	if cp := c.types[QName{sd.tns, q.Local}]; cp != nil && q.Space == "" {
		return c.namedType(cp)
	}
	c.dangling(el, "array item type %s not found", q)
	return TypeID(AnyType)
}

// parseArrayType splits "{ns}Item[][,]" into the item and the dimension
// count (each [] or [,..] group counts its commas plus one).
func parseArrayType(v string) (string, int) {
	i := strings.IndexByte(v, '[')
	if i < 0 {
		return v, 1
	}
	dims := 0
	for _, g := range strings.Split(v[i:], "[")[1:] {
		dims += strings.Count(g, ",") + 1
	}
	return v[:i], dims
}

func (c *Compiler) simpleContent(t *Type, cp *comp, sc *xmltree.Element) {
	der := firstXSD(sc, "extension", "restriction")
	if der == nil {
		c.errorf(sc, "simpleContent without extension or restriction")
		return
	}
	id, b := c.base(der, cp)
	t.Base, t.Content = id, ContentSimple
	var attrs attrSet
	for _, ch := range der.Children {
		if isXSD(ch.Name.Space) {
			switch ch.Name.Local {
			case "attribute", "attributeGroup", "anyAttribute":
				c.attribute(ch, cp.sd, &attrs)
			}
		}
	}
	value := id
	if !b.Simple {
		value = b.Value
		if value == NoType {
			// Lenient: simpleContent over a complex type without simple
			// content; the text is a string.
			c.warn(der, fmt.Sprintf("simpleContent derives from %s, which has no simple content", b.Name))
			value = TypeID(String)
		}
	}
	if der.Name.Local == "extension" {
		t.Derivation = Extension
		t.Attrs = c.extendAttrs(der, b.Attrs, attrs.uses)
		t.AnyAttr = attrs.any
		if t.AnyAttr == nil {
			t.AnyAttr = b.AnyAttr
		}
	} else {
		t.Derivation = Restriction
		if c.countAttrs(der, len(b.Attrs)+len(attrs.uses)) {
			t.Attrs = restrictAttrs(b.Attrs, attrs.uses, attrs.prohibited)
		}
		t.AnyAttr = attrs.any
		if hasFacets(der) || child(der, "simpleType") != nil {
			vt := c.out.Types[value]
			if st := child(der, "simpleType"); st != nil {
				value = c.anonType(st, cp.sd)
				c.build(value)
				vt = c.out.Types[value]
			}
			nt := Type{Simple: true, Content: ContentSimple, Base: value, Derivation: Restriction,
				Builtin: vt.Builtin, Variety: vt.Variety, Item: vt.Item, Members: vt.Members,
				Facets: c.facets(der, vt.Facets), Value: NoType, ArrayItem: NoType, Source: der.Position()}
			value = TypeID(len(c.out.Types))
			c.out.Types = appendDoubling(c.out.Types, nt)
			c.state = append(c.state, built)
			c.typeEl = append(c.typeEl, nil)
		}
	}
	t.Value = value
	c.build(value)
	t.Builtin = c.out.Types[value].Builtin
}

func hasFacets(el *xmltree.Element) bool {
	for _, ch := range el.Children {
		switch ch.Name.Local {
		case "enumeration", "pattern", "length", "minLength", "maxLength", "totalDigits", "fractionDigits",
			"minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "whiteSpace":
			return true
		}
	}
	return false
}

// linkDerived fills Type.Derived.
func (c *Compiler) linkDerived() {
	for id := TypeID(numBuiltins); int(id) < len(c.out.Types); id++ {
		for b := c.out.Types[id].Base; b >= TypeID(numBuiltins); b = c.out.Types[b].Base {
			c.out.Types[b].Derived = append(c.out.Types[b].Derived, id)
		}
	}
}

// linkSubstitutions fills Element.Substitutes from substitutionGroup.
func (c *Compiler) linkSubstitutions() {
	var heads []ElemID // the element and the heads above it so far
	for id := range c.out.Elements {
		e := &c.out.Elements[id]
		if e.Abstract {
			continue
		}
		heads = append(heads[:0], ElemID(id))
		for h := e.SubstitutionGroup; h != NoElem; h = c.out.Elements[h].SubstitutionGroup {
			if len(heads) > MaxDerivationDepth {
				// Each element is listed under every head above it:
				// a chain of n elements lists n*n/2 substitutes.
				if c.err == nil {
					c.err = fmt.Errorf("xsd: %s: element %s is in a chain of more than %d substitution group heads", e.Source, e.Name.Local, MaxDerivationDepth)
				}
				break
			}
			if slices.Contains(heads, h) {
				// A cycle: the elements on it would stand for
				// themselves and each other again and again (each a
				// member of its own array in a codec plan).
				if c.err == nil {
					c.err = fmt.Errorf("xsd: %s: the substitution groups of element %s form a cycle", e.Source, e.Name.Local)
				}
				break
			}
			heads = append(heads, h)
			c.out.Elements[h].Substitutes = append(c.out.Elements[h].Substitutes, ElemID(id))
		}
	}
}

func child(el *xmltree.Element, local string) *xmltree.Element {
	for _, ch := range el.Children {
		if ch.Name.Local == local && isXSD(ch.Name.Space) {
			return ch
		}
	}
	return nil
}

func firstXSD(el *xmltree.Element, locals ...string) *xmltree.Element {
	for _, ch := range el.Children {
		if isXSD(ch.Name.Space) {
			for _, l := range locals {
				if ch.Name.Local == l {
					return ch
				}
			}
		}
	}
	return nil
}

func boolAttr(el *xmltree.Element, name string) bool {
	v := strings.TrimSpace(el.AttrValue(name))
	return v == "true" || v == "1"
}

// collapse is strings.Join(strings.Fields(s), " ") with one allocation:
// runs of white space become one space, none at either end. Text that is
// already so is returned as it is.
func collapse(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		switch c := s[i]; {
		case c == ' ':
			clean = i > 0 && i < len(s)-1 && s[i+1] != ' '
		case c < ' ' || c >= utf8.RuneSelf:
			clean = c > '\r' && c < utf8.RuneSelf // not \t..\r; not maybe a Unicode space
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for f := range strings.FieldsSeq(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// doc returns the text of an element's xsd:annotation/xsd:documentation.
func doc(el *xmltree.Element) string {
	a := child(el, "annotation")
	if a == nil {
		return ""
	}
	var parts []string
	for _, d := range a.Children {
		if d.Name.Local == "documentation" {
			if s := collapse(d.Text); s != "" {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "\n")
}
