package inspect

import (
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Description is the description of a model. Its JSON encoding is a
// public contract: members are only ever added.
type Description struct {
	Name            string    `json:"name,omitempty"`
	TargetNamespace string    `json:"target_namespace,omitempty"`
	Documentation   string    `json:"documentation,omitempty"`
	Documents       []string  `json:"documents"`
	Services        []Service `json:"services"`
	// Types describes every named complex type the messages use, by
	// name ("{namespace}Local"); fields of such a type refer to it by
	// Field.Type and carry no Fields of their own.
	Types       map[string]*TypeDef `json:"types"`
	Unsupported []string            `json:"unsupported"`
	Warnings    []string            `json:"warnings"`
}

// Service describes a wsdl:service.
type Service struct {
	Name          string `json:"name"`
	Documentation string `json:"documentation,omitempty"`
	Ports         []Port `json:"ports"`
}

// Port describes a SOAP port.
type Port struct {
	Name        string      `json:"name"`
	SOAPVersion string      `json:"soap_version"`
	Address     string      `json:"address"`
	Binding     string      `json:"binding"`
	Transport   string      `json:"transport,omitempty"`
	Policies    []string    `json:"policies"`
	Operations  []Operation `json:"operations"`
}

// Operation describes a bound operation.
type Operation struct {
	Name          string   `json:"name"`
	Documentation string   `json:"documentation,omitempty"`
	Style         string   `json:"style"`
	Use           string   `json:"use"`
	SOAPAction    string   `json:"soap_action"`
	OneWay        bool     `json:"one_way"`
	Policies      []string `json:"policies"`
	Input         *Message `json:"input,omitempty"`
	Output        *Message `json:"output,omitempty"`
	Faults        []Fault  `json:"faults"`
}

// Message describes an input or output message.
type Message struct {
	Message string `json:"message"`
	Use     string `json:"use"`
	// Wrapped is set for document/literal wrapped messages; Body then
	// holds the one wrapper element.
	Wrapped   bool    `json:"wrapped"`
	Namespace string  `json:"namespace,omitempty"`
	Action    string  `json:"action,omitempty"`
	Body      []Field `json:"body"`
	Headers   []Field `json:"headers"`
}

// Fault describes a declared fault and its detail.
type Fault struct {
	Name   string  `json:"name"`
	Detail []Field `json:"detail"`
}

// TypeDef describes a named complex type.
type TypeDef struct {
	Name          string `json:"name"`
	Documentation string `json:"documentation,omitempty"`
	Base          string `json:"base,omitempty"`
	// Derivation is "extension" or "restriction" of Base.
	Derivation string `json:"derivation,omitempty"`
	Abstract   bool   `json:"abstract,omitempty"`
	Mixed      bool   `json:"mixed,omitempty"`
	// Array is set for SOAP-encoded arrays: Fields then describe one item.
	Array   bool     `json:"array,omitempty"`
	Derived []string `json:"derived,omitempty"`
	Fields  []Field  `json:"fields"`
}

// Field is one node of a message's shape: an element, an attribute, the
// text of a simple-content element, a choice, or a wildcard.
type Field struct {
	// Kind is "element", "attribute", "text", "choice", "any", or
	// "sequence"/"all" for a repeated or optional group.
	Kind      string `json:"kind"`
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	// Type is the schema type's name ("int", "tns:Order" as
	// "{urn:x}Order"), empty for an anonymous type.
	Type string `json:"type,omitempty"`
	// Builtin is the built-in type values of a simple type derive from.
	Builtin  string   `json:"builtin,omitempty"`
	Min      int      `json:"min"`
	Max      int      `json:"max"` // -1 for unbounded
	Nillable bool     `json:"nillable,omitempty"`
	Required bool     `json:"required,omitempty"` // attributes
	Abstract bool     `json:"abstract,omitempty"`
	Enum     []string `json:"enum,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
	Default  *string  `json:"default,omitempty"`
	Fixed    *string  `json:"fixed,omitempty"`
	List     bool     `json:"list,omitempty"` // xsd:list: a whitespace-separated list of Builtin
	// Complex is set when Type names a complex type described in
	// Description.Types.
	Complex bool `json:"complex,omitempty"`
	// Recursive is set where an anonymous type contains itself.
	Recursive bool `json:"recursive,omitempty"`
	// Substitutes lists the elements that may stand for this one.
	Substitutes []string `json:"substitutes,omitempty"`
	// Fields describe an anonymous complex type's content.
	Fields []Field `json:"fields,omitempty"`
}

// Describe builds the description of m.
func Describe(m *wsdl.Model) *Description {
	d := &Description{
		Name: m.Name, TargetNamespace: m.TargetNamespace, Documentation: m.Doc,
		Documents:   append([]string{}, m.Documents...),
		Unsupported: append([]string{}, m.Unsupported...),
		Warnings:    append([]string{}, m.Warnings...),
		Services:    []Service{},
		Types:       map[string]*TypeDef{},
	}
	s := m.Schema
	w := &walker{s: s, d: d, onPath: map[xsd.TypeID]bool{}}
	for _, svc := range m.Services {
		ds := Service{Name: svc.Name, Documentation: svc.Doc, Ports: []Port{}}
		for _, p := range svc.Ports {
			b := &m.Bindings[p.Binding]
			dp := Port{
				Name: p.Name, SOAPVersion: string(p.SOAPVersion), Address: p.Address,
				Binding: b.Name.String(), Transport: b.Transport,
				Policies:   policies(p.Policies, b.Policies),
				Operations: []Operation{},
			}
			for i := range b.Operations {
				dp.Operations = append(dp.Operations, w.operation(&b.Operations[i]))
			}
			ds.Ports = append(ds.Ports, dp)
		}
		d.Services = append(d.Services, ds)
	}
	w.drain()
	return d
}

func policies(lists ...[]wsdl.Assertion) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, l := range lists {
		for _, a := range l {
			k := a.Kind
			if a.Optional {
				k += "?"
			}
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

func (w *walker) operation(o *wsdl.Operation) Operation {
	do := Operation{
		Name: o.Name, Documentation: o.Doc, Style: string(o.Style), SOAPAction: o.SOAPAction,
		OneWay: o.OneWay(), Faults: []Fault{}, Policies: policies(o.Policies),
	}
	if o.Input != nil {
		do.Use = string(o.Input.Use)
		do.Input = w.message(o.Input)
	}
	if o.Output != nil {
		do.Output = w.message(o.Output)
		if do.Use == "" {
			do.Use = string(o.Output.Use)
		}
	}
	for _, f := range o.Faults {
		df := Fault{Name: f.Name, Detail: []Field{}}
		for _, p := range f.Parts {
			df.Detail = append(df.Detail, w.part(p))
		}
		do.Faults = append(do.Faults, df)
	}
	return do
}

func (w *walker) message(m *wsdl.Message) *Message {
	dm := &Message{Message: m.Message.String(), Use: string(m.Use), Wrapped: m.Wrapped, Namespace: m.Namespace, Action: m.Action, Body: []Field{}, Headers: []Field{}}
	for _, p := range m.Parts {
		dm.Body = append(dm.Body, w.part(p))
	}
	for _, h := range m.Headers {
		dm.Headers = append(dm.Headers, w.part(h.Part))
	}
	return dm
}

// part describes a message part: its element, or an element named after
// the part with the part's type.
func (w *walker) part(p wsdl.Part) Field {
	if p.Element != xsd.NoElem {
		return w.element(p.Element, 1, 1)
	}
	f := Field{Kind: "element", Name: p.Name, Min: 1, Max: 1}
	w.typed(&f, p.Type)
	return f
}

// walker builds fields, describing each named complex type once in
// Description.Types.
type walker struct {
	s       *xsd.Schema
	d       *Description
	onPath  map[xsd.TypeID]bool
	pending []xsd.TypeID
}

// named queues a named complex type for description and returns its key.
func (w *walker) named(id xsd.TypeID) string {
	key := w.s.Type(id).Name.String()
	if _, ok := w.d.Types[key]; !ok {
		w.d.Types[key] = nil
		w.pending = append(w.pending, id)
	}
	return key
}

// drain describes the queued named types, and those they use in turn.
func (w *walker) drain() {
	for len(w.pending) > 0 {
		id := w.pending[0]
		w.pending = w.pending[1:]
		t := w.s.Type(id)
		td := &TypeDef{Name: t.Name.String(), Documentation: t.Doc, Abstract: t.Abstract, Mixed: t.Content == xsd.ContentMixed, Fields: []Field{}}
		if t.Base != xsd.NoType && t.Base != xsd.TypeID(xsd.AnyType) {
			td.Base = typeName(w.s.Type(t.Base).Name)
			td.Derivation = map[xsd.Derivation]string{xsd.Extension: "extension", xsd.Restriction: "restriction"}[t.Derivation]
			if !w.s.Type(t.Base).Simple && !w.s.Type(t.Base).Name.IsZero() && t.Base >= xsd.TypeID(xsd.SOAPArray) {
				w.named(t.Base)
			}
		}
		for _, d := range t.Derived {
			if n := w.s.Type(d).Name; !n.IsZero() {
				td.Derived = append(td.Derived, typeName(n))
				w.named(d)
			}
		}
		td.Array = t.IsArray()
		td.Fields = w.content(t)
		w.d.Types[td.Name] = td
	}
}

func (w *walker) element(id xsd.ElemID, min, max int) Field {
	e := w.s.Element(id)
	f := Field{Kind: "element", Name: e.Name.Local, Namespace: e.Name.Space, Min: min, Max: max, Nillable: e.Nillable, Abstract: e.Abstract}
	switch e.Constraint.Kind {
	case xsd.DefaultValue:
		v := e.Constraint.Value
		f.Default = &v
	case xsd.FixedValue:
		v := e.Constraint.Value
		f.Fixed = &v
	}
	for _, sub := range e.Substitutes {
		f.Substitutes = append(f.Substitutes, w.s.Element(sub).Name.String())
	}
	w.typed(&f, e.Type)
	return f
}

// typed fills a field's type information: simple types inline, named
// complex types by reference, anonymous complex types as child fields.
func (w *walker) typed(f *Field, id xsd.TypeID) {
	t := w.s.Type(id)
	if !t.Name.IsZero() {
		f.Type = typeName(t.Name)
	}
	if t.Simple {
		simple(f, t)
		return
	}
	if !t.Name.IsZero() {
		if t.Name == (xsd.QName{Space: xsd.NSXSD, Local: "anyType"}) {
			return
		}
		f.Complex = true
		f.Type = w.named(id)
		return
	}
	if w.onPath[id] {
		f.Recursive = true
		return
	}
	w.onPath[id] = true
	defer delete(w.onPath, id)
	f.Fields = w.content(t)
}

// content describes a complex type's attributes, text and elements.
func (w *walker) content(t *xsd.Type) []Field {
	fields := []Field{}
	if t.IsArray() {
		item := Field{Kind: "element", Name: "item", Min: 0, Max: -1}
		w.typed(&item, t.ArrayItem)
		return append(fields, item)
	}
	for _, a := range t.Attrs {
		af := Field{Kind: "attribute", Name: a.Name.Local, Namespace: a.Name.Space, Required: a.Required, Min: 0, Max: 1}
		if a.Required {
			af.Min = 1
		}
		switch a.Constraint.Kind {
		case xsd.DefaultValue:
			v := a.Constraint.Value
			af.Default = &v
		case xsd.FixedValue:
			v := a.Constraint.Value
			af.Fixed = &v
		}
		w.typed(&af, a.Type)
		fields = append(fields, af)
	}
	if t.AnyAttr != nil {
		fields = append(fields, Field{Kind: "any", Name: "@" + t.AnyAttr.Namespace, Min: 0, Max: -1})
	}
	if t.Content == xsd.ContentSimple && t.Value != xsd.NoType {
		tf := Field{Kind: "text", Min: 1, Max: 1}
		simple(&tf, w.s.Type(t.Value))
		return append(fields, tf)
	}
	if t.Particle != nil {
		fields = append(fields, w.particle(t.Particle)...)
	}
	return fields
}

// particle flattens sequences and alls into their children; choices and
// repeated groups keep a node of their own.
func (w *walker) particle(p *xsd.Particle) []Field {
	switch p.Kind {
	case xsd.PElement:
		return []Field{w.element(p.Element, p.Min, maxOccurs(p.Max))}
	case xsd.PAny:
		return []Field{{Kind: "any", Name: p.Any.Namespace, Min: p.Min, Max: maxOccurs(p.Max)}}
	}
	var kids []Field
	for i := range p.Children {
		kids = append(kids, w.particle(&p.Children[i])...)
	}
	if p.Kind == xsd.PChoice || p.Min != 1 || p.Max != 1 {
		kind := "choice"
		if p.Kind != xsd.PChoice {
			kind = p.Kind.String()
		}
		return []Field{{Kind: kind, Min: p.Min, Max: maxOccurs(p.Max), Fields: kids}}
	}
	return kids
}

func maxOccurs(n int) int {
	if n == xsd.Unbounded {
		return -1
	}
	return n
}

func simple(f *Field, t *xsd.Type) {
	f.Builtin = t.Builtin.String()
	f.List = t.Variety == xsd.List
	f.Enum = t.Facets.Enumeration
	f.Patterns = t.Facets.Patterns
}

// typeName prints built-in types by local name and others as {ns}local.
func typeName(q xsd.QName) string {
	if q.Space == xsd.NSXSD {
		return q.Local
	}
	return q.String()
}
