package codec

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xmltok"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// DecodeOptions tune decoding.
type DecodeOptions struct {
	// Strict makes elements the schema does not declare an error; by
	// default they are skipped.
	Strict bool
	// Attachment resolves an MTOM/XOP xop:Include href ("cid:...") to the
	// bytes of its MIME part; the value is inlined as base64. Its error
	// (no such part, or too many bytes included) says why it cannot.
	Attachment func(href string) ([]byte, error)
}

// NSXOP is the namespace of xop:Include.
const NSXOP = "http://www.w3.org/2004/08/xop/include"

// DecodeError is a response that does not fit the schema or is not XML.
type DecodeError struct {
	Line int
	Msg  string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("codec: response line %d: %s", e.Line, e.Msg)
}

// ResponseDecoder writes the JSON of one response message as its header
// blocks and body are read. Headers must be given before the body.
type ResponseDecoder struct {
	c    *Codec
	op   *wsdl.Operation
	msg  *wsdl.Message
	opts DecodeOptions
	// headers are the decoded header blocks of "$headers": their names
	// in the order first seen, and each name's JSON values (a block
	// sent twice is an array, not a member written twice).
	headerNames []string
	headers     map[string][][]byte
	w           *bufio.Writer
}

// NewResponseDecoder prepares to decode the output of op into w.
func (c *Codec) NewResponseDecoder(op *wsdl.Operation, w *bufio.Writer, opts DecodeOptions) *ResponseDecoder {
	return &ResponseDecoder{c: c, op: op, msg: op.Output, opts: opts, w: w}
}

// SetOptions replaces the decoding options (before Header and Body).
func (rd *ResponseDecoder) SetOptions(o DecodeOptions) { rd.opts = o }

// Header decodes one header block whose start tag was just read from d. A
// block the output message does not declare is skipped.
func (rd *ResponseDecoder) Header(d *xmltok.Decoder, start xmltok.Token) error {
	if rd.msg != nil {
		for _, h := range rd.msg.Headers {
			var name xsd.QName
			var typ xsd.TypeID
			nillable := true
			if h.Part.Element != xsd.NoElem {
				e := rd.c.s.Element(h.Part.Element)
				name, typ, nillable = e.Name, e.Type, e.Nillable
			} else {
				name, typ = xsd.QName{Space: h.Namespace, Local: h.Part.Name}, h.Part.Type
			}
			if start.Name.Local != name.Local {
				continue
			}
			var buf bytes.Buffer
			bw := bufio.NewWriter(&buf)
			dec := &decoder{c: rd.c, t: d, opts: rd.opts, j: newJSONWriter(bw)}
			if err := dec.value(&start, typ, nillable); err != nil {
				return err
			}
			dec.j.flush()
			bw.Flush()
			if rd.headers == nil {
				rd.headers = map[string][][]byte{}
			}
			if _, seen := rd.headers[name.Local]; !seen {
				rd.headerNames = append(rd.headerNames, name.Local)
			}
			rd.headers[name.Local] = append(rd.headers[name.Local], buf.Bytes())
			return nil
		}
	}
	return d.Skip()
}

// Body decodes the children of soap:Body up to its end tag, and writes the
// output's JSON object. first is the body's first child start tag, already
// read from d, or nil when the body's end tag was read instead.
func (rd *ResponseDecoder) Body(d *xmltok.Decoder, first *xmltok.Token) error {
	dec := &decoder{c: rd.c, t: d, opts: rd.opts, j: newJSONWriter(rd.w)}
	if first != nil {
		dec.pending, dec.hasPending = *first, true
	} else {
		dec.pending, dec.hasPending = xmltok.Token{Kind: xmltok.EndElement}, true
	}
	dec.j.open('{')
	if len(rd.headerNames) > 0 {
		dec.j.key(memberHeaders)
		dec.j.open('{')
		for _, n := range rd.headerNames {
			dec.j.key(n)
			vs := rd.headers[n]
			if len(vs) == 1 {
				dec.j.raw(vs[0])
				continue
			}
			dec.j.open('[')
			for _, v := range vs {
				dec.j.sep()
				dec.j.raw(v)
			}
			dec.j.close(']')
		}
		dec.j.close('}')
	}
	var err error
	switch {
	case rd.msg == nil:
		err = dec.skipRest()
	case rd.op.Style == wsdl.RPC:
		err = dec.rpcBody(rd.msg)
	case rd.msg.Wrapped:
		err = dec.wrappedBody(rd.msg)
	default:
		err = dec.bareBody(rd.msg)
	}
	if err != nil {
		dec.j.flush()
		return err
	}
	dec.j.close('}')
	dec.j.flush()
	return rd.w.Flush()
}

type decoder struct {
	c          *Codec
	t          *xmltok.Decoder
	pending    xmltok.Token // a token read ahead, returned first
	hasPending bool
	opts       DecodeOptions
	j          jsonWriter
	text       []byte
	parts      []int // the message parts decoded so far (bare and rpc bodies)
}

// Tokens are the tokenizer's own (xmltok.Decoder.Read): a *xmltok.Token is
// valid until the next token is read, so the functions below use a start
// tag's attributes before reading its content, and copy a name they need
// after that.

func (d *decoder) errorf(format string, args ...any) error {
	return &DecodeError{Line: d.t.Line(), Msg: fmt.Sprintf(format, args...)}
}

// next returns the next token, turning the end of input into an error.
func (d *decoder) next() (*xmltok.Token, error) {
	if d.hasPending {
		d.hasPending = false
		return &d.pending, nil
	}
	tok, err := d.t.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, d.errorf("unexpected end of the response")
		}
		return nil, err
	}
	return tok, nil
}

// skipRest skips to the end of the current element.
func (d *decoder) skipRest() error {
	for {
		tok, err := d.next()
		if err != nil {
			return err
		}
		switch tok.Kind {
		case xmltok.StartElement:
			if err := d.t.Skip(); err != nil {
				return err
			}
		case xmltok.EndElement:
			return nil
		}
	}
}

// nextChild returns the next child start tag of the current element, or
// ok=false at its end tag. Text between elements is ignored.
func (d *decoder) nextChild() (*xmltok.Token, bool, error) {
	for {
		tok, err := d.next()
		if err != nil {
			return tok, false, err
		}
		switch tok.Kind {
		case xmltok.StartElement:
			return tok, true, nil
		case xmltok.EndElement:
			return tok, false, nil
		}
	}
}

func (d *decoder) wrappedBody(m *wsdl.Message) error {
	el := d.c.s.Element(m.Parts[0].Element)
	for {
		tok, ok, err := d.nextChild()
		if err != nil || !ok {
			return err
		}
		if tok.Name.Local != el.Name.Local {
			if d.opts.Strict {
				return d.errorf("unexpected element %s in the body; want %s", tok.Name.Local, el.Name.Local)
			}
			if err := d.t.Skip(); err != nil {
				return err
			}
			continue
		}
		if err := d.members(tok, el.Type); err != nil {
			return err
		}
		return d.skipRest()
	}
}

func (d *decoder) bareBody(m *wsdl.Message) error {
	for {
		tok, ok, err := d.nextChild()
		if err != nil || !ok {
			return err
		}
		if err := d.part(m, tok); err != nil {
			return err
		}
	}
}

func (d *decoder) rpcBody(m *wsdl.Message) error {
	tok, ok, err := d.nextChild()
	if err != nil || !ok {
		return err
	}
	_ = tok // the rpc wrapper: its name varies between servers
	for {
		tok, ok, err := d.nextChild()
		if err != nil {
			return err
		}
		if !ok {
			return d.skipRest()
		}
		if err := d.part(m, tok); err != nil {
			return err
		}
	}
}

// part decodes a body child as the message part it names. A part that
// comes twice is an error: its member would be written twice in one
// object, and JSON readers keep one of the two.
func (d *decoder) part(m *wsdl.Message, tok *xmltok.Token) error {
	for i, p := range m.Parts {
		e := (*xsd.Element)(nil)
		if p.Element != xsd.NoElem {
			if e = d.c.s.Element(p.Element); e.Name.Local != tok.Name.Local {
				continue
			}
		} else if p.Name != tok.Name.Local {
			continue
		}
		if slices.Contains(d.parts, i) {
			return d.errorf("part %s comes twice in the body", p.Name)
		}
		d.parts = append(d.parts, i)
		d.j.key(p.Name)
		if e != nil {
			return d.value(tok, e.Type, e.Nillable)
		}
		return d.value(tok, p.Type, true)
	}
	if d.opts.Strict {
		return d.errorf("unexpected element %s in the body", tok.Name.Local)
	}
	return d.t.Skip()
}

// attr finds an attribute of a start tag.
func attr(tok *xmltok.Token, space, local string) ([]byte, bool) {
	for i := range tok.Attr {
		if tok.Attr[i].Name.Local == local && tok.Attr[i].Name.Space == space {
			return tok.Attr[i].Value, true
		}
	}
	return nil, false
}

// xsiType resolves the xsi:type of a start tag.
func (d *decoder) xsiType(tok *xmltok.Token) (xsd.TypeID, bool) {
	v, ok := attr(tok, xsd.NSXSI, "type")
	if !ok {
		return 0, false
	}
	s := strings.TrimSpace(string(v))
	prefix, local, found := strings.Cut(s, ":")
	if !found {
		prefix, local = "", s
	}
	ns, _ := d.t.LookupPrefix(prefix)
	id, ok := d.c.s.TypeByName(xsd.QName{Space: ns, Local: local})
	return id, ok
}

// value decodes the element whose start tag is tok, of declared type t,
// writing its JSON value.
func (d *decoder) value(tok *xmltok.Token, t xsd.TypeID, nillable bool) error {
	actual := t
	if len(tok.Attr) > 0 {
		if v, ok := attr(tok, xsd.NSXSI, "nil"); ok && (string(v) == "true" || string(v) == "1") {
			d.j.raw([]byte("null"))
			return d.t.Skip()
		}
		if x, ok := d.xsiType(tok); ok && x != t && d.refines(x, t) {
			actual = x
		}
	}
	ty := d.c.s.Type(actual)
	switch {
	case ty.Simple:
		return d.simpleValue(actual)
	case ty.IsArray():
		return d.arrayValue(ty)
	case ty.Name == (xsd.QName{Space: xsd.NSXSD, Local: "anyType"}):
		return d.anyValue(tok)
	}
	d.j.open('{')
	if actual != t {
		d.j.key(memberType)
		d.j.str(ty.Name.Local)
	}
	if err := d.content(tok, actual); err != nil {
		return err
	}
	d.j.close('}')
	return nil
}

// refines reports whether xsi:type x may replace declared type t: a type
// derived from t, anything for an untyped declaration, another simple type
// for a simple one. A more generic xsi:type (soapenc:Array for a declared
// ArrayOfDouble) keeps the declared type, which says more.
func (d *decoder) refines(x, t xsd.TypeID) bool {
	s := d.c.s
	tt := s.Type(t)
	switch {
	case t == xsd.TypeID(xsd.AnyType) || t == xsd.TypeID(xsd.AnySimpleType):
		return true
	case s.IsDerivedFrom(x, t):
		return true
	case tt.Simple && s.Type(x).Simple:
		return true
	}
	return false
}

// members decodes a complex element's attributes and content into the
// JSON object the caller has open.
func (d *decoder) members(tok *xmltok.Token, t xsd.TypeID) error {
	return d.content(tok, t)
}

// readText reads the character data of a simple element up to its end.
// The text is the tokenizer's or d.text: valid until the next token.
func (d *decoder) readText() ([]byte, error) {
	if !d.hasPending {
		// Most simple elements hold one run of text: read it and the
		// end tag at once.
		text, ok, err := d.t.ReadText()
		if err != nil || ok {
			return text, err
		}
	}
	d.text = d.text[:0]
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch tok.Kind {
		case xmltok.Text:
			d.text = append(d.text, tok.Text...)
		case xmltok.StartElement:
			if tok.Name.Space == NSXOP && tok.Name.Local == "Include" && d.opts.Attachment != nil {
				href, _ := attr(tok, "", "href")
				b, err := d.opts.Attachment(string(href))
				if err != nil {
					return nil, d.errorf("xop:Include of %q: %v", href, err)
				}
				d.text = base64.StdEncoding.AppendEncode(d.text, b)
			} else if d.opts.Strict {
				return nil, d.errorf("element %s inside a simple value", tok.Name.Local)
			}
			if err := d.t.Skip(); err != nil {
				return nil, err
			}
		case xmltok.EndElement:
			return d.text, nil
		}
	}
}

func (d *decoder) simpleValue(t xsd.TypeID) error {
	text, err := d.readText()
	if err != nil {
		return err
	}
	d.writeSimple(t, transient(text))
	return nil
}

// transient returns b as a string without copying it: the hot path turns
// every simple value into JSON right away, and a copy per value was a
// large share of decoding. The string is only valid until b changes, so
// it must not be kept: writeSimple and what it calls only read it (and
// may return substrings of it, which they also only read) before the next
// token is read.
func transient(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// writeSimple writes a lexical value of simple type t as JSON. s may be
// transient: nothing here keeps it.
func (d *decoder) writeSimple(t xsd.TypeID, s string) {
	ty := d.c.s.Type(t)
	s = whitespace(ty, s)
	if ty.Variety == xsd.List {
		d.j.open('[')
		item := d.c.s.Type(ty.Item)
		for _, f := range strings.Fields(s) {
			d.j.sep()
			d.j.buf = toJSON(d.j.buf, item, f)
		}
		d.j.close(']')
		return
	}
	if ty.Builtin == xsd.QNameType {
		prefix, local, found := strings.Cut(s, ":")
		if !found {
			prefix, local = "", s
		}
		if ns, ok := d.t.LookupPrefix(prefix); ok && ns != "" {
			s = "{" + ns + "}" + local
		}
	}
	d.j.buf = toJSON(d.j.buf, ty, s)
	d.j.spill()
}

// content decodes attributes and children of a complex type's element
// into the open JSON object.
func (d *decoder) content(tok *xmltok.Token, t xsd.TypeID) error {
	ty := d.c.s.Type(t)
	p := d.c.plan(t)
	// seen marks the members written: an attribute member once (a:x and
	// b:x may both fall back to the unqualified x), an element member
	// once as an array.
	var seenBuf [16]bool
	var seen []bool
	if len(p.members) <= len(seenBuf) {
		seen = seenBuf[:len(p.members)]
	} else {
		seen = make([]bool, len(p.members))
	}
	for _, a := range tok.Attr {
		if a.Name.Space == xmltok.NSXMLNS || a.Name.Space == xsd.NSXSI {
			continue
		}
		i, ok := p.attrMember(xsd.QName(a.Name))
		if !ok || seen[i] {
			continue
		}
		seen[i] = true
		m := &p.members[i]
		d.j.keyJSON(m.key)
		d.writeSimple(ty.Attrs[m.attr].Type, transient(a.Value))
	}
	if ty.Content == xsd.ContentSimple {
		text, err := d.readText()
		if err != nil {
			return err
		}
		d.j.key(memberValue)
		d.writeSimple(ty.Value, transient(text))
		return nil
	}
	// Element content. Arrays stream: a repeated member stays open while
	// its elements follow one another.
	open, hint := -1, 0
	var mixed []byte
	anyOpen := false
	// Scattered members (and "$any") are gathered apart, by member index
	// (len(p.members) for "$any"), and written at the end.
	var gathered map[int]*gathering
	gather := func(i int, write func() error) error {
		g := gathered[i]
		if g == nil {
			if gathered == nil {
				gathered = map[int]*gathering{}
			}
			g = newGathering()
			gathered[i] = g
		}
		saved := d.j
		d.j = g.j
		d.j.sep()
		err := write()
		g.j, d.j = d.j, saved
		return err
	}
	closeOpen := func() {
		if open >= 0 {
			d.j.close(']')
			open = -1
		}
		if anyOpen {
			d.j.close(']')
			anyOpen = false
		}
	}
	for {
		tok, err := d.next()
		if err != nil {
			return err
		}
		switch tok.Kind {
		case xmltok.Text:
			if ty.Content == xsd.ContentMixed {
				mixed = append(mixed, tok.Text...)
			}
			continue
		case xmltok.EndElement:
			closeOpen()
			for i := range len(p.members) + 1 {
				if g := gathered[i]; g != nil {
					if i < len(p.members) {
						d.j.keyJSON(p.members[i].key)
					} else {
						d.j.key(memberAny)
					}
					d.j.raw(g.bytes())
					d.j.spill()
				}
			}
			for i, m := range p.members {
				if m.kind == mElem && m.repeated && !seen[i] {
					d.j.keyJSON(m.key)
					d.j.raw([]byte("[]"))
				}
			}
			if ty.Content == xsd.ContentMixed && len(bytes.TrimSpace(mixed)) > 0 {
				d.j.key(memberValue)
				d.j.str(string(mixed))
			}
			return nil
		}
		i, ok := p.elemMember(xsd.QName(tok.Name), hint)
		if !ok {
			if p.anyScattered {
				closeOpen()
				if err := gather(len(p.members), func() error { return d.captureXML(tok) }); err != nil {
					return err
				}
				continue
			}
			if p.any {
				if open >= 0 {
					closeOpen()
				}
				if !anyOpen {
					d.j.key(memberAny)
					d.j.open('[')
					anyOpen = true
				}
				d.j.sep()
				if err := d.captureXML(tok); err != nil {
					return err
				}
				continue
			}
			if d.opts.Strict {
				return d.errorf("element %s is not declared in %s", tok.Name.Local, d.c.typeLabel(t))
			}
			if err := d.t.Skip(); err != nil {
				return err
			}
			continue
		}
		hint = i
		m := &p.members[i]
		if m.scattered {
			closeOpen()
			seen[i] = true
			if err := gather(i, func() error { return d.item(tok, m) }); err != nil {
				return err
			}
			continue
		}
		if !m.repeated {
			closeOpen()
			if seen[i] {
				// Its member is written: a second would be the same
				// member twice in one object, of which JSON readers
				// keep one.
				return d.errorf("element %s comes more than once; %s has one", tok.Name.Local, d.c.typeLabel(t))
			}
			seen[i] = true
			d.j.keyJSON(m.key)
			if m.simple && len(tok.Attr) == 0 {
				// No xsi:nil, no xsi:type: the declared simple type.
				if err := d.simpleValue(m.typ); err != nil {
					return err
				}
				continue
			}
			if err := d.value(tok, m.typ, m.nillable); err != nil {
				return err
			}
			continue
		}
		if open != i {
			closeOpen()
			if seen[i] {
				// The schema keeps these elements together (scattered
				// members are gathered above): the array is written,
				// and a second one of the same name would be lost.
				return d.errorf("elements %s are not together as %s has them in order", tok.Name.Local, d.c.typeLabel(t))
			}
			seen[i] = true
			d.j.keyJSON(m.key)
			d.j.open('[')
			open = i
		}
		d.j.sep()
		if err := d.item(tok, m); err != nil {
			return err
		}
	}
}

// item decodes one element of repeated member m, whose start tag is tok.
func (d *decoder) item(tok *xmltok.Token, m *member) error {
	if m.simple && len(tok.Attr) == 0 {
		return d.simpleValue(m.typ)
	}
	return d.value(tok, m.typ, m.nillable)
}

// gathering is the JSON array of a scattered member, written apart while
// its element's content is read.
type gathering struct {
	buf bytes.Buffer
	bw  *bufio.Writer
	j   jsonWriter
}

func newGathering() *gathering {
	g := &gathering{}
	g.bw = bufio.NewWriter(&g.buf)
	g.j = newJSONWriter(g.bw)
	g.j.open('[')
	return g
}

// bytes closes the array and returns it.
func (g *gathering) bytes() []byte {
	g.j.close(']')
	g.j.flush()
	g.bw.Flush()
	return g.buf.Bytes()
}

// arrayValue decodes a SOAP-encoded array: its child elements, whatever
// their names, are the items.
func (d *decoder) arrayValue(ty *xsd.Type) error {
	d.j.open('[')
	for {
		tok, ok, err := d.nextChild()
		if err != nil {
			return err
		}
		if !ok {
			d.j.close(']')
			return nil
		}
		d.j.sep()
		if err := d.value(tok, ty.ArrayItem, true); err != nil {
			return err
		}
	}
}

// captureXML writes the element whose start tag is tok as a JSON string of
// XML, declaring the namespaces it uses.
func (d *decoder) captureXML(tok *xmltok.Token) error {
	var w xmlWriter
	depth := 0
	for {
		switch tok.Kind {
		case xmltok.StartElement:
			w.start(xsd.QName(tok.Name))
			for _, a := range tok.Attr {
				if a.Name.Space == xmltok.NSXMLNS {
					continue
				}
				w.attr(xsd.QName(a.Name), string(a.Value))
			}
			depth++
		case xmltok.EndElement:
			w.end()
			depth--
			if depth == 0 {
				d.j.str(string(w.b))
				return nil
			}
		case xmltok.Text:
			w.text(string(tok.Text))
		}
		var err error
		if tok, err = d.next(); err != nil {
			return err
		}
	}
}

// anyValue decodes an element of xsd:anyType: text alone becomes a string,
// anything else an object of its attributes ("@name"), children (by local
// name, repeated names as arrays) and text ("$value").
func (d *decoder) anyValue(start *xmltok.Token) error {
	n, err := d.readGeneric(start, 0)
	if err != nil {
		return err
	}
	d.writeGeneric(n)
	return nil
}

type generic struct {
	attrs    [][2]string
	names    []string
	children map[string][]*generic
	text     []byte
	nil      bool
}

const maxGenericDepth = 64

func (d *decoder) readGeneric(start *xmltok.Token, depth int) (*generic, error) {
	if depth > maxGenericDepth {
		return nil, d.errorf("untyped content nested deeper than %d", maxGenericDepth)
	}
	g := &generic{}
	for _, a := range start.Attr {
		if a.Name.Space == xmltok.NSXMLNS {
			continue
		}
		if a.Name.Space == xsd.NSXSI {
			if a.Name.Local == "nil" && (string(a.Value) == "true" || string(a.Value) == "1") {
				g.nil = true
			}
			continue
		}
		g.attrs = append(g.attrs, [2]string{a.Name.Local, string(a.Value)})
	}
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		switch tok.Kind {
		case xmltok.Text:
			g.text = append(g.text, tok.Text...)
		case xmltok.EndElement:
			return g, nil
		case xmltok.StartElement:
			name := tok.Name.Local
			c, err := d.readGeneric(tok, depth+1)
			if err != nil {
				return nil, err
			}
			if g.children == nil {
				g.children = map[string][]*generic{}
			}
			if _, ok := g.children[name]; !ok {
				g.names = append(g.names, name)
			}
			g.children[name] = append(g.children[name], c)
		}
	}
}

func (d *decoder) writeGeneric(g *generic) {
	if g.nil {
		d.j.raw([]byte("null"))
		return
	}
	if len(g.attrs) == 0 && len(g.names) == 0 {
		d.j.str(string(g.text))
		return
	}
	d.j.open('{')
	for i, a := range g.attrs {
		// Attributes of one local name in two namespaces are "@x"
		// and "@x_2", as members of typed content are named.
		name, n := "@"+a[0], 1
		for _, b := range g.attrs[:i] {
			if b[0] == a[0] {
				n++
			}
		}
		if n > 1 {
			name += "_" + strconv.Itoa(n)
		}
		d.j.key(name)
		d.j.str(a[1])
	}
	for _, n := range g.names {
		d.j.key(n)
		cs := g.children[n]
		if len(cs) == 1 {
			d.writeGeneric(cs[0])
			continue
		}
		d.j.open('[')
		for _, c := range cs {
			d.j.sep()
			d.writeGeneric(c)
		}
		d.j.close(']')
	}
	if t := bytes.TrimSpace(g.text); len(t) > 0 {
		d.j.key(memberValue)
		d.j.str(string(g.text))
	}
	d.j.close('}')
}

// DecodeFaultDetail decodes the children of a fault's detail element (whose
// start tag was just read) up to its end tag, writing a JSON object keyed by
// each child's local name; children of one name make an array, in order,
// as in untyped content. Children that op declares as a fault are typed by
// their schema; others are decoded as untyped content. It returns the name
// of the first declared fault found.
func (c *Codec) DecodeFaultDetail(t *xmltok.Decoder, op *wsdl.Operation, w *bufio.Writer, opts DecodeOptions) (string, error) {
	// Each child is decoded apart, and the object written at the end: a
	// name written once per child was a member twice in one object
	// (the second hiding the first in most JSON readers).
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	d := &decoder{c: c, t: t, opts: opts, j: newJSONWriter(bw)}
	var names []string
	values := map[string][][2]int{} // spans of buf
	fault := ""
	for {
		tok, ok, err := d.nextChild()
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		name := tok.Name.Local
		d.j.flush()
		bw.Flush()
		from := buf.Len()
		matched := false
		if op != nil {
		faults:
			for _, f := range op.Faults {
				for _, p := range f.Parts {
					if p.Element != xsd.NoElem && c.s.Element(p.Element).Name.Local == name {
						e := c.s.Element(p.Element)
						if err := d.value(tok, e.Type, e.Nillable); err != nil {
							return "", err
						}
						if fault == "" {
							fault = f.Name
						}
						matched = true
						break faults
					}
				}
			}
		}
		if !matched {
			if err := d.anyValue(tok); err != nil {
				return "", err
			}
		}
		d.j.flush()
		bw.Flush()
		if _, seen := values[name]; !seen {
			names = append(names, name)
		}
		values[name] = append(values[name], [2]int{from, buf.Len()})
	}
	out := newJSONWriter(w)
	out.open('{')
	for _, n := range names {
		out.key(n)
		vs := values[n]
		if len(vs) == 1 {
			out.raw(buf.Bytes()[vs[0][0]:vs[0][1]])
			continue
		}
		out.open('[')
		for _, v := range vs {
			out.sep()
			out.raw(buf.Bytes()[v[0]:v[1]])
		}
		out.close(']')
	}
	out.close('}')
	out.flush()
	return fault, w.Flush()
}
