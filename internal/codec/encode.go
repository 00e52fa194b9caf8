package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Encoded is the XML of one request message.
type Encoded struct {
	// Header holds the SOAP header blocks, concatenated; Body the
	// children of soap:Body. They use the prefixes of EnvelopeNamespaces
	// without declaring them, and declare every other namespace they use.
	Header []byte
	Body   []byte
}

// EncodeInput validates a JSON request against the input of op and writes
// its XML. A request that does not fit the schema returns a
// *ValidationError listing every problem.
func (c *Codec) EncodeInput(op *wsdl.Operation, ver wsdl.SOAPVersion, request []byte) (*Encoded, error) {
	if op.Input == nil {
		// An output-only operation: the request body is empty.
		e := &encoder{c: c, ver: ver}
		if obj := e.decodeJSON(request); obj != nil {
			e.unknown(obj, map[string]bool{}, nil, nil)
		}
		if len(e.problems) > 0 {
			return nil, &ValidationError{Problems: e.problems}
		}
		return &Encoded{}, nil
	}
	e := &encoder{c: c, ver: ver, encoded: op.Input.Use == wsdl.Encoded, maxAnyOut: maxAnyRatio*len(request) + 4096}
	e.w.grow(128 + 2*len(request))
	e.predeclare(&e.w)
	obj := e.decodeJSON(request)
	if obj == nil && len(e.problems) > 0 {
		return nil, &ValidationError{Problems: e.problems}
	}
	e.message(op, op.Input, obj)
	if len(e.problems) > 0 {
		return nil, &ValidationError{Problems: e.problems}
	}
	return &Encoded{Header: e.header, Body: e.w.b}, nil
}

type encoder struct {
	c        *Codec
	ver      wsdl.SOAPVersion
	encoded  bool
	w        xmlWriter
	header   []byte
	problems []Problem
	// maxAnyOut bounds the XML written when anyType content adds an
	// element (see maxAnyRatio); anyTooLarge is set once it was passed.
	maxAnyOut   int
	anyTooLarge bool
}

// maxAnyRatio bounds the XML of anyType content against the size of the
// request: the member names of anyType values are the client's, and an
// array writes its member's name twice per item (a 210 KB request of
// 100000 items under a 10000-character name wrote 2 GB of XML).
const maxAnyRatio = 32

func (e *encoder) problem(ptr *jpath, detail, expected string) {
	if len(e.problems) < maxProblems {
		e.problems = append(e.problems, Problem{Pointer: ptr.String(), Detail: detail, Expected: expected})
	}
}

// jpath is the JSON pointer of a request value, as a chain of tokens from
// the value up to the root (nil). The encoder builds one per value it
// visits and renders it only for a problem: rendering every pointer cost
// time and memory quadratic in the nesting depth (a 2 MB request of
// 2000 nested objects allocated 1.9 GB).
type jpath struct {
	parent *jpath
	token  string // the member name, unescaped; "" with index >= 0
	index  int    // the array index, or -1
}

// at is the pointer of member token of the value at parent.
func at(parent *jpath, token string) *jpath { return &jpath{parent: parent, token: token, index: -1} }

// atIndex is the pointer of item i of the array at parent.
func atIndex(parent *jpath, i int) *jpath { return &jpath{parent: parent, index: i} }

// String renders the pointer ("" for the root), escaping "~" and "/" in
// tokens as RFC 6901 says.
func (p *jpath) String() string {
	var toks []*jpath
	for q := p; q != nil; q = q.parent {
		toks = append(toks, q)
	}
	var b strings.Builder
	for i := len(toks) - 1; i >= 0; i-- {
		b.WriteByte('/')
		if q := toks[i]; q.index >= 0 {
			b.WriteString(strconv.Itoa(q.index))
		} else {
			b.WriteString(strings.ReplaceAll(strings.ReplaceAll(q.token, "~", "~0"), "/", "~1"))
		}
	}
	return b.String()
}

// decodeJSON parses the request: an object, or nothing at all for an
// operation without parameters.
func (e *encoder) decodeJSON(data []byte) map[string]any {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return map[string]any{}
	}
	if obj, ok := parseJSONObject(data); ok {
		return obj
	}
	// Anything the quick parser leaves (an error, a rare form) gets
	// encoding/json's result and error messages; but encoding/json reads
	// invalid UTF-8 in strings as U+FFFD, changing the value unseen.
	if !utf8.Valid(data) {
		e.problem(nil, fmt.Sprintf("the request is not valid UTF-8 (byte %d)", invalidUTF8At(data)), "JSON text in UTF-8 (RFC 8259)")
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		e.problem(nil, "malformed JSON: "+err.Error(), "a JSON object")
		return nil
	}
	if d.More() {
		e.problem(nil, "more than one JSON value", "one JSON object")
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		e.problem(nil, "the request is "+jsonType(v), "a JSON object")
		return nil
	}
	if ptr, dup := duplicateMember(data); dup {
		e.problem(ptr, "a member given twice", "each member of an object once")
		return nil
	}
	return obj
}

// invalidUTF8At returns the offset of the first byte of data that is not
// valid UTF-8.
func invalidUTF8At(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// Prefixes the envelope declares for the whole message (see
// EnvelopeNamespaces).
func (e *encoder) predeclare(w *xmlWriter) {
	for _, b := range EnvelopeNamespaces(e.ver) {
		w.predeclare(b[0], b[1])
	}
}

// EnvelopeNamespaces lists the prefixes a request envelope of version v
// declares on its root and the codec's output relies on: soapenv, xsi,
// xsd and soapenc.
func EnvelopeNamespaces(v wsdl.SOAPVersion) [][2]string {
	env, enc := NSSOAP11Env, xsd.NSSOAPEnc
	if v == wsdl.SOAP12 {
		env, enc = NSSOAP12Env, xsd.NSSOAP12En
	}
	return [][2]string{{"soapenv", env}, {"xsi", xsd.NSXSI}, {"xsd", xsd.NSXSD}, {"soapenc", enc}}
}

func (e *encoder) envNS() string {
	if e.ver == wsdl.SOAP12 {
		return NSSOAP12Env
	}
	return NSSOAP11Env
}

func (e *encoder) encNS() string {
	if e.ver == wsdl.SOAP12 {
		return xsd.NSSOAP12En
	}
	return xsd.NSSOAPEnc
}

// message writes the body parts, and the headers from "$headers".
func (e *encoder) message(op *wsdl.Operation, m *wsdl.Message, obj map[string]any) {
	if h, ok := obj[memberHeaders]; ok {
		e.headers(m, h)
		delete(obj, memberHeaders)
	}
	s := e.c.s
	switch {
	case op.Style == wsdl.RPC:
		e.w.start(xsd.QName{Space: m.Namespace, Local: op.Name})
		if e.encoded {
			e.w.attr(xsd.QName{Space: e.envNS(), Local: "encodingStyle"}, e.encNS())
		}
		known := map[string]bool{memberHeaders: true}
		for _, p := range m.Parts {
			known[p.Name] = true
			v, present := obj[p.Name]
			ptr := at(nil, p.Name)
			if p.Element != xsd.NoElem {
				if present || !optionalElement(s, p.Element) {
					e.element(p.Element, v, present, ptr, 1)
				}
				continue
			}
			if !present {
				e.problem(ptr, "missing parameter "+strconv.Quote(p.Name), e.c.typeLabel(p.Type))
				continue
			}
			e.typedElement(xsd.QName{Local: p.Name}, p.Type, true, v, ptr)
		}
		e.unknown(obj, known, nil, partNames(m))
		e.w.end()
	case m.Wrapped:
		e.element(m.Parts[0].Element, obj, true, nil, 1)
	default:
		known := map[string]bool{memberHeaders: true}
		for _, p := range m.Parts {
			known[p.Name] = true
			v, present := obj[p.Name]
			ptr := at(nil, p.Name)
			if p.Element != xsd.NoElem {
				if !present && optionalElement(s, p.Element) {
					continue
				}
				e.element(p.Element, v, present, ptr, 1)
			} else if present {
				e.typedElement(xsd.QName{Local: p.Name}, p.Type, true, v, ptr)
			} else {
				e.problem(ptr, "missing part "+strconv.Quote(p.Name), e.c.typeLabel(p.Type))
			}
		}
		e.unknown(obj, known, nil, partNames(m))
	}
}

// optionalElement reports whether a part element may be left out: its type
// has no required content.
func optionalElement(s *xsd.Schema, id xsd.ElemID) bool { return false }

func partNames(m *wsdl.Message) []string {
	var n []string
	for _, p := range m.Parts {
		n = append(n, p.Name)
	}
	return n
}

// headers writes the header blocks given in "$headers", keyed by the
// header element's local name (or the part name of a type part).
func (e *encoder) headers(m *wsdl.Message, v any) {
	ptr := at(nil, memberHeaders)
	obj, ok := v.(map[string]any)
	if !ok {
		e.problem(ptr, "$headers is "+jsonType(v), "an object of SOAP headers")
		return
	}
	body := e.w
	e.w = xmlWriter{}
	e.predeclare(&e.w)
	known := map[string]bool{}
	var names []string
	for _, h := range m.Headers {
		name := h.Part.Name
		if h.Part.Element != xsd.NoElem {
			name = e.c.s.Element(h.Part.Element).Name.Local
		}
		names = append(names, name)
		known[name] = true
		hv, present := obj[name]
		if !present {
			continue
		}
		if h.Part.Element != xsd.NoElem {
			e.element(h.Part.Element, hv, true, at(ptr, name), 1)
		} else {
			e.typedElement(xsd.QName{Space: h.Namespace, Local: h.Part.Name}, h.Part.Type, true, hv, at(ptr, name))
		}
	}
	e.unknown(obj, known, ptr, names)
	e.header = e.w.b
	e.w = body
}

// unknown reports members of obj that are not known.
func (e *encoder) unknown(obj map[string]any, known map[string]bool, ptr *jpath, expected []string) {
	var extra []string
	for k := range obj {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		exp := "no such member"
		if len(expected) > 0 {
			exp = "one of " + strings.Join(quoteAll(expected), ", ")
		} else {
			exp = "no members"
		}
		e.problem(at(ptr, k), "unknown member "+QuoteCut(k), exp)
	}
}

// element writes element declaration id with JSON value v.
func (e *encoder) element(id xsd.ElemID, v any, present bool, ptr *jpath, _ int) {
	el := e.c.s.Element(id)
	if !present {
		e.problem(ptr, "missing required member", e.c.typeLabel(el.Type))
		return
	}
	if el.Abstract {
		e.problem(ptr, fmt.Sprintf("element %s is abstract", el.Name.Local), "one of its substitution group")
		return
	}
	if el.Constraint.Kind == xsd.FixedValue && v == nil {
		v = el.Constraint.Value
	}
	e.typedElement(el.Name, el.Type, el.Nillable, v, ptr)
}

// typedElement writes an element named q of declared type t.
func (e *encoder) typedElement(q xsd.QName, t xsd.TypeID, nillable bool, v any, ptr *jpath) {
	if v == nil {
		if !nillable {
			e.problem(ptr, "null for an element that is not nillable", e.c.typeLabel(t))
			return
		}
		e.w.start(q)
		e.w.attr(xsd.QName{Space: xsd.NSXSI, Local: "nil"}, "true")
		e.w.end()
		return
	}
	actual := t
	if obj, ok := v.(map[string]any); ok {
		if tn, ok := obj[memberType]; ok {
			actual = e.derived(t, tn, at(ptr, memberType))
		}
	}
	ty := e.c.s.Type(actual)
	if ty.Abstract {
		e.problem(ptr, fmt.Sprintf("type %s is abstract", ty.Name.Local), "a \"$type\" member naming one of: "+strings.Join(e.derivedNames(t), ", "))
		return
	}
	e.w.start(q)
	if actual != t || e.encoded && !ty.Name.IsZero() && !ty.IsArray() {
		name := ty.Name
		if name.Space == xsd.NSXSD && e.encoded {
			name.Space = xsd.NSXSD
		}
		e.w.attr(xsd.QName{Space: xsd.NSXSI, Local: "type"}, e.w.qnameValue(name))
	}
	e.content(actual, v, ptr)
	e.w.end()
}

// derived finds the type named by "$type" among t and its derivations.
func (e *encoder) derived(t xsd.TypeID, name any, ptr *jpath) xsd.TypeID {
	s, ok := name.(string)
	if !ok || s == "" {
		got := "$type is " + jsonType(name)
		if ok {
			got = "$type is empty"
		}
		want := "no \"$type\" member: the type has no name"
		if names := e.derivedNames(t); len(names) > 0 {
			want = "a type name: one of " + strings.Join(quoteAll(names), ", ")
		}
		e.problem(ptr, got, want)
		return t
	}
	match := func(id xsd.TypeID) bool {
		n := e.c.s.Type(id).Name
		return n.Local == s || n.String() == s
	}
	if match(t) {
		return t
	}
	for _, d := range e.c.s.Type(t).Derived {
		if match(d) {
			return d
		}
	}
	e.problem(ptr, fmt.Sprintf("%s is not %s or a type derived from it", QuoteCut(s), e.c.typeLabel(t)), "one of "+strings.Join(quoteAll(e.derivedNames(t)), ", "))
	return t
}

func (e *encoder) derivedNames(t xsd.TypeID) []string {
	var names []string
	for _, id := range append([]xsd.TypeID{t}, e.c.s.Type(t).Derived...) {
		if ty := e.c.s.Type(id); !ty.Abstract && !ty.Name.IsZero() {
			names = append(names, ty.Name.Local)
		}
	}
	return names
}

// content writes the attributes and content of an element of type id,
// whose start tag is open.
func (e *encoder) content(id xsd.TypeID, v any, ptr *jpath) {
	t := e.c.s.Type(id)
	if t.Simple {
		if s, ok := e.simple(id, v, ptr); ok {
			e.w.text(s)
		}
		return
	}
	if t.Builtin == xsd.AnyType && t.Name == (xsd.QName{Space: xsd.NSXSD, Local: "anyType"}) {
		e.anyValue(v, ptr)
		return
	}
	if t.IsArray() {
		e.soapArray(t, v, ptr)
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		if t.Content == xsd.ContentSimple && !hasRequiredAttr(t) {
			// A scalar stands for {"$value": scalar}.
			obj = map[string]any{memberValue: v}
		} else {
			e.problem(ptr, "got "+jsonType(v), "an object ("+e.c.typeLabel(id)+")")
			return
		}
	}
	p := e.c.plan(id)
	used := map[string]bool{memberType: true}
	for _, m := range p.members {
		if m.kind != mAttr {
			continue
		}
		a := &t.Attrs[m.attr]
		av, present := obj[m.name]
		used[m.name] = true
		if !present || av == nil {
			if a.Required && a.Constraint.Kind != xsd.FixedValue {
				e.problem(at(ptr, m.name), "missing required attribute", e.c.typeLabel(a.Type))
			}
			continue
		}
		if s, ok := e.simple(a.Type, av, at(ptr, m.name)); ok {
			e.w.attr(a.Name, s)
		}
	}
	switch {
	case t.Content == xsd.ContentSimple:
		used[memberValue] = true
		if tv, ok := obj[memberValue]; ok && tv != nil {
			if s, ok := e.simple(t.Value, tv, at(ptr, memberValue)); ok {
				e.w.text(s)
			}
		} else if !ok {
			e.problem(at(ptr, memberValue), "missing the element's value", e.c.typeLabel(t.Value))
		}
	case t.Particle != nil:
		if t.Content == xsd.ContentMixed {
			used[memberValue] = true
			switch tv := obj[memberValue].(type) {
			case string:
				e.text(tv, at(ptr, memberValue))
			case nil:
			default:
				e.problem(at(ptr, memberValue), "got "+jsonType(tv), "a string (the text of mixed content)")
			}
		}
		e.particle(t.Particle, p, obj, ptr, true, 1, used)
	}
	// The list of members is only needed to report an unknown one.
	for k := range obj {
		if _, declared := p.byName[k]; used[k] || declared || p.any && k == memberAny {
			continue
		}
		var names []string
		for _, m := range p.members {
			names = append(names, m.name)
		}
		if p.any {
			names = append(names, memberAny)
		}
		known := used
		for _, n := range names {
			known[n] = true
		}
		e.unknown(obj, known, ptr, names)
		break
	}
}

func hasRequiredAttr(t *xsd.Type) bool {
	for _, a := range t.Attrs {
		if a.Required {
			return true
		}
	}
	return false
}

// present reports whether any member a particle can produce is in obj.
func (e *encoder) present(pt *xsd.Particle, p *plan, obj map[string]any) bool {
	switch pt.Kind {
	case xsd.PAny:
		_, ok := obj[memberAny]
		return ok
	case xsd.PElement:
		if _, ok := obj[p.members[p.elemMem[pt.Element]].name]; ok {
			return true
		}
		for _, sub := range e.c.s.Element(pt.Element).Substitutes {
			if _, ok := obj[p.members[p.elemMem[sub]].name]; ok {
				return true
			}
		}
		return false
	}
	for i := range pt.Children {
		if e.present(&pt.Children[i], p, obj) {
			return true
		}
	}
	return false
}

// particle writes the elements of a content model in schema order. must
// says whether the particle has to appear (its enclosing groups do);
// outer is how often its enclosing groups may occur together (Unbounded
// or a product of their maxOccurs), which bounds the arrays of the
// elements inside.
func (e *encoder) particle(pt *xsd.Particle, p *plan, obj map[string]any, ptr *jpath, must bool, outer int, used map[string]bool) {
	required := must && pt.Min > 0
	switch pt.Kind {
	case xsd.PAny:
		used[memberAny] = true
		e.wildcard(obj[memberAny], at(ptr, memberAny), required)
	case xsd.PElement:
		e.elementParticle(pt, p, obj, ptr, required, outer, used)
	case xsd.PSequence, xsd.PAll:
		if pt.Kind == xsd.PSequence && pt.Repeated() && e.plainElements(pt) {
			e.repeatedSequence(pt, p, obj, ptr, required, outer, used)
			return
		}
		here := required || e.present(pt, p, obj)
		for i := range pt.Children {
			e.particle(&pt.Children[i], p, obj, ptr, here, xsd.MulOccurs(outer, pt.Max), used)
		}
	case xsd.PChoice:
		var chosen []int
		for i := range pt.Children {
			if e.present(&pt.Children[i], p, obj) {
				chosen = append(chosen, i)
			}
		}
		switch {
		case len(chosen) == 0 && required && !pt.Emptiable():
			e.problem(ptr, "missing a choice", "one of "+strings.Join(quoteAll(e.branchNames(pt, p)), ", "))
		case len(chosen) > 1 && !pt.Repeated():
			var got []string
			for _, i := range chosen {
				got = append(got, e.branchNames(&pt.Children[i], p)...)
			}
			e.problem(ptr, "members of more than one choice: "+strings.Join(quoteAll(got), ", "), "only one of "+strings.Join(quoteAll(e.branchNames(pt, p)), ", "))
		}
		for _, i := range chosen {
			e.particle(&pt.Children[i], p, obj, ptr, true, xsd.MulOccurs(outer, pt.Max), used)
		}
		for i := range pt.Children {
			e.markUsed(&pt.Children[i], p, used)
		}
	}
}

// plainElements reports whether every child of pt is an element particle
// without substitutes: a repeated sequence the encoder can write
// repetition by repetition.
func (e *encoder) plainElements(pt *xsd.Particle) bool {
	for i := range pt.Children {
		c := &pt.Children[i]
		if c.Kind != xsd.PElement || len(e.c.s.Element(c.Element).Substitutes) > 0 {
			return false
		}
	}
	return len(pt.Children) > 0
}

// repeatedSequence writes a repeated sequence of elements, whose members
// are arrays holding each element's occurrences in all the repetitions.
// There are as many repetitions as the longest array needs (its length
// over the element's maxOccurs), and each array is shared out evenly
// among them, in order: ["a", "b"] and [1, 2] for (key, value)* are
// written key a, value 1, key b, value 2. An element that must occur in
// each repetition needs enough items for all of them.
func (e *encoder) repeatedSequence(pt *xsd.Particle, p *plan, obj map[string]any, ptr *jpath, required bool, outer int, used map[string]bool) {
	type child struct {
		id    xsd.ElemID
		ptr   *jpath
		items []any
	}
	children := make([]child, len(pt.Children))
	rounds := 0
	for i := range pt.Children {
		c := &pt.Children[i]
		m := p.members[p.elemMem[c.Element]]
		used[m.name] = true
		ch := child{id: c.Element, ptr: at(ptr, m.name)}
		if v, ok := obj[m.name]; ok && v != nil {
			items, isArr := v.([]any)
			if !isArr {
				e.problem(ch.ptr, "got "+jsonType(v), "an array")
			}
			ch.items = items
		}
		n := len(ch.items)
		if n > 0 && c.Max != xsd.Unbounded {
			n = (n + c.Max - 1) / c.Max
		} else if n > 0 {
			n = 1
		}
		rounds = max(rounds, n)
		children[i] = ch
	}
	if required {
		// (Models cached before bounds were capped may hold larger.)
		rounds = max(rounds, min(pt.Min, xsd.MaxOccurs))
	}
	limit := xsd.MulOccurs(outer, pt.Max)
	for i, ch := range children {
		c := &pt.Children[i]
		if want := rounds * c.Min; len(ch.items) < want {
			e.problem(ch.ptr, fmt.Sprintf("%d items", len(ch.items)), fmt.Sprintf("at least %d (%d in each of %d repetitions of its sequence)", want, c.Min, rounds))
		}
		if most := xsd.MulOccurs(limit, c.Max); most != xsd.Unbounded && len(ch.items) > most {
			e.problem(ch.ptr, fmt.Sprintf("%d items", len(ch.items)), fmt.Sprintf("at most %d", most))
		}
	}
	for r := range rounds {
		for _, ch := range children {
			n := len(ch.items)
			for j := r * n / rounds; j < (r+1)*n/rounds; j++ {
				e.element(ch.id, ch.items[j], true, atIndex(ch.ptr, j), 1)
			}
		}
	}
}

func (e *encoder) markUsed(pt *xsd.Particle, p *plan, used map[string]bool) {
	switch pt.Kind {
	case xsd.PElement:
		used[p.members[p.elemMem[pt.Element]].name] = true
	case xsd.PAny:
		used[memberAny] = true
	default:
		for i := range pt.Children {
			e.markUsed(&pt.Children[i], p, used)
		}
	}
}

// branchNames lists the member names a particle can produce, for messages.
func (e *encoder) branchNames(pt *xsd.Particle, p *plan) []string {
	switch pt.Kind {
	case xsd.PElement:
		return []string{p.members[p.elemMem[pt.Element]].name}
	case xsd.PAny:
		return []string{memberAny}
	}
	var out []string
	for i := range pt.Children {
		out = append(out, e.branchNames(&pt.Children[i], p)...)
	}
	return out
}

func (e *encoder) elementParticle(pt *xsd.Particle, p *plan, obj map[string]any, ptr *jpath, required bool, outer int, used map[string]bool) {
	s := e.c.s
	ids := append([]xsd.ElemID{pt.Element}, s.Element(pt.Element).Substitutes...)
	found := false
	for _, id := range ids {
		m := p.members[p.elemMem[id]]
		used[m.name] = true
		v, ok := obj[m.name]
		if !ok {
			continue
		}
		found = true
		mptr := at(ptr, m.name)
		if !m.repeated {
			if v == nil && !s.Element(id).Nillable {
				if required {
					e.problem(mptr, "null for a required element that is not nillable", e.c.typeLabel(s.Element(id).Type))
				}
				continue
			}
			e.element(id, v, true, mptr, 1)
			continue
		}
		items, isArr := v.([]any)
		if !isArr {
			if v == nil {
				continue
			}
			e.problem(mptr, "got "+jsonType(v), "an array")
			continue
		}
		if len(items) < pt.Min && required {
			e.problem(mptr, fmt.Sprintf("%d items", len(items)), fmt.Sprintf("at least %d", pt.Min))
		}
		if most := xsd.MulOccurs(outer, pt.Max); most != xsd.Unbounded && len(items) > most {
			e.problem(mptr, fmt.Sprintf("%d items", len(items)), fmt.Sprintf("at most %d", most))
		}
		for i, it := range items {
			e.element(id, it, true, atIndex(mptr, i), 1)
		}
	}
	if !found && required {
		m := p.members[p.elemMem[pt.Element]]
		e.problem(at(ptr, m.name), "missing required member", e.c.typeLabel(s.Element(pt.Element).Type))
	}
}

// wildcard writes "$any": an array of XML strings, each checked to be one
// well-formed element.
func (e *encoder) wildcard(v any, ptr *jpath, required bool) {
	if v == nil {
		if required {
			e.problem(ptr, "missing required wildcard content", "an array of XML strings")
		}
		return
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	for i, it := range items {
		s, ok := it.(string)
		iptr := atIndex(ptr, i)
		if !ok {
			e.problem(iptr, "got "+jsonType(it), "an XML string")
			continue
		}
		if _, err := CheckElement(s, e.ver); err != nil {
			e.problem(iptr, "not well-formed XML: "+err.Error(), "one XML element")
			continue
		}
		e.w.raw(s)
	}
}

// simple validates a JSON value for a simple type and returns its lexical
// form.
func (e *encoder) simple(id xsd.TypeID, v any, ptr *jpath) (string, bool) {
	s, ok := e.simpleValue(id, v, ptr)
	if ok && !e.xmlChars(s, ptr) {
		return "", false
	}
	return s, ok
}

// xmlChars reports whether XML 1.0 can carry s, reporting the problem when
// it cannot: control characters other than tab, line feed and carriage
// return, U+FFFE and U+FFFF have no form in XML, not even a character
// reference, and a request is refused rather than altered.
func (e *encoder) xmlChars(s string, ptr *jpath) bool {
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xFFFE || r == 0xFFFF {
			e.problem(ptr, fmt.Sprintf("the text holds U+%04X, which XML cannot carry", r), "text without control characters other than tab and line breaks")
			return false
		}
	}
	return true
}

// text writes request text as element content, when XML can carry it.
func (e *encoder) text(s string, ptr *jpath) {
	if e.xmlChars(s, ptr) {
		e.w.text(s)
	}
}

// simpleValue is simple without the check of the characters.
func (e *encoder) simpleValue(id xsd.TypeID, v any, ptr *jpath) (string, bool) {
	t := e.c.s.Type(id)
	switch t.Variety {
	case xsd.List:
		items, ok := v.([]any)
		if !ok {
			if s, isStr := v.(string); isStr {
				return s, true
			}
			e.problem(ptr, "got "+jsonType(v), "an array (a list of "+t.Builtin.String()+")")
			return "", false
		}
		parts := make([]string, 0, len(items))
		okAll := true
		for i, it := range items {
			s, ok := e.simple(t.Item, it, atIndex(ptr, i))
			okAll = okAll && ok
			parts = append(parts, s)
		}
		return strings.Join(parts, " "), okAll
	case xsd.Union:
		for _, m := range t.Members {
			if s, ok, _ := fromJSON(e.c.s.Type(m), v); ok {
				if good, _ := e.c.check(m).check(whitespace(e.c.s.Type(m), s)); good {
					return s, true
				}
			}
		}
		e.problem(ptr, fmt.Sprintf("%s fits no member of the union", jsonType(v)), e.c.typeLabel(id))
		return "", false
	}
	if t.Builtin == xsd.QNameType {
		if s, ok := v.(string); ok && strings.HasPrefix(s, "{") {
			if ns, local, ok := strings.Cut(s[1:], "}"); ok {
				return e.w.qnameValue(xsd.QName{Space: ns, Local: local}), true
			}
		}
	}
	s, ok, exp := fromJSON(t, v)
	if !ok {
		e.problem(ptr, "got "+jsonType(v), exp)
		return "", false
	}
	s = whitespace(t, s)
	if good, exp := e.c.check(id).check(s); !good {
		e.problem(ptr, fmt.Sprintf("%s does not fit %s", QuoteCut(s), e.c.typeLabel(id)), exp)
		return "", false
	}
	return s, true
}

// anyValue writes a value of xsd:anyType: scalars as text, objects as child
// elements named by their members, arrays as repeated elements.
func (e *encoder) anyValue(v any, ptr *jpath) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == memberValue {
				switch t := x[k].(type) {
				case string:
					e.text(t, at(ptr, k))
				case json.Number:
					e.w.text(t.String())
				case bool:
					e.w.text(strconv.FormatBool(t))
				case nil:
				default:
					e.problem(at(ptr, k), "got "+jsonType(t), "a string, number or boolean (the element's text)")
				}
				continue
			}
			if k == memberAny {
				e.wildcard(x[k], at(ptr, k), false)
				continue
			}
			if !validName(k) {
				e.problem(at(ptr, k), "not an XML name", "a member name usable as an element name")
				continue
			}
			items, isArr := x[k].([]any)
			if !isArr {
				items = []any{x[k]}
			}
			for i, it := range items {
				if e.anyTooLarge {
					return
				}
				if len(e.w.b) > e.maxAnyOut {
					e.anyTooLarge = true
					e.problem(at(ptr, k), fmt.Sprintf("the XML of the anyType content would be more than %d bytes, %d times the request's size: its member names are repeated for every item", e.maxAnyOut, maxAnyRatio),
						"shorter member names or fewer items")
					return
				}
				e.w.start(xsd.QName{Local: k})
				if it == nil {
					e.w.attr(xsd.QName{Space: xsd.NSXSI, Local: "nil"}, "true")
				} else {
					iptr := at(ptr, k)
					if isArr {
						iptr = atIndex(iptr, i)
					}
					e.anyValue(it, iptr)
				}
				e.w.end()
			}
		}
	case []any:
		e.problem(ptr, "an array where one value is expected", "a string, number, boolean or object")
	case string:
		e.text(x, ptr)
	case json.Number:
		e.w.text(x.String())
	case bool:
		e.w.text(strconv.FormatBool(x))
	}
}

// QuoteCut quotes a value or name a request gave for a message, cut
// after 64 characters: a request's value, or a URL path, can be megabytes
// long.
func QuoteCut(s string) string {
	n := 0
	for i := range s {
		if n == 64 {
			return fmt.Sprintf("%q… (%d bytes)", s[:i], len(s))
		}
		n++
	}
	return strconv.Quote(s)
}

// validName reports whether s is an XML name without a colon (an NCName,
// by the NameStartChar and NameChar ranges of XML 1.0, fifth edition),
// usable as an element name without a prefix.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !nameStartChar(r) && (i == 0 || !(r == '-' || r == '.' || r >= '0' && r <= '9' || r == 0xB7 ||
			r >= 0x300 && r <= 0x36F || r >= 0x203F && r <= 0x2040)) {
			return false
		}
	}
	return true
}

func nameStartChar(r rune) bool {
	switch {
	case r < 0x80:
		return r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
	case r < 0x2000:
		return r >= 0xC0 && r <= 0xD6 || r >= 0xD8 && r <= 0xF6 || r >= 0xF8 && r <= 0x2FF ||
			r >= 0x370 && r <= 0x37D || r >= 0x37F
	}
	return r >= 0x200C && r <= 0x200D || r >= 0x2070 && r <= 0x218F || r >= 0x2C00 && r <= 0x2FEF ||
		r >= 0x3001 && r <= 0xD7FF || r >= 0xF900 && r <= 0xFDCF || r >= 0xFDF0 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0xEFFFF
}

// soapArray writes a SOAP-encoded array: a JSON array of items.
func (e *encoder) soapArray(t *xsd.Type, v any, ptr *jpath) {
	items, ok := v.([]any)
	if !ok {
		e.problem(ptr, "got "+jsonType(v), "an array")
		return
	}
	item := e.c.s.Type(t.ArrayItem)
	itemName := item.Name
	if itemName.IsZero() {
		itemName = xsd.QName{Space: xsd.NSXSD, Local: "anyType"}
	}
	enc := e.encNS()
	if e.ver == wsdl.SOAP12 {
		e.w.attr(xsd.QName{Space: enc, Local: "itemType"}, e.w.qnameValue(itemName))
		e.w.attr(xsd.QName{Space: enc, Local: "arraySize"}, strconv.Itoa(len(items)))
	} else {
		e.w.attr(xsd.QName{Space: xsd.NSXSI, Local: "type"}, e.w.qnameValue(xsd.QName{Space: enc, Local: "Array"}))
		e.w.attr(xsd.QName{Space: enc, Local: "arrayType"}, e.w.qnameValue(itemName)+"["+strconv.Itoa(len(items))+"]")
	}
	for i, it := range items {
		e.typedElement(xsd.QName{Local: "item"}, t.ArrayItem, true, it, atIndex(ptr, i))
	}
}
