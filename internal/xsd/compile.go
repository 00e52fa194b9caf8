package xsd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// knownNamespaces are never fetched: their components are built in.
var knownNamespaces = map[string]bool{
	NSXSD: true, NSXSD1999: true, NSXSD2000: true, NSXSI: true,
	NSSOAPEnc: true, NSSOAP12En: true, NSXML: true, NSWSDL: true,
}

// schemaDoc is one xsd:schema element with the context its components are
// read in.
type schemaDoc struct {
	el  *xmltree.Element
	tns string
	// chameleon is set when a schema without targetNamespace was included
	// into tns: its unqualified references then mean tns.
	chameleon      bool
	qualifiedElems bool
	qualifiedAttrs bool
}

// comp is a global component not yet compiled.
type comp struct {
	el   *xmltree.Element
	sd   *schemaDoc
	name QName
	// orig is the component an xsd:redefine replaced; the redefinition's
	// reference to its own name means orig.
	orig *comp
}

// defKey identifies a compiled definition: its element in the schema
// document it is read in. A chameleon schema included into two namespaces
// defines each of its components twice, once in each.
type defKey struct {
	el *xmltree.Element
	sd *schemaDoc
}

type failedImport struct {
	ns  string
	err error
}

// Compiler collects schema documents and compiles them into one Schema.
// Use it from one goroutine: add every schema, then call Compile once.
type Compiler struct {
	// Strict makes every dangling reference an error. Otherwise a
	// reference to a missing type, element, group or attribute is a
	// warning and stands for anyType (or nothing, for groups), the way
	// lenient SOAP clients treat sloppy schemas.
	Strict bool

	loader *fetch.Loader
	chain  []string // "import "b.xsd" from "a.xsd:3"" frames, for errors

	added map[string]bool // schema element identity + effective namespace

	types, elems, attrs, groups, attrGroups map[QName]*comp
	typeOrder, elemOrder, attrOrder         []*comp
	byLocal                                 map[string][]*comp // types by local name, for lenient lookup
	namespaces                              map[string]bool    // target namespaces seen
	failed                                  []failedImport

	out           *Schema
	typeIDs       map[defKey]TypeID
	elemIDs       map[defKey]ElemID
	groupP        map[defKey]*Particle
	agroups       map[defKey]*attrSet
	attrUses      int     // effective attribute uses of the types so far (MaxAttrUses)
	state         []uint8 // per TypeID: 0 queued, 1 building, 2 built
	typeEl        []*comp // per TypeID: its definition (nil for built-ins)
	queue         []TypeID
	inGroup       map[defKey]bool
	err           error
	nBuiltinAttrs int
	// nTypes and nElems count the type definitions and element
	// declarations of the schemas added (each at most once): the
	// compiled tables are sized from them instead of growing.
	nTypes, nElems int
	warnings       []string
	warned         map[string]bool
}

// NewCompiler returns a Compiler that reads imported and included documents
// through l.
func NewCompiler(l *fetch.Loader) *Compiler {
	return &Compiler{
		loader:     l,
		added:      make(map[string]bool),
		types:      make(map[QName]*comp),
		elems:      make(map[QName]*comp),
		attrs:      make(map[QName]*comp),
		groups:     make(map[QName]*comp),
		attrGroups: make(map[QName]*comp),
		byLocal:    make(map[string][]*comp),
		namespaces: make(map[string]bool),
	}
}

// IsSchema reports whether el is an xsd:schema element (of any schema
// namespace version).
func IsSchema(el *xmltree.Element) bool {
	return el.Name.Local == "schema" && isXSD(el.Name.Space)
}

func isXSD(ns string) bool { return ns == NSXSD || ns == NSXSD1999 || ns == NSXSD2000 }

// AddSchema adds an xsd:schema element, inline in a WSDL or the root of a
// schema document, and everything it imports, includes or redefines.
func (c *Compiler) AddSchema(ctx context.Context, el *xmltree.Element) error {
	return c.addSchema(ctx, el, "", false)
}

// SetChain sets the references that led to the schemas added next, such as
// `import "x.wsdl" from a.wsdl:3`: errors about the documents those schemas
// reference name them first.
func (c *Compiler) SetChain(frames []string) { c.chain = append([]string(nil), frames...) }

// HasNamespace reports whether a schema with target namespace ns was added.
func (c *Compiler) HasNamespace(ns string) bool { return c.namespaces[ns] }

func (c *Compiler) addSchema(ctx context.Context, el *xmltree.Element, includer string, including bool) error {
	if !IsSchema(el) {
		return fmt.Errorf("%s: root element is %s, not an XML Schema", el.Position(), el.Name.Local)
	}
	tns, hasTNS := el.Attr("targetNamespace")
	sd := &schemaDoc{el: el, tns: tns}
	if including && !hasTNS {
		sd.tns, sd.chameleon = includer, includer != ""
	} else if including && tns != includer {
		c.warn(el, fmt.Sprintf("included schema has targetNamespace %q, the including schema %q", tns, includer))
	}
	key := fmt.Sprintf("%p|%s", el, sd.tns)
	if c.added[key] {
		return nil
	}
	c.added[key] = true
	c.namespaces[sd.tns] = true
	c.countDecls(el)
	if err := c.tooMany(el); err != nil {
		return err
	}
	sd.qualifiedElems = el.AttrValue("elementFormDefault") == "qualified"
	sd.qualifiedAttrs = el.AttrValue("attributeFormDefault") == "qualified"

	// References (refs.go) lists the documents this loop follows, for the
	// loader to read them ahead: keep the two alike.
	for _, ch := range el.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		switch ch.Name.Local {
		case "import":
			ns := ch.AttrValue("namespace")
			loc, hasLoc := ch.Attr("schemaLocation")
			if knownNamespaces[ns] || !hasLoc || strings.TrimSpace(loc) == "" {
				continue
			}
			if err := c.follow(ctx, ch, "import", loc, func(root *xmltree.Element) error {
				return c.addImported(ctx, root)
			}); err != nil {
				c.failed = append(c.failed, failedImport{ns: ns, err: err})
			}
		case "include", "redefine", "override":
			loc := ch.AttrValue("schemaLocation")
			if strings.TrimSpace(loc) == "" {
				c.warn(ch, ch.Name.Local+" without schemaLocation ignored")
				continue
			}
			err := c.follow(ctx, ch, ch.Name.Local, loc, func(root *xmltree.Element) error {
				return c.addSchema(ctx, root, sd.tns, true)
			})
			if err != nil {
				return err
			}
			if ch.Name.Local != "include" {
				for _, r := range ch.Children {
					c.register(r, sd, true)
				}
			}
		default:
			c.register(ch, sd, false)
		}
	}
	return nil
}

// MaxDeclarations bounds the type definitions and element declarations of
// a schema, a chameleon schema's counted once for each namespace it is
// included into: forty small schemas without a target namespace, each
// including the next twice and included from forty namespaces, made
// 80,000 types of 100 KB. The largest real schemas have tens of
// thousands.
const MaxDeclarations = 1 << 18

// tooMany refuses a schema past MaxDeclarations, naming the document
// that passed it.
func (c *Compiler) tooMany(el *xmltree.Element) error {
	if c.nTypes+c.nElems > MaxDeclarations {
		return fmt.Errorf("%s: the schema has more than %d type definitions and element declarations (those of a schema without targetNamespace counted for each namespace that includes it)", el.Position(), MaxDeclarations)
	}
	return nil
}

// countDecls adds the type definitions and element declarations under el
// to c.nTypes and c.nElems.
func (c *Compiler) countDecls(el *xmltree.Element) {
	for _, ch := range el.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		switch ch.Name.Local {
		case "complexType", "simpleType", "simpleContent":
			// A restriction in simple content may define a type of its own.
			c.nTypes++
		case "element":
			if _, ref := ch.Attr("ref"); !ref {
				c.nElems++
			}
		case "annotation", "import", "include", "redefine", "override":
			continue
		}
		c.countDecls(ch)
	}
}

// addImported adds an imported document's schemas: the document is a schema,
// or a WSDL whose types section holds schemas.
func (c *Compiler) addImported(ctx context.Context, root *xmltree.Element) error {
	if root.Name.Space == NSWSDL && root.Name.Local == "definitions" {
		for _, t := range root.Children {
			if t.Name.Space == NSWSDL && t.Name.Local == "types" {
				for _, s := range t.Children {
					if IsSchema(s) {
						if err := c.addSchema(ctx, s, "", false); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	}
	return c.addSchema(ctx, root, "", false)
}

// follow loads the document at loc relative to the element from and calls
// add with its root, recording the import chain for error messages.
func (c *Compiler) follow(ctx context.Context, from *xmltree.Element, what, loc string, add func(*xmltree.Element) error) error {
	frame := fmt.Sprintf("%s %q from %s", what, strings.TrimSpace(loc), from.Position())
	c.chain = append(c.chain, frame)
	defer func() { c.chain = c.chain[:len(c.chain)-1] }()
	uri, err := c.loader.Resolve(from.Doc.URI, loc)
	if err == nil {
		var doc *xmltree.Document
		doc, err = c.loader.Load(ctx, uri)
		if err == nil {
			return add(doc.Root)
		}
	}
	return fmt.Errorf("%s: %w", strings.Join(c.chain, ": "), err)
}

// fit returns s in an array of its length when more than a quarter of its
// capacity is unused.
func fit[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/4 {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// register records a global component; the first definition of a name
// wins unless redefine is set.
func (c *Compiler) register(el *xmltree.Element, sd *schemaDoc, redefine bool) {
	if !isXSD(el.Name.Space) {
		return
	}
	var m map[QName]*comp
	switch el.Name.Local {
	case "complexType", "simpleType":
		m = c.types
	case "element":
		m = c.elems
	case "attribute":
		m = c.attrs
	case "group":
		m = c.groups
	case "attributeGroup":
		m = c.attrGroups
	default:
		return
	}
	name, ok := el.Attr("name")
	if !ok {
		c.warn(el, fmt.Sprintf("global %s without a name ignored", el.Name.Local))
		return
	}
	q := QName{sd.tns, strings.TrimSpace(name)}
	cp := &comp{el: el, sd: sd, name: q}
	if old, dup := m[q]; dup {
		if !redefine {
			return
		}
		cp.orig = old
	} else {
		switch el.Name.Local {
		case "complexType", "simpleType":
			c.typeOrder = append(c.typeOrder, cp)
			c.byLocal[q.Local] = append(c.byLocal[q.Local], cp)
		case "element":
			c.elemOrder = append(c.elemOrder, cp)
		case "attribute":
			c.attrOrder = append(c.attrOrder, cp)
		}
	}
	if redefine && cp.orig != nil {
		// Keep declaration order: the redefinition takes the original's slot.
		replace(c.typeOrder, cp.orig, cp)
	}
	m[q] = cp
}

func replace(list []*comp, old, repl *comp) {
	for i := range list {
		if list[i] == old {
			list[i] = repl
		}
	}
}

// Compile compiles every component added. It reports the first error, with
// the document and line it concerns; problems it tolerates are in
// Schema.Warnings.
func (c *Compiler) Compile() (*Schema, error) {
	if len(c.failed) > 0 {
		return nil, fmt.Errorf("xsd: %w", c.failed[0].err)
	}
	if c.nTypes+c.nElems > MaxDeclarations {
		return nil, fmt.Errorf("xsd: more than %d type definitions and element declarations", MaxDeclarations)
	}
	types := builtinTypes()
	c.out = &Schema{
		Types:      append(make([]Type, 0, len(types)+c.nTypes), types...),
		Attributes: builtinAttributes(),
	}
	if c.nElems > 0 {
		c.out.Elements = make([]Element, 0, c.nElems)
	}
	c.nBuiltinAttrs = len(c.out.Attributes)
	c.typeIDs = make(map[defKey]TypeID, c.nTypes)
	c.elemIDs = make(map[defKey]ElemID, c.nElems)
	c.groupP = make(map[defKey]*Particle)
	c.agroups = make(map[defKey]*attrSet)
	c.inGroup = make(map[defKey]bool)
	c.state = make([]uint8, len(c.out.Types), cap(c.out.Types))
	c.typeEl = make([]*comp, len(c.out.Types), cap(c.out.Types))
	for i := range c.state {
		c.state[i] = built
	}
	// Only the first error is reported: the loops stop at it, so what a
	// refused schema would still make (past a bound) is not made.
	for _, t := range c.typeOrder {
		if c.err != nil {
			return nil, c.err
		}
		c.namedType(c.types[t.name])
	}
	for _, e := range c.elemOrder {
		if c.err != nil {
			return nil, c.err
		}
		c.globalElement(c.elems[e.name])
	}
	for _, a := range c.attrOrder {
		c.globalAttribute(c.attrs[a.name])
	}
	for i := 0; i < len(c.queue) && c.err == nil; i++ {
		c.build(c.queue[i])
	}
	if c.err != nil {
		return nil, c.err
	}
	if err := c.checkExpansion(); err != nil {
		return nil, err
	}
	c.linkDerived()
	if c.linkSubstitutions(); c.err != nil {
		return nil, c.err
	}
	c.out.Warnings = c.warnings
	// The schema lives as long as its model: give back the room that
	// appendDoubling left.
	c.out.Types = slices.Clip(fit(c.out.Types))
	c.out.Elements = slices.Clip(fit(c.out.Elements))
	if len(c.out.Elements) == 0 {
		c.out.Elements = nil // as a decoded schema has it
	}
	c.out.Reindex()
	return c.out, nil
}

const (
	queued uint8 = iota
	building
	built
)

// errorf records the first error, positioned at el.
func (c *Compiler) errorf(el *xmltree.Element, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("xsd: %s: %s", el.Position(), fmt.Sprintf(format, args...))
	}
}

func (c *Compiler) warn(el *xmltree.Element, msg string) {
	w := el.Position() + ": " + msg
	if c.warned == nil {
		c.warned = make(map[string]bool)
	}
	if !c.warned[w] {
		c.warned[w] = true
		c.warnings = append(c.warnings, w)
	}
}

// qname resolves a QName-valued attribute of el. In a chameleon-included
// schema an unqualified name means the including schema's namespace. An
// undeclared prefix is an error unless lenient lookup by local name succeeds
// later; the name is returned with an empty namespace and ok=false.
func (c *Compiler) qname(el *xmltree.Element, sd *schemaDoc, v string) (q QName, declared bool) {
	n, err := el.ResolveQName(v)
	if err != nil {
		var up *xmltree.UndeclaredPrefixError
		if errors.As(err, &up) {
			return QName{Local: n.Local}, false
		}
		c.errorf(el, "%v", err)
		return QName{}, false
	}
	q = QName(n)
	if q.Space == "" && sd.chameleon {
		q.Space = sd.tns
	}
	return q, true
}

// lookup finds a global component by QName, falling back, with a warning,
// to the schema's own namespace for an unqualified name and to a unique
// local-name match for a name whose prefix is undeclared or wrong.
func (c *Compiler) lookup(m map[QName]*comp, el *xmltree.Element, sd *schemaDoc, v, what string) *comp {
	q, declared := c.qname(el, sd, v)
	if c.err != nil && q.Local == "" {
		return nil
	}
	if !declared && c.Strict {
		c.dangling(el, "%s %q: prefix not declared", what, v)
		return nil
	}
	if cp := m[q]; cp != nil {
		return cp
	}
	if q.Space == "" {
		if cp := m[QName{sd.tns, q.Local}]; cp != nil {
			c.warn(el, fmt.Sprintf("%s %q has no namespace; using %q of the schema's target namespace", what, v, q.Local))
			return cp
		}
	}
	var found *comp
	n := 0
	for k, cp := range m {
		if k.Local == q.Local {
			found, n = cp, n+1
		}
	}
	if n == 1 {
		if declared {
			c.warn(el, fmt.Sprintf("%s %s not found; using %s of the same local name", what, q, found.name))
		} else {
			c.warn(el, fmt.Sprintf("%s %q has an undeclared prefix; using %s of the same local name", what, v, found.name))
		}
		return found
	}
	if !declared {
		c.dangling(el, "%s %q: prefix not declared", what, v)
	} else {
		c.dangling(el, "%s %s not found", what, q)
	}
	return nil
}

// dangling reports a reference to a missing component: an error in strict
// mode, else a warning saying what stands in for it.
func (c *Compiler) dangling(el *xmltree.Element, format string, args ...any) {
	if c.Strict {
		c.errorf(el, format, args...)
		return
	}
	c.warn(el, fmt.Sprintf(format, args...)+"; treated as anyType")
}

// MaxExpandedParticles bounds the content model of one type as its
// readers walk it, each reference to a group counted with the group's
// particles; MaxExpandedTotal bounds it for all types together. Groups
// are shared in the model, but forty groups each referring twice to the
// next are a trillion particles to a walk (a codec plan, an OpenAPI
// schema): 22 of them took 0.17 s to plan, each one more doubles it.
// Real content models expand to a few hundred.
const (
	MaxExpandedParticles = 1 << 16
	MaxExpandedTotal     = 1 << 22
)

// checkExpansion refuses a schema whose content models expand beyond
// MaxExpandedParticles (one type) or MaxExpandedTotal (all types).
func (c *Compiler) checkExpansion() error {
	memo := map[childrenKey]int{}
	total := 0
	for i := range c.out.Types {
		t := &c.out.Types[i]
		if t.Particle == nil {
			continue
		}
		n := expanded(t.Particle, memo)
		if n > MaxExpandedParticles {
			what := "type " + t.Name.Local
			if t.Name.Local == "" {
				what = "an anonymous type"
			}
			return fmt.Errorf("xsd: %s: the content model of %s expands to more than %d particles (groups referring to groups again and again)", t.Source, what, MaxExpandedParticles)
		}
		if total += n; total > MaxExpandedTotal {
			return fmt.Errorf("xsd: %s: the content models of the types expand to more than %d particles in all", t.Source, MaxExpandedTotal)
		}
	}
	return nil
}

// childrenKey identifies a list of child particles shared by particles.
type childrenKey struct {
	first *Particle
	n     int
}

// expanded counts the particles of a walk of p, at most
// MaxExpandedParticles+1. Particles that share their children (the
// references to one group) share the count in memo, so each group is
// counted once, however often it is referenced.
func expanded(p *Particle, memo map[childrenKey]int) int {
	if len(p.Children) == 0 {
		return 1
	}
	key := childrenKey{&p.Children[0], len(p.Children)}
	if n, ok := memo[key]; ok {
		return n
	}
	n := 1
	for i := range p.Children {
		if n += expanded(&p.Children[i], memo); n > MaxExpandedParticles {
			n = MaxExpandedParticles + 1
			break
		}
	}
	memo[key] = n
	return n
}
