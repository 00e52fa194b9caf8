package openapi

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// dir is the direction of a message: requests and responses differ in
// what is required (a response always has its arrays) and in how numbers
// too large for a double may be written (a request may give them as
// strings).
type dir uint8

const (
	request dir = iota
	response
	// faultDetail is a response's SOAP fault detail: decoded like a
	// response, but nothing is required, as servers fill fault details
	// loosely.
	faultDetail
)

// decoded reports whether values in direction d are written by the
// codec's decoder (every array present, numbers as numbers).
func (d dir) decoded() bool { return d != request }

// Reserved member names of the JSON mapping (docs/mapping.md, section 8).
const (
	memberValue   = "$value"
	memberType    = "$type"
	memberAny     = "$any"
	memberHeaders = "$headers"
)

const refPrefix = "#/components/schemas/"

func ref(name string) *Schema { return &Schema{Ref: refPrefix + name} }

func intp(n int) *int { return &n }

// compKey identifies a component generated from a type.
type compKey struct {
	t    xsd.TypeID
	d    dir
	poly bool // the type with its derived types (xsi:type)
}

// schemas turns schema components into JSON Schema, registering named
// types as components.
type schemas struct {
	s     *xsd.Schema
	c     *codec.Codec
	comps map[compKey]string
	used  map[string]bool
	out   *Schemas
	// dep[t] says the request and response forms of type t differ.
	dep []bool
	// cyclic marks anonymous types that can contain themselves: they
	// need a component to be referred to.
	cyclic map[xsd.TypeID]bool
	// anonNames names anonymous types after their elements, built on
	// first use by typeName.
	anonNames map[xsd.TypeID]string
}

func isBuiltinID(id xsd.TypeID) bool { return id >= 0 && id <= xsd.TypeID(xsd.SOAPStruct) }

func isAnyType(t *xsd.Type) bool {
	return t.Name == (xsd.QName{Space: xsd.NSXSD, Local: "anyType"})
}

// bigInteger reports whether integers of built-in b may be beyond what a
// double holds exactly; requests may then give them as strings.
func bigInteger(b xsd.Builtin) bool {
	switch b {
	case xsd.Int, xsd.Short, xsd.Byte, xsd.UnsignedInt, xsd.UnsignedShort, xsd.UnsignedByte:
		return false
	}
	return b.IsInteger()
}

// stringNumber reports whether a request may give values of simple type t
// as strings: decimals and integers beyond a double's exact range.
func stringNumber(b xsd.Builtin) bool { return b == xsd.Decimal || bigInteger(b) }

// computeDependence fills dep: a fixpoint over the type graph.
func (g *schemas) computeDependence() {
	n := len(g.s.Types)
	g.dep = make([]bool, n)
	local := func(id xsd.TypeID) bool {
		t := g.s.Type(id)
		if t.Simple {
			return t.Variety == xsd.Atomic && stringNumber(t.Builtin)
		}
		if isAnyType(t) {
			return false
		}
		if t.IsArray() {
			return false
		}
		ms, _, wild := g.c.Members(id)
		if wild {
			return true // "$any" may be required in a request only
		}
		for _, m := range ms {
			if m.Repeated {
				return true
			}
			if !m.Attr && g.s.Element(m.Element).Constraint.Kind == xsd.FixedValue {
				return true
			}
			if m.Attr && (t.Attrs[m.Index].Required && t.Attrs[m.Index].Constraint.Kind == xsd.FixedValue) {
				return true
			}
		}
		return false
	}
	for id := 0; id < n; id++ {
		g.dep[id] = local(xsd.TypeID(id))
	}
	for changed := true; changed; {
		changed = false
		for id := 0; id < n; id++ {
			if g.dep[id] {
				continue
			}
			for _, c := range g.children(xsd.TypeID(id)) {
				if g.dep[c] {
					g.dep[id], changed = true, true
					break
				}
			}
		}
	}
}

// children lists the types whose schemas the schema of id uses.
func (g *schemas) children(id xsd.TypeID) []xsd.TypeID {
	t := g.s.Type(id)
	var out []xsd.TypeID
	switch {
	case t.Simple:
		switch t.Variety {
		case xsd.List:
			out = append(out, t.Item)
		case xsd.Union:
			out = append(out, t.Members...)
		}
		return out
	case isAnyType(t):
		return nil
	case t.IsArray():
		return []xsd.TypeID{t.ArrayItem}
	}
	if t.Content == xsd.ContentSimple && t.Value != xsd.NoType {
		out = append(out, t.Value)
	}
	for _, a := range t.Attrs {
		out = append(out, a.Type)
	}
	ms, _, _ := g.c.Members(id)
	for _, m := range ms {
		if !m.Attr {
			et := g.s.Element(m.Element).Type
			out = append(out, et)
			out = append(out, g.s.Type(et).Derived...)
		}
	}
	if t.Derivation == xsd.Extension && t.Base != xsd.NoType && !isBuiltinID(t.Base) {
		out = append(out, t.Base)
	}
	return out
}

// computeCycles marks the anonymous complex types that reach themselves.
func (g *schemas) computeCycles() {
	g.cyclic = map[xsd.TypeID]bool{}
	n := len(g.s.Types)
	state := make([]uint8, n) // 0 new, 1 on stack, 2 done
	var stack []xsd.TypeID
	var visit func(id xsd.TypeID)
	visit = func(id xsd.TypeID) {
		state[id] = 1
		stack = append(stack, id)
		for _, c := range g.children(id) {
			if c < 0 || int(c) >= n {
				continue
			}
			switch state[c] {
			case 0:
				visit(c)
			case 1:
				for i := len(stack) - 1; i >= 0; i-- {
					if t := g.s.Type(stack[i]); t.Name.IsZero() && !t.Simple {
						g.cyclic[stack[i]] = true
					}
					if stack[i] == c {
						break
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = 2
	}
	for id := 0; id < n; id++ {
		if state[id] == 0 {
			visit(xsd.TypeID(id))
		}
	}
}

// name reserves a unique component name.
func (g *schemas) name(base string) string {
	base = cleanName(base)
	if !g.used[base] {
		g.used[base] = true
		return base
	}
	for i := 2; ; i++ {
		n := base + "_" + strconv.Itoa(i)
		if !g.used[n] {
			g.used[n] = true
			return n
		}
	}
}

// cleanName keeps the characters a component name may have.
func cleanName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == '.' || r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "Type"
	}
	return b.String()
}

// component returns a reference to the component of key k, building it
// with build on first use.
func (g *schemas) component(k compKey, base string, build func() *Schema) *Schema {
	if n, ok := g.comps[k]; ok {
		return ref(n)
	}
	if k.d == request && g.dependent(k) {
		base += "Input"
	} else if k.d == faultDetail {
		base += "Detail"
	}
	n := g.name(base)
	g.comps[k] = n
	i := len(*g.out)
	*g.out = append(*g.out, NamedSchema{Name: n})
	(*g.out)[i].Schema = build()
	return ref(n)
}

func (g *schemas) dependent(k compKey) bool {
	if g.dep[k.t] {
		return true
	}
	if k.poly {
		for _, d := range g.s.Type(k.t).Derived {
			if g.dep[d] {
				return true
			}
		}
	}
	return false
}

// typeName is the base of a type's component name: a named type's name;
// for an anonymous type, the name of the first element declared with it
// (global elements first), else "Anonymous" and its ID.
func (g *schemas) typeName(id xsd.TypeID, t *xsd.Type) string {
	if !t.Name.IsZero() {
		return t.Name.Local
	}
	if g.anonNames == nil {
		g.anonNames = map[xsd.TypeID]string{}
		for _, global := range []bool{true, false} {
			for i := range g.s.Elements {
				e := &g.s.Elements[i]
				if e.Global != global || e.Type < 0 || int(e.Type) >= len(g.s.Types) || !g.s.Type(e.Type).Name.IsZero() {
					continue
				}
				if _, ok := g.anonNames[e.Type]; !ok {
					g.anonNames[e.Type] = e.Name.Local
				}
			}
		}
	}
	if n := g.anonNames[id]; n != "" {
		return n
	}
	return "Anonymous" + strconv.Itoa(int(id))
}

// typeSchema is the schema of a value of type id (no null, no xsi:type).
func (g *schemas) typeSchema(id xsd.TypeID, d dir) *Schema {
	t := g.s.Type(id)
	if isAnyType(t) {
		if d == request {
			return g.anyTypeInput()
		}
		return &Schema{Description: "Any value (xsd:anyType): text becomes a string; elements an object of their names, attributes as \"@name\", text as \"$value\"."}
	}
	if d == faultDetail && t.Simple {
		d = response // simple values read the same in a detail
	}
	if d != faultDetail && !g.dep[id] {
		d = request // one component serves both directions
	}
	switch {
	case t.Simple:
		if isBuiltinID(id) || t.Name.IsZero() {
			return g.simple(id, d)
		}
		return g.component(compKey{id, d, false}, t.Name.Local, func() *Schema { return g.simple(id, d) })
	}
	if t.Name.IsZero() && !g.cyclic[id] {
		return g.complex(id, d)
	}
	return g.component(compKey{id, d, false}, g.typeName(id, t), func() *Schema { return g.complex(id, d) })
}

// XML names as the codec takes them for the members of an xsd:anyType
// object: a letter, "_" or a non-ASCII character, then also digits, "-"
// and "."; written with \x escapes, which ECMA-262 and RE2 share.
const (
	patNameStart = `[^\x00-\x40\x5B-\x5E\x60\x7B-\x7F]`
	patNameChar  = `[^\x00-\x2C\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]`
)

// anyTypeInput is the component of an xsd:anyType value in requests, as
// the codec writes it: a scalar becomes text; an object's members become
// child elements (arrays repeat them, null is xsi:nil), so their names
// must be XML names, besides "$value" (text) and "$any" (XML strings).
func (g *schemas) anyTypeInput() *Schema {
	return g.component(compKey{xsd.TypeID(xsd.AnyType), request, true}, "AnyTypeInput", func() *Schema {
		self := ref("AnyTypeInput")
		item := &Schema{AnyOf: []*Schema{self, {Type: "null"}}}
		return &Schema{
			Description: "Any value (xsd:anyType): a string, number or boolean is the element's text; an object's members are child elements of their names (an array repeats one, null is xsi:nil), \"$value\" its text and \"$any\" XML elements.",
			Type:        []string{"string", "number", "boolean", "object"},
			Properties: Properties{
				{memberValue, &Schema{Type: []string{"string", "number", "boolean", "null"}, Description: "The element's text."}},
				{memberAny, &Schema{Type: "array", Items: &Schema{Type: "string"}, Description: "XML elements, each with the namespaces it uses declared."}},
			},
			PropertyNames:        &Schema{Pattern: `^(?:\$value|\$any|` + patNameStart + patNameChar + `*)$`},
			AdditionalProperties: &Schema{AnyOf: []*Schema{self, {Type: "null"}, {Type: "array", Items: item}}},
		}
	})
}

// derived lists the named, non-abstract types that may stand for id with
// xsi:type.
func (g *schemas) derived(id xsd.TypeID) []xsd.TypeID {
	var out []xsd.TypeID
	for _, x := range g.s.Type(id).Derived {
		if t := g.s.Type(x); !t.Abstract && !t.Name.IsZero() && !t.Simple {
			out = append(out, x)
		}
	}
	return out
}

// valueSchema is the schema of an element's value of declared type id:
// with the derived types it may be given as ("$type"), when it has any.
func (g *schemas) valueSchema(id xsd.TypeID, d dir) *Schema {
	t := g.s.Type(id)
	if t.Simple || isAnyType(t) || t.IsArray() {
		return g.typeSchema(id, d)
	}
	ds := g.derived(id)
	if len(ds) == 0 {
		return g.typeSchema(id, d)
	}
	k := compKey{id, d, true}
	if k.d != faultDetail && !g.dependent(k) {
		k.d = request
	}
	return g.component(k, g.typeName(id, t)+"OrDerived", func() *Schema {
		s := &Schema{Description: "A " + t.Name.Local + " or a type derived from it: a derived type's object names it in \"$type\" (xsi:type)."}
		if !t.Abstract {
			s.OneOf = append(s.OneOf, &Schema{AllOf: []*Schema{g.typeSchema(id, k.d), {
				Properties: Properties{{memberType, typeNameSchema(t.Name)}},
			}}})
		}
		for _, x := range ds {
			s.OneOf = append(s.OneOf, &Schema{AllOf: []*Schema{g.typeSchema(x, k.d), {
				Properties: Properties{{memberType, typeNameSchema(g.s.Type(x).Name)}},
				Required:   []string{memberType},
			}}})
		}
		if len(s.OneOf) == 1 {
			s.AllOf, s.OneOf = s.OneOf[0].AllOf, nil
		}
		return s
	})
}

// object reports whether values of type id are JSON objects whose members
// the codec knows: complex types other than anyType and SOAP arrays.
func (g *schemas) object(id xsd.TypeID) bool {
	t := g.s.Type(id)
	return !t.Simple && !isAnyType(t) && !t.IsArray()
}

// closed is s, the schema of a value of type id, refusing the members it
// does not list, as the codec refuses unknown members in requests and
// the decoder writes no others in responses. Components stay open, so
// that extensions (allOf) and "$type" branches (oneOf) can build on
// them: the value is closed where it is used, with unevaluatedProperties,
// which sees the members listed through $ref, allOf and oneOf.
func (g *schemas) closed(id xsd.TypeID, s *Schema) *Schema {
	if !g.object(id) {
		return s
	}
	return closeSchema(s)
}

// closeSchema sets unevaluatedProperties: false on s. A reference is
// wrapped in an allOf rather than given the keyword beside it: tools
// that still read a $ref's siblings as OpenAPI 3.0 did ignore them, and
// kin-openapi moves them into a separate allOf entry, where
// unevaluatedProperties sees none of the referenced schema's members.
func closeSchema(s *Schema) *Schema {
	if s.Ref != "" {
		return &Schema{AllOf: []*Schema{{Ref: s.Ref}}, Description: s.Description, UnevaluatedProperties: false}
	}
	s.UnevaluatedProperties = false
	return s
}

// value is the schema of a value of declared type id, closed, and null
// too when nillable.
func (g *schemas) value(id xsd.TypeID, d dir, nillable bool) *Schema {
	v := g.closed(id, g.valueSchema(id, d))
	if v.Ref != "" {
		// Siblings of a $ref apply alongside it in 3.1; keep the
		// referenced schema untouched.
		v = &Schema{Ref: v.Ref}
	}
	if nillable {
		v = nullable(v)
	}
	return v
}

// typeNameSchema is the schema of "$type" naming type q: its local name,
// as the decoder writes it, or {namespace}local, which the codec also
// takes.
func typeNameSchema(q xsd.QName) *Schema {
	if q.Space == "" {
		return &Schema{Const: q.Local}
	}
	return &Schema{Type: "string", Enum: []any{q.Local, q.String()}}
}

// nullable lets s also be null (xsi:nil).
func nullable(s *Schema) *Schema {
	if s.Ref != "" || s.Type == nil {
		return &Schema{AnyOf: []*Schema{s, {Type: "null"}}}
	}
	switch t := s.Type.(type) {
	case string:
		s.Type = []string{t, "null"}
	case []string:
		s.Type = append(t, "null")
	}
	if s.Enum != nil {
		s.Enum = append(s.Enum, nil)
	}
	return s
}

// describe sets a description on s, wrapping a reference so the
// referenced component keeps its own.
func describe(s *Schema, doc string) *Schema {
	if doc == "" {
		return s
	}
	if s.Description == "" {
		s.Description = doc
	} else if s.Ref == "" {
		s.Description = doc + "\n\n" + s.Description
	}
	return s
}

// elementSchema is the schema of one occurrence of element id.
func (g *schemas) elementSchema(id xsd.ElemID, d dir) *Schema {
	e := g.s.Element(id)
	v := g.value(e.Type, d, e.Nillable)
	if e.Constraint.Kind != xsd.NoConstraint {
		if dv, ok := g.jsonValue(e.Type, e.Constraint.Value); ok {
			v.Default = dv
		}
	}
	return describe(v, e.Doc)
}

// jsonValue is the JSON form of a lexical value of simple type id (as the
// codec writes it in responses), or false for complex types.
func (g *schemas) jsonValue(id xsd.TypeID, v string) (any, bool) {
	t := g.s.Type(id)
	if !t.Simple {
		if t.Content == xsd.ContentSimple && t.Value != xsd.NoType {
			return nil, false
		}
		return nil, false
	}
	if t.Variety == xsd.List {
		item := g.s.Type(t.Item)
		var out []any
		for _, f := range strings.Fields(v) {
			out = append(out, scalarJSON(item.Builtin, f))
		}
		return out, true
	}
	if t.Variety == xsd.Union {
		return strings.TrimSpace(v), true
	}
	if t.Facets.WhiteSpace == "collapse" || t.Builtin != xsd.String {
		v = strings.Join(strings.Fields(v), " ")
	}
	return scalarJSON(t.Builtin, v), true
}

// scalarJSON mirrors the codec's toJSON for one lexical value.
func scalarJSON(b xsd.Builtin, v string) any {
	switch {
	case b == xsd.Boolean:
		switch v {
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
	case b.IsInteger():
		if n, ok := new(big.Int).SetString(strings.TrimPrefix(v, "+"), 10); ok {
			return json.Number(n.String())
		}
	case b == xsd.Decimal || b == xsd.Float || b == xsd.Double:
		if r, ok := new(big.Rat).SetString(strings.TrimPrefix(v, "+")); ok && !strings.ContainsAny(v, "INFa") {
			if r.IsInt() {
				return json.Number(r.Num().String())
			}
			return json.Number(ratString(r))
		}
	}
	return v
}

func ratString(r *big.Rat) string {
	for prec := 1; prec <= 60; prec++ {
		s := r.FloatString(prec)
		if back, _ := new(big.Rat).SetString(s); back.Cmp(r) == 0 {
			return s
		}
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}
