package xsd

import "fmt"

// QName is an expanded name: namespace URI and local name.
type QName struct {
	Space, Local string
}

func (q QName) String() string {
	if q.Space == "" {
		return q.Local
	}
	return "{" + q.Space + "}" + q.Local
}

// IsZero reports whether q is the empty name (an anonymous component).
func (q QName) IsZero() bool { return q.Space == "" && q.Local == "" }

// TypeID indexes Schema.Types. Built-in types have fixed IDs equal to their
// Builtin value.
type TypeID int32

// ElemID indexes Schema.Elements.
type ElemID int32

// NoType and NoElem mark an absent reference.
const (
	NoType TypeID = -1
	NoElem ElemID = -1
)

// Unbounded is Particle.Max for maxOccurs="unbounded".
const Unbounded = -1

// Schema is a compiled set of schema components. It must not be modified
// after Compile returns; it is shared by every request that uses it.
type Schema struct {
	Types    []Type
	Elements []Element
	// Attributes are the global attribute declarations.
	Attributes []AttrUse
	// Warnings are problems tolerated while compiling, with their position.
	Warnings []string

	types map[QName]TypeID
	elems map[QName]ElemID
	attrs map[QName]int
}

// Type returns the type with the given ID.
func (s *Schema) Type(id TypeID) *Type { return &s.Types[id] }

// Element returns the element declaration with the given ID.
func (s *Schema) Element(id ElemID) *Element { return &s.Elements[id] }

// TypeByName looks up a global type. Names in the XML Schema namespaces of
// 1999, 2000/10 and 2001 and the SOAP encoding namespaces find the built-in
// types.
func (s *Schema) TypeByName(q QName) (TypeID, bool) {
	id, ok := s.types[canonical(q)]
	return id, ok
}

// ElementByName looks up a global element declaration.
func (s *Schema) ElementByName(q QName) (ElemID, bool) {
	id, ok := s.elems[q]
	return id, ok
}

// Reindex rebuilds the name indexes; call it after decoding a Schema that was
// serialized (the indexes are not).
func (s *Schema) Reindex() {
	s.types = make(map[QName]TypeID, len(s.Types))
	for i := range s.Types {
		if !s.Types[i].Name.IsZero() {
			if _, dup := s.types[s.Types[i].Name]; !dup {
				s.types[s.Types[i].Name] = TypeID(i)
			}
		}
	}
	s.elems = make(map[QName]ElemID)
	for i := range s.Elements {
		if s.Elements[i].Global {
			if _, dup := s.elems[s.Elements[i].Name]; !dup {
				s.elems[s.Elements[i].Name] = ElemID(i)
			}
		}
	}
	s.attrs = make(map[QName]int, len(s.Attributes))
	for i := range s.Attributes {
		s.attrs[s.Attributes[i].Name] = i
	}
}

// IsDerivedFrom reports whether t is base or derives from it.
func (s *Schema) IsDerivedFrom(t, base TypeID) bool {
	for t != NoType {
		if t == base {
			return true
		}
		t = s.Types[t].Base
	}
	return false
}

// Variety is the kind of a simple type.
type Variety uint8

const (
	Atomic Variety = iota
	List
	Union
)

// Derivation says how a type was derived from its base.
type Derivation uint8

const (
	DerivNone Derivation = iota // built-in roots
	Restriction
	Extension
	DerivList
	DerivUnion
)

// Content is the kind of a complex type's content.
type Content uint8

const (
	ContentEmpty    Content = iota // no child elements, no text
	ContentSimple                  // text of type Type.Value, and attributes
	ContentElements                // child elements per Type.Particle
	ContentMixed                   // child elements interleaved with text
)

func (c Content) String() string {
	return [...]string{"empty", "simple", "elements", "mixed"}[c]
}

// Type is a simple or complex type.
type Type struct {
	Name QName // zero for an anonymous type
	// Simple is true for simple types (no attributes, no child elements).
	Simple bool
	// Builtin is the nearest built-in ancestor for simple types and for the
	// value of complex types with simple content; AnyType otherwise.
	Builtin    Builtin
	Base       TypeID // NoType for anyType
	Derivation Derivation
	Abstract   bool

	// Simple types.
	Variety Variety
	Item    TypeID   // List: the item type
	Members []TypeID // Union: the member types
	Facets  Facets

	// Complex types.
	Content  Content
	Value    TypeID    // ContentSimple: the type of the text
	Particle *Particle // ContentElements, ContentMixed: effective content model
	Attrs    []AttrUse // effective attributes, inherited ones included
	AnyAttr  *Wildcard

	// SOAP-encoded arrays (derived from soapenc:Array): the item type and
	// the number of dimensions from wsdl:arrayType ("xsd:int[][]" is 2).
	ArrayItem TypeID
	ArrayDims int

	// Derived lists every type derived from this one, directly or not;
	// these are the candidates for xsi:type.
	Derived []TypeID

	Doc    string
	Source string // "file.xsd:12"
}

// IsArray reports whether t is a SOAP-encoded array.
func (t *Type) IsArray() bool { return t.ArrayItem != NoType }

// Facets are the constraining facets of a simple type, merged down its
// restriction chain. Unset limits and empty strings mean "not set".
type Facets struct {
	Enumeration []string
	// Patterns must all match; each entry is one derivation step's
	// patterns joined as alternatives.
	Patterns       []string
	Length         Limit
	MinLength      Limit
	MaxLength      Limit
	TotalDigits    Limit
	FractionDigits Limit
	MinInclusive   string
	MaxInclusive   string
	MinExclusive   string
	MaxExclusive   string
	WhiteSpace     string // "preserve", "replace", "collapse" or ""
}

// Limit is an optional non-negative facet value.
type Limit struct {
	N   int
	Set bool
}

// ConstraintKind says whether a declaration has a default or fixed value.
type ConstraintKind uint8

const (
	NoConstraint ConstraintKind = iota
	DefaultValue
	FixedValue
)

// ValueConstraint is the default or fixed value of an element or attribute.
type ValueConstraint struct {
	Kind  ConstraintKind
	Value string
}

// ParticleKind is the kind of a particle.
type ParticleKind uint8

const (
	PElement ParticleKind = iota
	PSequence
	PChoice
	PAll
	PAny
)

func (k ParticleKind) String() string {
	return [...]string{"element", "sequence", "choice", "all", "any"}[k]
}

// Particle is one term of a content model with its occurrence range.
type Particle struct {
	Kind     ParticleKind
	Min      int
	Max      int // Unbounded for maxOccurs="unbounded"
	Element  ElemID
	Children []Particle
	Any      *Wildcard
}

// Repeated reports whether the particle may occur more than once.
func (p *Particle) Repeated() bool { return p.Max == Unbounded || p.Max > 1 }

// Emptiable reports whether the particle may match no element at all:
// it is optional, or a group whose content may all be absent (for a
// choice, one branch that may).
func (p *Particle) Emptiable() bool {
	if p.Min == 0 {
		return true
	}
	switch p.Kind {
	case PSequence, PAll:
		for i := range p.Children {
			if !p.Children[i].Emptiable() {
				return false
			}
		}
		return true
	case PChoice:
		for i := range p.Children {
			if p.Children[i].Emptiable() {
				return true
			}
		}
	}
	return false
}

// Wildcard is xsd:any or xsd:anyAttribute.
type Wildcard struct {
	// Namespace is the namespace constraint as written: "##any",
	// "##other", or a list of URIs and ##targetNamespace/##local already
	// resolved to URIs ("" for ##local).
	Namespace string
	Process   string // "strict", "lax" or "skip"
}

// Element is an element declaration, global or local.
type Element struct {
	// Name is the element's name as it appears in instances: its
	// namespace is empty for an unqualified local element.
	Name       QName
	Type       TypeID
	Global     bool
	Nillable   bool
	Abstract   bool
	Constraint ValueConstraint
	// SubstitutionGroup is the head of the element's substitution group.
	SubstitutionGroup ElemID
	// Substitutes lists the elements that may stand for this one,
	// directly or not (abstract ones excluded).
	Substitutes []ElemID
	Doc         string
	Source      string
}

// AttrUse is an attribute declaration as used by a type.
type AttrUse struct {
	Name       QName
	Type       TypeID
	Required   bool
	Constraint ValueConstraint
	// ArrayType is the raw wsdl:arrayType value of a use of
	// soapenc:arrayType, resolved to "{ns}local[]".
	ArrayType string
	// Doc is the xsd:documentation of the use, else of the global
	// attribute it refers to.
	Doc string
}

// Builtin identifies a built-in type. Its value is also the built-in's
// TypeID in every Schema.
type Builtin int32

func (b Builtin) String() string {
	if b >= 0 && int(b) < len(builtins) {
		return builtins[b].name
	}
	return fmt.Sprintf("Builtin(%d)", int32(b))
}
