package wsdl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/xmltree"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Namespaces of WSDL 1.1 and its extensions.
const (
	NSWSDL   = "http://schemas.xmlsoap.org/wsdl/"
	NSWSDL20 = "http://www.w3.org/ns/wsdl"
	NSSOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
	NSSOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
	NSHTTP   = "http://schemas.xmlsoap.org/wsdl/http/"
	NSMIME   = "http://schemas.xmlsoap.org/wsdl/mime/"
)

// Mode says how Compile treats dangling references.
type Mode uint8

const (
	// Lenient compiles what can be compiled, the way .NET and node-soap
	// clients accept sloppy WSDLs: a port whose binding is missing, an
	// operation whose message or port type operation is missing, is left
	// out; a missing schema type stands for anyType. Each is a warning
	// with its document and line.
	Lenient Mode = iota
	// Strict makes each of those an error.
	Strict
)

// Open compiles the WSDL at input: a file, a directory, a zip bundle or an
// http(s) URL (see fetch.Open).
func Open(ctx context.Context, input string, opts fetch.Options, mode Mode) (*Model, error) {
	l, entry, err := fetch.Open(input, opts)
	if err != nil {
		return nil, err
	}
	return Compile(ctx, l, entry, mode)
}

// def is a named WSDL definition with the document it came from.
type def struct {
	el  *xmltree.Element
	tns string
}

type compiler struct {
	strict bool
	ctx    context.Context
	loader *fetch.Loader
	xsdc   *xsd.Compiler
	schema *xsd.Schema

	seen     map[string]bool
	messages map[xsd.QName]def
	ports    map[xsd.QName]def
	bindings map[xsd.QName]def
	services []def
	bindOrd  []xsd.QName
	policies map[string]*xmltree.Element
	chain    []string

	m        *Model
	bindIdx  map[xsd.QName]int
	warnings []string
	// ptOps indexes each portType's operations by name, in document
	// order: binding operations find theirs without a scan per operation.
	ptOps map[*xmltree.Element]map[string][]*xmltree.Element
}

// portTypeOps returns the operations of portType pt named name, in
// document order.
func (c *compiler) portTypeOps(pt *xmltree.Element, name string) []*xmltree.Element {
	idx, ok := c.ptOps[pt]
	if !ok {
		idx = make(map[string][]*xmltree.Element)
		for _, ch := range pt.Children {
			if isWSDL(ch, "operation") {
				n := ch.AttrValue("name")
				idx[n] = append(idx[n], ch)
			}
		}
		if c.ptOps == nil {
			c.ptOps = make(map[*xmltree.Element]map[string][]*xmltree.Element)
		}
		c.ptOps[pt] = idx
	}
	return idx[name]
}

// Compile compiles the WSDL whose URI is entry, reading it and its imports
// through l, which reads the documents they reference ahead of the compile
// (see fetch.Loader.ReadAhead) until Compile returns and closes it.
func Compile(ctx context.Context, l *fetch.Loader, entry string, mode Mode) (*Model, error) {
	l.ReadAhead(func(doc *xmltree.Document) []string { return references(l, doc) })
	defer l.Close()
	c := &compiler{
		strict: mode == Strict,
		ctx:    ctx, loader: l, xsdc: xsd.NewCompiler(l),
		seen:     make(map[string]bool),
		messages: make(map[xsd.QName]def),
		ports:    make(map[xsd.QName]def),
		bindings: make(map[xsd.QName]def),
		policies: make(map[string]*xmltree.Element),
		bindIdx:  make(map[xsd.QName]int),
		m:        &Model{},
	}
	c.xsdc.Strict = c.strict
	doc, err := l.Load(ctx, entry)
	if err != nil {
		return nil, fmt.Errorf("wsdl: %w", err)
	}
	root := doc.Root
	switch {
	case root.Name.Space == NSWSDL20:
		return nil, fmt.Errorf("wsdl: %s: WSDL 2.0 is not supported yet; export a WSDL 1.1 description of the service", xmltree.DisplayName(entry))
	case xsd.IsSchema(root):
		return nil, fmt.Errorf("wsdl: %s is an XML Schema, not a WSDL", xmltree.DisplayName(entry))
	case root.Name.Local != "definitions":
		return nil, fmt.Errorf("wsdl: %s: root element is %s, not wsdl:definitions", xmltree.DisplayName(entry), root.Name)
	case root.Name.Space != NSWSDL:
		if c.strict {
			return nil, fmt.Errorf("wsdl: %s: root element is %s, not in the WSDL 1.1 namespace %s", xmltree.DisplayName(entry), root.Name, NSWSDL)
		}
		c.warn(root, "root element is %s, not in the WSDL 1.1 namespace; read as WSDL 1.1", root.Name)
	}
	c.m.Name = root.AttrValue("name")
	c.m.TargetNamespace = root.AttrValue("targetNamespace")
	c.m.Doc = documentation(root)
	if err := c.definitions(root); err != nil {
		return nil, err
	}
	if c.schema, err = c.xsdc.Compile(); err != nil {
		return nil, fmt.Errorf("wsdl: %w", err)
	}
	c.m.Schema = c.schema
	if err := c.build(); err != nil {
		return nil, err
	}
	c.m.Documents = l.DocumentNames()
	parse := l.Warnings()
	if c.strict && len(parse) > 0 {
		return nil, fmt.Errorf("wsdl: %s", parse[0])
	}
	c.m.Warnings = append(append(parse, c.schema.Warnings...), c.warnings...)
	return c.m, nil
}

func (c *compiler) errorf(el *xmltree.Element, format string, args ...any) error {
	return fmt.Errorf("wsdl: %s: %s", el.Position(), fmt.Sprintf(format, args...))
}

func (c *compiler) warn(el *xmltree.Element, format string, args ...any) {
	c.warnings = append(c.warnings, el.Position()+": "+fmt.Sprintf(format, args...))
}

// tolerate returns err in strict mode; in lenient mode it records err as a
// warning, saying what is left out, and returns nil.
func (c *compiler) tolerate(err error, leftOut string) error {
	if c.strict {
		return err
	}
	c.warnings = append(c.warnings, strings.TrimPrefix(err.Error(), "wsdl: ")+"; "+leftOut+" left out")
	return nil
}

// isWSDL reports whether el is the WSDL element local. Elements in the
// namespace of their document's root definitions element count too: some
// WSDLs put everything in their target namespace by mistake.
func isWSDL(el *xmltree.Element, local string) bool {
	return el.Name.Local == local && (el.Name.Space == NSWSDL || el.Doc != nil && el.Name.Space == el.Doc.Root.Name.Space && el.Doc.Root.Name.Local == "definitions")
}

// definitions collects the named definitions of a wsdl:definitions element
// and follows its imports.
func (c *compiler) definitions(root *xmltree.Element) error {
	if c.seen[root.Doc.URI] {
		return nil
	}
	c.seen[root.Doc.URI] = true
	tns := root.AttrValue("targetNamespace")
	c.collectPolicies(root)
	for _, ch := range root.Children {
		if !isWSDL(ch, ch.Name.Local) {
			continue
		}
		name := xsd.QName{Space: tns, Local: ch.AttrValue("name")}
		switch ch.Name.Local {
		case "import":
			if err := c.wsdlImport(ch); err != nil {
				return err
			}
		case "types":
			for _, s := range ch.Children {
				if xsd.IsSchema(s) {
					c.xsdc.SetChain(c.chain)
					if err := c.xsdc.AddSchema(c.ctx, s); err != nil {
						return fmt.Errorf("wsdl: %w", err)
					}
				}
			}
		case "message":
			addDef(c.messages, name, ch, tns, nil)
		case "portType":
			addDef(c.ports, name, ch, tns, nil)
		case "binding":
			if addDef(c.bindings, name, ch, tns, nil) {
				c.bindOrd = append(c.bindOrd, name)
			}
		case "service":
			c.services = append(c.services, def{ch, tns})
		}
	}
	return nil
}

func addDef(m map[xsd.QName]def, q xsd.QName, el *xmltree.Element, tns string, _ any) bool {
	if _, dup := m[q]; dup {
		return false
	}
	m[q] = def{el, tns}
	return true
}

// references lists the URIs of the documents doc imports or includes that
// a compile reads: a WSDL's imports and its schemas' references, a
// schema's references.
func references(l *fetch.Loader, doc *xmltree.Document) []string {
	var uris []string
	add := func(loc string) {
		if uri, err := l.Resolve(doc.URI, loc); err == nil {
			uris = append(uris, uri)
		}
	}
	root := doc.Root
	if xsd.IsSchema(root) {
		for _, loc := range xsd.References(root) {
			add(loc)
		}
		return uris
	}
	for _, ch := range root.Children {
		switch {
		case isWSDL(ch, "import"):
			if loc := strings.TrimSpace(ch.AttrValue("location")); loc != "" {
				add(loc)
			}
		case isWSDL(ch, "types"):
			for _, s := range ch.Children {
				if xsd.IsSchema(s) {
					for _, loc := range xsd.References(s) {
						add(loc)
					}
				}
			}
		}
	}
	return uris
}

// wsdlImport follows a wsdl:import, which may name a WSDL or a schema.
func (c *compiler) wsdlImport(el *xmltree.Element) error {
	loc := strings.TrimSpace(el.AttrValue("location"))
	if loc == "" {
		c.warn(el, "wsdl:import of namespace %q without location ignored", el.AttrValue("namespace"))
		return nil
	}
	frame := fmt.Sprintf("import %q from %s", loc, el.Position())
	c.chain = append(c.chain, frame)
	defer func() { c.chain = c.chain[:len(c.chain)-1] }()
	fail := func(err error) error {
		return fmt.Errorf("wsdl: %s: %w", strings.Join(c.chain, ": "), err)
	}
	uri, err := c.loader.Resolve(el.Doc.URI, loc)
	if err != nil {
		return fail(err)
	}
	doc, err := c.loader.Load(c.ctx, uri)
	if err != nil {
		return fail(err)
	}
	switch {
	case xsd.IsSchema(doc.Root):
		c.xsdc.SetChain(c.chain)
		if err := c.xsdc.AddSchema(c.ctx, doc.Root); err != nil {
			return fmt.Errorf("wsdl: %w", err) // it names the chain
		}
		return nil
	case isWSDL(doc.Root, "definitions"):
		return c.definitions(doc.Root)
	default:
		return fail(fmt.Errorf("%s is neither a WSDL nor an XML Schema (root %s)", xmltree.DisplayName(uri), doc.Root.Name))
	}
}

// resolve looks a QName-valued attribute up in a definitions map, leniently
// by local name when the prefix is undeclared or the namespace wrong.
func (c *compiler) resolve(m map[xsd.QName]def, el *xmltree.Element, attr, what string) (xsd.QName, def, error) {
	v := el.AttrValue(attr)
	if v == "" {
		return xsd.QName{}, def{}, c.errorf(el, "%s without %s", el.Name.Local, attr)
	}
	n, err := el.ResolveQName(v)
	var up *xmltree.UndeclaredPrefixError
	if err != nil && (!errors.As(err, &up) || c.strict) {
		return xsd.QName{}, def{}, c.errorf(el, "%s %q: %v", what, v, err)
	}
	q := xsd.QName(n)
	if d, ok := m[q]; ok && err == nil {
		return q, d, nil
	}
	var found []xsd.QName
	for k := range m {
		if k.Local == q.Local {
			found = append(found, k)
		}
	}
	if len(found) == 1 {
		if err != nil {
			c.warn(el, "%s %q: %v; using %s", what, v, err, found[0])
		} else {
			c.warn(el, "%s %s not found; using %s of the same local name", what, q, found[0])
		}
		return found[0], m[found[0]], nil
	}
	if err != nil {
		return q, def{}, c.errorf(el, "%s %q: %v", what, v, err)
	}
	return q, def{}, c.errorf(el, "%s %s not found", what, q)
}

// build turns the collected definitions into the model.
func (c *compiler) build() error {
	for _, s := range c.services {
		svc := Service{Name: s.el.AttrValue("name"), Doc: documentation(s.el)}
		for _, p := range s.el.Children {
			if !isWSDL(p, "port") {
				continue
			}
			port, ok, err := c.port(p)
			if err != nil {
				if err := c.tolerate(err, fmt.Sprintf("port %q", p.AttrValue("name"))); err != nil {
					return err
				}
			}
			if ok {
				svc.Ports = append(svc.Ports, port)
			}
		}
		c.m.Services = append(c.m.Services, svc)
	}
	// Bindings no port uses are compiled too (an endpoint override makes
	// them callable), but their problems are only warnings.
	for _, q := range c.bindOrd {
		if _, done := c.bindIdx[q]; done {
			continue
		}
		if _, err := c.binding(q, c.bindings[q]); err != nil {
			c.warnings = append(c.warnings, strings.TrimPrefix(err.Error(), "wsdl: ")+" (binding used by no port; skipped)")
		}
	}
	return nil
}

func (c *compiler) port(p *xmltree.Element) (Port, bool, error) {
	port := Port{Name: p.AttrValue("name"), Policies: c.attached(p)}
	q, b, err := c.resolve(c.bindings, p, "binding", "binding")
	if err != nil {
		return port, false, err
	}
	idx, err := c.binding(q, b)
	if err != nil {
		return port, false, err
	}
	if idx < 0 {
		c.m.Unsupported = append(c.m.Unsupported, fmt.Sprintf("port %s: %s", port.Name, unsupportedKind(b.el)))
		return port, false, nil
	}
	port.Binding = idx
	port.SOAPVersion = c.m.Bindings[idx].SOAPVersion
	for _, a := range p.Children {
		if a.Name.Local == "address" && (a.Name.Space == NSSOAP11 || a.Name.Space == NSSOAP12) {
			port.Address = strings.TrimSpace(a.AttrValue("location"))
		}
	}
	return port, true, nil
}

func unsupportedKind(b *xmltree.Element) string {
	for _, ch := range b.Children {
		if ch.Name.Local == "binding" {
			switch ch.Name.Space {
			case NSHTTP:
				return "HTTP binding (" + ch.AttrValue("verb") + ") not supported"
			}
			return "binding of namespace " + ch.Name.Space + " not supported"
		}
	}
	return "binding without a SOAP binding element not supported"
}

// soapVersion tells the SOAP version of a binding element's extensions.
func soapVersion(el *xmltree.Element) (SOAPVersion, *xmltree.Element) {
	for _, ch := range el.Children {
		if ch.Name.Local == "binding" {
			switch ch.Name.Space {
			case NSSOAP11:
				return SOAP11, ch
			case NSSOAP12:
				return SOAP12, ch
			}
		}
	}
	return "", nil
}

// binding compiles a binding once, returning its index, or -1 for a
// binding that is not SOAP.
func (c *compiler) binding(q xsd.QName, d def) (int, error) {
	if i, ok := c.bindIdx[q]; ok {
		return i, nil
	}
	ver, sb := soapVersion(d.el)
	if sb == nil {
		c.bindIdx[q] = -1
		return -1, nil
	}
	b := Binding{Name: q, SOAPVersion: ver, Transport: sb.AttrValue("transport"), Style: Style(sb.AttrValue("style")), Policies: c.attached(d.el)}
	if b.Style == "" {
		b.Style = Document
	}
	ptName, pt, err := c.resolve(c.ports, d.el, "type", "portType")
	if err != nil {
		return 0, err
	}
	b.PortType = ptName
	for _, op := range d.el.Children {
		if !isWSDL(op, "operation") {
			continue
		}
		o, ok, err := c.operation(op, pt, b)
		if err != nil {
			if err := c.tolerate(err, fmt.Sprintf("operation %q", op.AttrValue("name"))); err != nil {
				return 0, err
			}
		}
		if ok {
			b.Operations = append(b.Operations, o)
		}
	}
	i := len(c.m.Bindings)
	c.m.Bindings = append(c.m.Bindings, b)
	c.bindIdx[q] = i
	return i, nil
}

// operation compiles one binding operation against its port type.
func (c *compiler) operation(bop *xmltree.Element, pt def, b Binding) (Operation, bool, error) {
	name := bop.AttrValue("name")
	o := Operation{Name: name, Style: b.Style, Policies: c.attached(bop)}
	var pop *xmltree.Element
	inName := ""
	if in := firstWSDL(bop, "input"); in != nil {
		inName = in.AttrValue("name")
	}
	for _, ch := range c.portTypeOps(pt.el, name) {
		if pop == nil {
			pop = ch
		} else if in := firstWSDL(ch, "input"); in != nil && inName != "" && in.AttrValue("name") == inName {
			pop = ch
		}
	}
	if pop == nil {
		return o, false, c.errorf(bop, "operation %q is not in portType %q", name, pt.el.AttrValue("name"))
	}
	o.Doc = documentation(pop)
	if d := documentation(bop); d != "" && o.Doc == "" {
		o.Doc = d
	}
	for _, ch := range bop.Children {
		if ch.Name.Local == "operation" && (ch.Name.Space == NSSOAP11 || ch.Name.Space == NSSOAP12) {
			o.SOAPAction = ch.AttrValue("soapAction")
			if s := ch.AttrValue("style"); s != "" {
				o.Style = Style(s)
			}
		}
	}
	if o.Style != Document && o.Style != RPC {
		return o, false, c.errorf(bop, "operation %q has style %q; want document or rpc", name, o.Style)
	}
	var first string
	for _, ch := range pop.Children {
		if isWSDL(ch, "input") || isWSDL(ch, "output") {
			if first == "" {
				first = ch.Name.Local
			}
		}
	}
	if first == "output" {
		// Notification and solicit-response operations have no request
		// of their own; sloppy WSDLs use them for operations without
		// parameters. They are called with an empty body.
		c.warn(pop, "operation %q has no input before its output; it is called with an empty body", name)
	}
	var err error
	if in := firstWSDL(pop, "input"); in != nil {
		if o.Input, err = c.message(in, firstWSDL(bop, "input"), o.Style); err != nil {
			return o, false, err
		}
	}
	if out := firstWSDL(pop, "output"); out != nil {
		if o.Output, err = c.message(out, firstWSDL(bop, "output"), o.Style); err != nil {
			return o, false, err
		}
	}
	for _, pf := range pop.Children {
		if !isWSDL(pf, "fault") {
			continue
		}
		f, err := c.fault(pf, bop)
		if err != nil {
			if err := c.tolerate(err, fmt.Sprintf("fault %q", pf.AttrValue("name"))); err != nil {
				return o, false, err
			}
			continue
		}
		o.Faults = append(o.Faults, f)
	}
	c.detectWrapped(&o)
	return o, true, nil
}

func firstWSDL(el *xmltree.Element, local string) *xmltree.Element {
	for _, ch := range el.Children {
		if isWSDL(ch, local) {
			return ch
		}
	}
	return nil
}

func isSOAP(el *xmltree.Element, local string) bool {
	return el.Name.Local == local && (el.Name.Space == NSSOAP11 || el.Name.Space == NSSOAP12)
}

// message compiles the port type's input or output (pm) with its binding
// (bm, which may be nil).
func (c *compiler) message(pm, bm *xmltree.Element, style Style) (*Message, error) {
	mq, md, err := c.resolve(c.messages, pm, "message", "message")
	if err != nil {
		return nil, err
	}
	msg := &Message{Message: mq, Use: Literal}
	for _, a := range pm.Attrs {
		if a.Name.Local == "Action" && strings.Contains(a.Name.Space, "addressing") {
			msg.Action = a.Value
		}
	}
	parts, err := c.parts(md, style)
	if err != nil {
		return nil, err
	}
	if bm == nil {
		msg.Parts = parts
		return msg, nil
	}
	msg.Policies = c.attached(bm)
	body := findBody(bm)
	var only []string
	hasPartsAttr := false
	if body != nil {
		msg.Use = Use(body.AttrValue("use"))
		if msg.Use == "" {
			msg.Use = Literal
		}
		msg.Namespace = body.AttrValue("namespace")
		msg.EncodingStyle = body.AttrValue("encodingStyle")
		if v, ok := body.Attr("parts"); ok {
			hasPartsAttr = true
			only = strings.Fields(v)
		}
	}
	headerParts := map[string]bool{}
	for _, h := range findAll(bm, "header") {
		hq, hd, err := c.resolve(c.messages, h, "message", "header message")
		if err == nil {
			_, err = c.parts(hd, Document)
		}
		if err != nil {
			if err := c.tolerate(err, fmt.Sprintf("header %q", h.AttrValue("part"))); err != nil {
				return nil, err
			}
			continue
		}
		hparts, _ := c.parts(hd, Document)
		pname := h.AttrValue("part")
		var part *Part
		for i := range hparts {
			if hparts[i].Name == pname {
				part = &hparts[i]
			}
		}
		if part == nil {
			if err := c.tolerate(c.errorf(h, "header part %q is not in message %s", pname, hq.Local), "header"); err != nil {
				return nil, err
			}
			continue
		}
		use := Use(h.AttrValue("use"))
		if use == "" {
			use = Literal
		}
		msg.Headers = append(msg.Headers, Header{Message: hq, Part: *part, Use: use, Namespace: h.AttrValue("namespace"), EncodingStyle: h.AttrValue("encodingStyle")})
		if hq == mq {
			headerParts[pname] = true
		}
	}
	for _, p := range parts {
		switch {
		case hasPartsAttr:
			for _, n := range only {
				if n == p.Name {
					msg.Parts = append(msg.Parts, p)
				}
			}
		case !headerParts[p.Name]:
			msg.Parts = append(msg.Parts, p)
		}
	}
	return msg, nil
}

// findBody finds soap:body directly or inside a MIME multipart binding.
func findBody(el *xmltree.Element) *xmltree.Element {
	for _, ch := range el.Children {
		if isSOAP(ch, "body") {
			return ch
		}
		if ch.Name.Space == NSMIME {
			if b := findBody(ch); b != nil {
				return b
			}
		}
	}
	return nil
}

func findAll(el *xmltree.Element, local string) []*xmltree.Element {
	var out []*xmltree.Element
	for _, ch := range el.Children {
		if isSOAP(ch, local) {
			out = append(out, ch)
		}
		if ch.Name.Space == NSMIME {
			out = append(out, findAll(ch, local)...)
		}
	}
	return out
}

// parts compiles a wsdl:message's parts.
func (c *compiler) parts(md def, style Style) ([]Part, error) {
	var parts []Part
	for _, p := range md.el.Children {
		if !isWSDL(p, "part") {
			continue
		}
		part := Part{Name: p.AttrValue("name"), Element: xsd.NoElem, Type: xsd.NoType}
		if v, ok := p.Attr("element"); ok {
			id, err := c.schemaRef(p, v, true)
			if err != nil {
				return nil, err
			}
			part.Element = xsd.ElemID(id)
		} else if v, ok := p.Attr("type"); ok {
			id, err := c.schemaRef(p, v, false)
			if err != nil {
				return nil, err
			}
			part.Type = xsd.TypeID(id)
		} else {
			return nil, c.errorf(p, "part %q has neither element nor type", part.Name)
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// schemaRef resolves a part's element or type reference in the compiled
// schema, leniently by local name when the prefix is undeclared.
func (c *compiler) schemaRef(el *xmltree.Element, v string, element bool) (int32, error) {
	what := "type"
	if element {
		what = "element"
	}
	n, err := el.ResolveQName(v)
	var up *xmltree.UndeclaredPrefixError
	if err != nil && (!errors.As(err, &up) || c.strict) {
		return 0, c.errorf(el, "part %s %q: %v", what, v, err)
	}
	q := xsd.QName(n)
	if err == nil {
		if element {
			if id, ok := c.schema.ElementByName(q); ok {
				return int32(id), nil
			}
		} else if id, ok := c.schema.TypeByName(q); ok {
			return int32(id), nil
		}
	}
	// Lenient: a unique global of the same local name.
	found, count := int32(-1), 0
	if element {
		for i := range c.schema.Elements {
			if e := &c.schema.Elements[i]; e.Global && e.Name.Local == q.Local {
				found, count = int32(i), count+1
			}
		}
	} else {
		for i := range c.schema.Types {
			if t := &c.schema.Types[i]; t.Name.Local == q.Local && !t.Name.IsZero() {
				found, count = int32(i), count+1
			}
		}
		if count == 0 && err != nil {
			// type="xsd:string" with xsd undeclared.
			if id, ok := c.schema.TypeByName(xsd.QName{Space: xsd.NSXSD, Local: q.Local}); ok {
				found, count = int32(id), 1
			}
		}
	}
	if count == 1 {
		c.warn(el, "part %s %q not found as written; using %s", what, v, c.refName(found, element))
		return found, nil
	}
	if err != nil {
		return 0, c.errorf(el, "part %s %q: %v", what, v, err)
	}
	return 0, c.errorf(el, "part %s %s not found in the schemas", what, q)
}

func (c *compiler) refName(id int32, element bool) string {
	if element {
		return c.schema.Elements[id].Name.String()
	}
	return c.schema.Types[id].Name.String()
}

// fault compiles a port type fault with its binding.
func (c *compiler) fault(pf, bop *xmltree.Element) (Fault, error) {
	f := Fault{Name: pf.AttrValue("name"), Use: Literal}
	mq, md, err := c.resolve(c.messages, pf, "message", "fault message")
	if err != nil {
		return f, err
	}
	f.Message = mq
	if f.Parts, err = c.parts(md, Document); err != nil {
		return f, err
	}
	for _, bf := range bop.Children {
		if isWSDL(bf, "fault") && bf.AttrValue("name") == f.Name {
			for _, sf := range bf.Children {
				if isSOAP(sf, "fault") {
					if u := sf.AttrValue("use"); u != "" {
						f.Use = Use(u)
					}
					f.Namespace = sf.AttrValue("namespace")
				}
			}
		}
	}
	return f, nil
}

// detectWrapped marks document/literal wrapped messages.
func (c *compiler) detectWrapped(o *Operation) {
	if o.Style != Document || o.Input == nil {
		return
	}
	in := o.Input
	if !c.wrapper(in) || c.schema.Elements[in.Parts[0].Element].Name.Local != o.Name {
		return
	}
	in.Wrapped = true
	if o.Output != nil && c.wrapper(o.Output) {
		o.Output.Wrapped = true
	}
}

// wrapper reports whether m is one literal element part whose type is a
// complex type of child elements only.
func (c *compiler) wrapper(m *Message) bool {
	if m.Use != Literal || len(m.Parts) != 1 || m.Parts[0].Element == xsd.NoElem {
		return false
	}
	t := c.schema.Type(c.schema.Elements[m.Parts[0].Element].Type)
	if t.Simple || len(t.Attrs) > 0 || t.AnyAttr != nil {
		return false
	}
	switch t.Content {
	case xsd.ContentEmpty:
		return true
	case xsd.ContentElements:
		p := t.Particle
		return p != nil && (p.Kind == xsd.PSequence || p.Kind == xsd.PAll) && p.Max == 1
	}
	return false
}

func documentation(el *xmltree.Element) string {
	for _, ch := range el.Children {
		if isWSDL(ch, "documentation") {
			return strings.Join(strings.Fields(ch.Text), " ")
		}
	}
	return ""
}
