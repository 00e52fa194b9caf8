package xmltok

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Namespace URIs reported for special attributes.
const (
	NSXML   = "http://www.w3.org/XML/1998/namespace"
	NSXMLNS = "http://www.w3.org/2000/xmlns/"
)

// Kind is the kind of a token.
type Kind uint8

const (
	StartElement Kind = iota + 1
	EndElement
	// Text is character data: references decoded, CDATA included,
	// line ends normalized to \n. Whitespace-only text is reported too.
	Text
)

// Name is a resolved name. Space is the namespace URI, "" for none.
type Name struct{ Space, Local string }

// Attr is an attribute. Namespace declarations are reported as attributes
// too: xmlns:p="u" is {NSXMLNS, "p"} and xmlns="u" is {NSXMLNS, ""}.
type Attr struct {
	Name Name
	// Value is entity-decoded and normalized (tab, CR and LF become
	// spaces); valid until the next call to Next.
	Value []byte
}

// Token is one token. Attr and Text are valid until the next call to Next.
type Token struct {
	Kind   Kind
	Name   Name   // StartElement, EndElement
	Prefix string // the prefix of the element name as written
	Attr   []Attr // StartElement
	Text   []byte // Text
}

// Limits bound what a Decoder accepts. Zero fields take the defaults.
type Limits struct {
	MaxDepth     int // element nesting; default 256
	MaxTokenSize int // bytes of one tag, text run, comment...; default 16 MiB
	MaxAttrs     int // attributes of one element; default 256
}

// SyntaxError is malformed or refused input.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// binding is one namespace declaration in scope. prev is the index in
// Decoder.ns of the declaration of the same prefix it shadows, -1 if none.
type binding struct {
	prefix, uri string
	prev        int
}

type openElem struct {
	q     *qname // the name as written, for matching the end tag
	space string // the namespace it resolved to
	mark  int    // len(ns) before the element's declarations
}

type rawAttr struct {
	q     *qname
	value []byte
}

// Decoder tokenizes one document.
type Decoder struct {
	// Undeclared, when set, is asked for the namespace of a prefix that
	// has no declaration in scope, instead of failing: lenient readers of
	// sloppy documents use it. Its answer binds the prefix from then on.
	Undeclared func(prefix string) (uri string, ok bool)

	r   io.Reader
	buf []byte
	pos int // next byte to read in buf
	// base is the document offset of buf[0].
	base   int64
	eof    bool
	rerr   error
	lim    Limits
	intern map[string]string

	// ns holds the declarations in scope, outermost first; nsTop indexes
	// the innermost declaration of each prefix, so a lookup costs the
	// same under thousands of declarations (a hostile document's) as
	// under a few; undeclared holds Undeclared's answers.
	ns         []binding
	nsTop      map[string]int
	undeclared map[string]string
	stack      []openElem
	// probes counts the bindings lookups compared, for tests.
	probes int
	// cached is the bytes of the strings in intern: it bounds what a
	// document of ever new (or very long) names makes the decoder keep.
	cached int

	tokStart int // buf offset of the last token's start
	// Line bookkeeping: newlines before linePos (a document offset) are
	// counted in line.
	line    int
	linePos int64

	attrs    []Attr
	raws     []rawAttr
	scratch  []byte // decoded text and attribute values
	pendEnd  bool   // an empty-element tag's end is due
	rootSeen bool
	done     bool // the root element has closed
	skipping bool
	err      error
	latin1   bool
	// c1 maps bytes 0x80-0x9F of a single-byte encoding other than
	// ISO-8859-1 (windows-1252); nil maps them to U+0080-U+009F.
	c1      *[32]rune
	started bool

	// names caches qualified names as written: their split and interned
	// parts, and the namespace they resolved to while the declarations
	// in scope were those of generation nsGen.
	names map[string]*qname
	nsGen uint64
	// qcache is a direct-mapped cache in front of names: most names
	// repeat, and a compare is cheaper than a map lookup.
	qcache [64]*qname

	tok Token // the token being built
}

type qname struct {
	raw, prefix, local string
	uri                string
	gen                uint64 // nsGen + 1 when uri is valid
}

const readSize = 64 << 10

// NewDecoder returns a Decoder reading r.
func NewDecoder(r io.Reader, lim Limits) *Decoder {
	d := newDecoder(lim)
	d.r = r
	d.buf = make([]byte, 0, readSize)
	return d
}

// Reset makes d read a new document from r with the same limits, keeping
// its buffers and interned names: a pool of Decoders then parses small
// messages without allocating.
func (d *Decoder) Reset(r io.Reader) {
	buf, intern, names, attrs, raws, scratch := d.buf[:0], d.intern, d.names, d.attrs[:0], d.raws[:0], d.scratch[:0]
	ns, stack, gen, nsTop, cached := d.ns[:0], d.stack[:0], d.nsGen+1, d.nsTop, d.cached
	if len(intern) > 1<<14 || cached > maxCached/2 {
		intern, names, cached = make(map[string]string), make(map[string]*qname), 0
	}
	clear(nsTop)
	// A document with a huge token grew the buffers: a pooled decoder
	// does not keep them for the small messages that follow.
	if cap(buf) > 4*readSize {
		buf = nil
	}
	if cap(scratch) > 4*readSize {
		scratch = nil
	}
	// The cached names resolved prefixes under the old document's
	// declarations: a new namespace generation makes them miss.
	*d = Decoder{lim: d.lim, intern: intern, names: names, line: 1, r: r, nsGen: gen, nsTop: nsTop, cached: cached,
		buf: buf, attrs: attrs, raws: raws, scratch: scratch, ns: ns, stack: stack}
	if cap(d.buf) == 0 {
		d.buf = make([]byte, 0, readSize)
	}
}

// NewDecoderBytes returns a Decoder for an in-memory document, which it
// reads without copying.
func NewDecoderBytes(b []byte, lim Limits) *Decoder {
	d := newDecoder(lim)
	d.buf = b
	d.eof = true
	return d
}

func newDecoder(lim Limits) *Decoder {
	if lim.MaxDepth <= 0 {
		lim.MaxDepth = 256
	}
	if lim.MaxTokenSize <= 0 {
		lim.MaxTokenSize = 16 << 20
	}
	if lim.MaxAttrs <= 0 {
		lim.MaxAttrs = 256
	}
	return &Decoder{lim: lim, intern: make(map[string]string), names: make(map[string]*qname), nsTop: make(map[string]int), line: 1}
}

// errorf records a syntax error at the current position.
func (d *Decoder) errorf(format string, args ...any) error {
	if d.rerr != nil && d.err == nil {
		// The input broke off because reading failed: that is the
		// cause, not the syntax of what was read.
		d.err = d.rerr
	}
	if d.err == nil {
		d.err = &SyntaxError{Line: d.lineAt(d.pos), Msg: fmt.Sprintf(format, args...)}
	}
	return d.err
}

// lineAt returns the line of buffer offset off.
func (d *Decoder) lineAt(off int) int {
	abs := d.base + int64(off)
	if abs > d.linePos {
		from := int(d.linePos - d.base)
		if from < 0 {
			from = 0
		}
		if off > len(d.buf) {
			off = len(d.buf)
		}
		d.line += bytes.Count(d.buf[from:off], nl)
		d.linePos = abs
	}
	return d.line
}

var nl = []byte{'\n'}

// Line returns the 1-based line where the last token started.
func (d *Decoder) Line() int { return d.lineAt(d.tokStart) }

// Offset returns the byte offset where the last token started.
func (d *Decoder) Offset() int64 { return d.base + int64(d.tokStart) }

// Depth is the element depth after the last token.
func (d *Decoder) Depth() int { return len(d.stack) }

// LookupPrefix resolves a prefix in the scope of the current element; ""
// is the default namespace.
func (d *Decoder) LookupPrefix(prefix string) (string, bool) {
	if prefix == "xml" {
		return NSXML, true
	}
	if len(d.ns) <= nsScan {
		d.probes += len(d.ns)
		for i := len(d.ns) - 1; i >= 0; i-- {
			if d.ns[i].prefix == prefix {
				return d.ns[i].uri, true
			}
		}
	} else if i, ok := d.nsTop[prefix]; ok {
		d.probes++
		return d.ns[i].uri, true
	}
	if u, ok := d.undeclared[prefix]; ok {
		return u, true
	}
	if prefix == "" {
		return "", true
	}
	return "", false
}

// resolveUndeclared looks a prefix up, asking Undeclared when it has no
// declaration; an answer is bound at the root so it holds from then on.
func (d *Decoder) resolveUndeclared(prefix string) (string, bool) {
	if u, ok := d.LookupPrefix(prefix); ok {
		return u, true
	}
	if d.Undeclared == nil {
		return "", false
	}
	u, ok := d.Undeclared(prefix)
	if ok {
		d.nsGen++
		if d.undeclared == nil {
			d.undeclared = make(map[string]string)
		}
		d.undeclared[prefix] = u
	}
	return u, ok
}

// nsScan is the number of declarations in scope up to which a lookup
// compares them one by one, cheaper than the index for the few of a
// typical message.
const nsScan = 16

// bind declares prefix (or "" for the default namespace) as uri in the
// scope of the element being opened.
func (d *Decoder) bind(prefix, uri string) {
	prev, ok := d.nsTop[prefix]
	if !ok {
		prev = -1
	}
	d.nsTop[prefix] = len(d.ns)
	d.ns = append(d.ns, binding{prefix: prefix, uri: uri, prev: prev})
}

// unbind drops the declarations from ns[mark:], those of a closing
// element.
func (d *Decoder) unbind(mark int) {
	for i := len(d.ns) - 1; i >= mark; i-- {
		if b := d.ns[i]; b.prev < 0 {
			delete(d.nsTop, b.prefix)
		} else {
			d.nsTop[b.prefix] = b.prev
		}
	}
	d.ns = d.ns[:mark]
}

// more reads more input, keeping buf[d.tokStart:] (the token being read).
// It returns false at the end of input.
func (d *Decoder) more() bool {
	if d.eof {
		return false
	}
	// Drop what is before the current token, counting its lines first.
	if d.tokStart > 0 {
		d.lineAt(d.tokStart)
		n := copy(d.buf, d.buf[d.tokStart:])
		d.base += int64(d.tokStart)
		d.pos -= d.tokStart
		d.buf = d.buf[:n]
		d.tokStart = 0
	}
	if len(d.buf) >= d.lim.MaxTokenSize+8 {
		d.errorf("a token is larger than %d bytes", d.lim.MaxTokenSize)
		return false
	}
	if cap(d.buf)-len(d.buf) < readSize/2 {
		nb := make([]byte, len(d.buf), 2*cap(d.buf)+readSize)
		copy(nb, d.buf)
		d.buf = nb
	}
	for {
		n, err := d.r.Read(d.buf[len(d.buf):cap(d.buf)])
		if d.latin1 && n > 0 {
			d.buf = d.buf[:len(d.buf)+n]
			d.toUTF8(len(d.buf) - n)
		} else {
			d.buf = d.buf[:len(d.buf)+n]
		}
		if err != nil {
			d.eof = true
			if !errors.Is(err, io.EOF) {
				d.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// toUTF8 converts ISO-8859-1 bytes from buf[from:] in place (growing buf).
func (d *Decoder) toUTF8(from int) {
	high := 0
	for _, c := range d.buf[from:] {
		if c >= 0x80 {
			high++
		}
	}
	if high == 0 {
		return
	}
	src := append([]byte(nil), d.buf[from:]...)
	out := d.buf[:from]
	for _, c := range src {
		switch {
		case c < 0x80:
			out = append(out, c)
		case c < 0xA0 && d.c1 != nil:
			out = utf8.AppendRune(out, d.c1[c-0x80])
		default:
			out = utf8.AppendRune(out, rune(c))
		}
	}
	d.buf = out
}

// Next returns the next token, or io.EOF after the root element has closed.
// It is Read with the token copied out; Attr and Text still point into the
// decoder and are valid until the next call.
func (d *Decoder) Next() (Token, error) {
	t, err := d.Read()
	if err != nil {
		return Token{}, err
	}
	return *t, nil
}

// Read returns the next token, or io.EOF after the root element has
// closed, without copying it: the token is the decoder's own and is
// overwritten by the next call to Read, Next, Skip or ReadText, so a
// caller that needs a field (a name) after that keeps a copy of it. On
// error the token is nil.
func (d *Decoder) Read() (*Token, error) {
	if d.err != nil {
		return nil, d.err
	}
	if !d.started {
		d.started = true
		if err := d.prolog(); err != nil {
			return nil, err
		}
	}
	if d.pendEnd {
		d.pendEnd = false
		d.popEnd()
		return &d.tok, nil
	}
	for {
		d.tokStart = d.pos
		if d.pos >= len(d.buf) && !d.more() {
			return nil, d.atEOF()
		}
		if d.buf[d.pos] != '<' {
			ok, err := d.text()
			if err != nil {
				return nil, err
			}
			if ok {
				return &d.tok, nil
			}
			continue
		}
		if d.pos+1 >= len(d.buf) && !d.more() {
			return nil, d.errorf("unexpected end of input after <")
		}
		switch d.buf[d.pos+1] {
		case '/':
			if err := d.endTag(); err != nil {
				return nil, err
			}
			return &d.tok, nil
		case '?':
			if err := d.skipPast("?>", "processing instruction"); err != nil {
				return nil, err
			}
		case '!':
			ok, err := d.bang()
			if err != nil {
				return nil, err
			}
			if ok {
				return &d.tok, nil
			}
		default:
			if err := d.startTag(); err != nil {
				return nil, err
			}
			return &d.tok, nil
		}
	}
}

// ReadText reads the content of the element whose start tag the last call
// to Read or Next returned, when that content is character data alone (no
// child elements, comments, CDATA sections or processing instructions)
// and lies in the input already buffered: it returns the text, references
// decoded and valid until the next call, with ok=true, and the element's
// end tag has been read (it is the decoder's last token). Otherwise it
// reads nothing and returns ok=false, and the caller reads the content
// token by token; the tokens are the same either way. It is the fast path
// of simple values.
func (d *Decoder) ReadText() (text []byte, ok bool, err error) {
	if d.err != nil {
		return nil, false, d.err
	}
	if d.tok.Kind != StartElement || d.skipping || len(d.stack) == 0 {
		return nil, false, nil
	}
	if d.pendEnd {
		d.pendEnd = false
		d.tokStart = d.pos
		d.popEnd()
		return nil, true, nil
	}
	lt := bytes.IndexByte(d.buf[d.pos:], '<')
	if lt < 0 || lt > d.lim.MaxTokenSize {
		return nil, false, nil
	}
	e := d.pos + lt // the end tag, if it is one
	raw := d.stack[len(d.stack)-1].q.raw
	gt := e + 2 + len(raw)
	if gt >= len(d.buf) || d.buf[e+1] != '/' || d.buf[gt] != '>' || string(d.buf[e+2:gt]) != raw {
		return nil, false, nil
	}
	text = d.buf[d.pos:e]
	if hasTextSpecial(text) {
		if bytes.Contains(text, []byte("]]>")) {
			return nil, false, nil // Read reports it
		}
		if bytes.IndexByte(text, '&') >= 0 || bytes.IndexByte(text, '\r') >= 0 {
			d.tokStart = d.pos
			d.pos = e
			if d.scratch, err = d.unescape(d.scratch[:0], text, false); err != nil {
				return nil, false, err
			}
			text = d.scratch
		}
	}
	d.tokStart = e
	d.pos = gt + 1
	d.popEnd()
	return text, true, nil
}

func (d *Decoder) atEOF() error {
	if d.rerr != nil {
		return d.rerr
	}
	if d.err != nil {
		return d.err
	}
	if len(d.stack) > 0 {
		return d.errorf("unexpected end of input: <%s> is not closed", d.stack[len(d.stack)-1].q.raw)
	}
	if !d.rootSeen {
		return d.errorf("no root element")
	}
	return io.EOF
}

// find returns the offset of sep at or after from (a buf offset), reading
// more input as needed, or -1 at the end of input.
func (d *Decoder) find(from int, sep string) int {
	for {
		if i := bytes.Index(d.buf[from:], []byte(sep)); i >= 0 {
			return from + i
		}
		// Keep the tail that may hold a partial separator.
		back := len(d.buf) - len(sep) + 1
		if back < from {
			back = from
		}
		rel := back - d.tokStart
		if !d.more() {
			return -1
		}
		from = d.tokStart + rel
	}
}

func (d *Decoder) skipPast(sep, what string) error {
	i := d.find(d.pos+2, sep)
	if i < 0 {
		return d.errorf("unterminated %s", what)
	}
	d.pos = i + len(sep)
	return nil
}

// bang handles <!-- -->, <![CDATA[ ]]> and <!DOCTYPE>; a CDATA section
// becomes d.tok and ok is true.
func (d *Decoder) bang() (bool, error) {
	for len(d.buf)-d.pos < 9 && d.more() {
	}
	rest := d.buf[d.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		i := d.find(d.pos+4, "-->")
		if i < 0 {
			return false, d.errorf("unterminated comment")
		}
		d.pos = i + 3
		return false, nil
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		if len(d.stack) == 0 {
			return false, d.errorf("CDATA section outside the root element")
		}
		i := d.find(d.pos+9, "]]>")
		if i < 0 {
			return false, d.errorf("unterminated CDATA section")
		}
		start := d.tokStart + 9
		d.pos = i + 3
		text := d.buf[start:i]
		if bytes.IndexByte(text, '\r') >= 0 {
			d.scratch = normalizeNewlines(d.scratch[:0], text)
			text = d.scratch
		}
		d.setText(text)
		return true, nil
	case bytes.HasPrefix(rest, []byte("<!DOCTYPE")):
		return false, d.doctype()
	}
	return false, d.errorf("malformed markup after <!")
}

// doctype skips a document type declaration, refusing entity declarations.
func (d *Decoder) doctype() error {
	if d.rootSeen {
		return d.errorf("DOCTYPE after the root element")
	}
	i := d.pos + 9
	for {
		for i >= len(d.buf) {
			rel := i - d.tokStart
			if !d.more() {
				return d.errorf("unterminated DOCTYPE")
			}
			i = d.tokStart + rel
		}
		switch d.buf[i] {
		case '[':
			end := d.find(i, "]")
			if end < 0 {
				return d.errorf("unterminated DOCTYPE")
			}
			if bytes.Contains(d.buf[i:end], []byte("<!ENTITY")) {
				return d.errorf("DTD entity declarations are not allowed")
			}
			i = end + 1
			continue
		case '>':
			d.pos = i + 1
			return nil
		}
		i++
	}
}

// text reads character data up to the next '<' into d.tok.
func (d *Decoder) text() (bool, error) {
	end := bytes.IndexByte(d.buf[d.pos:], '<')
	for end < 0 {
		rel := len(d.buf) - d.tokStart
		if !d.more() {
			end = len(d.buf) - d.pos
			break
		}
		if i := bytes.IndexByte(d.buf[d.tokStart+rel:], '<'); i >= 0 {
			end = rel + i - (d.pos - d.tokStart)
		}
	}
	if d.err != nil {
		return false, d.err
	}
	if end > d.lim.MaxTokenSize {
		return false, d.errorf("a text run is larger than %d bytes", d.lim.MaxTokenSize)
	}
	raw := d.buf[d.pos : d.pos+end]
	d.pos += end
	if len(d.stack) == 0 {
		if len(bytes.TrimSpace(raw)) > 0 {
			if d.done {
				return false, d.errorf("text after the root element")
			}
			return false, d.errorf("text before the root element")
		}
		return false, nil
	}
	if d.skipping {
		d.setText(nil)
		return true, nil
	}
	text := raw
	if hasTextSpecial(raw) {
		if bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
			var err error
			d.scratch, err = d.unescape(d.scratch[:0], raw, false)
			if err != nil {
				return false, err
			}
			text = d.scratch
		}
		if bytes.Contains(raw, []byte("]]>")) {
			return false, d.errorf("]]> in text")
		}
	}
	d.setText(text)
	return true, nil
}

// textSpecial marks the bytes that make text need more than slicing.
var textSpecial = [256]bool{'&': true, '\r': true, ']': true}

// hasTextSpecial reports whether raw holds '&', '\r' or ']': a loop for
// the short values of typical messages, SIMD searches for long runs.
func hasTextSpecial(raw []byte) bool {
	if len(raw) > 64 {
		return bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0 || bytes.IndexByte(raw, ']') >= 0
	}
	for _, c := range raw {
		if textSpecial[c] {
			return true
		}
	}
	return false
}

// textUnescape marks the bytes unescape handles in text.
var textUnescape = [256]bool{'&': true, '\r': true}

// attrSpecialBytes marks the bytes that make an attribute value need more
// than copying: references and the whitespace normalized to spaces.
var attrSpecialBytes = [256]bool{'&': true, '\t': true, '\r': true, '\n': true}

// attrSpecial reports whether an attribute value holds '&', tab, CR or LF.
func attrSpecial(v []byte) bool {
	for _, c := range v {
		if attrSpecialBytes[c] {
			return true
		}
	}
	return false
}

func normalizeNewlines(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		dst = append(dst, c)
	}
	return dst
}

// unescape decodes references in raw into dst. For attribute values, tab,
// CR and LF become spaces first.
func (d *Decoder) unescape(dst, raw []byte, attr bool) ([]byte, error) {
	special := &textUnescape
	if attr {
		special = &attrSpecialBytes
	}
	for i := 0; i < len(raw); i++ {
		// Copy the run up to the next byte that needs work at once.
		j := i
		for j < len(raw) && !special[raw[j]] {
			j++
		}
		dst = append(dst, raw[i:j]...)
		if i = j; i == len(raw) {
			break
		}
		c := raw[i]
		switch c {
		case '\r':
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			if attr {
				dst = append(dst, ' ')
			} else {
				dst = append(dst, '\n')
			}
			continue
		case '\n', '\t':
			if attr {
				dst = append(dst, ' ')
				continue
			}
		case '&':
			semi := bytes.IndexByte(raw[i:], ';')
			if semi < 0 {
				return nil, d.errorf("& not followed by a reference")
			}
			ref := raw[i+1 : i+semi]
			var err error
			if dst, err = d.reference(dst, ref); err != nil {
				return nil, err
			}
			i += semi
			continue
		}
		dst = append(dst, c)
	}
	return dst, nil
}

func (d *Decoder) reference(dst, ref []byte) ([]byte, error) {
	switch string(ref) {
	case "lt":
		return append(dst, '<'), nil
	case "gt":
		return append(dst, '>'), nil
	case "amp":
		return append(dst, '&'), nil
	case "quot":
		return append(dst, '"'), nil
	case "apos":
		return append(dst, '\''), nil
	}
	if len(ref) > 1 && ref[0] == '#' {
		var n uint64
		digits := ref[1:]
		base := uint64(10)
		if digits[0] == 'x' {
			base, digits = 16, digits[1:]
		}
		if len(digits) == 0 || len(digits) > 8 {
			return nil, d.errorf("malformed character reference &%s;", ref)
		}
		for _, c := range digits {
			var v byte
			switch {
			case c >= '0' && c <= '9':
				v = c - '0'
			case base == 16 && c >= 'a' && c <= 'f':
				v = c - 'a' + 10
			case base == 16 && c >= 'A' && c <= 'F':
				v = c - 'A' + 10
			default:
				return nil, d.errorf("malformed character reference &%s;", ref)
			}
			n = n*base + uint64(v)
		}
		r := rune(n)
		if !isXMLChar(r) {
			return nil, d.errorf("character reference &%s; is not a character XML allows", ref)
		}
		return utf8.AppendRune(dst, r), nil
	}
	return nil, d.errorf("unknown entity &%s;", ref)
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// tagEnd finds the '>' ending the tag that starts at d.tokStart, outside
// quoted attribute values.
func (d *Decoder) tagEnd() int {
	i := d.pos
	var quote byte
	for {
		for ; i < len(d.buf); i++ {
			c := d.buf[i]
			if quote != 0 {
				// Jump to the closing quote.
				j := bytes.IndexByte(d.buf[i:], quote)
				if j < 0 {
					i = len(d.buf)
					break
				}
				i += j
				quote = 0
				continue
			}
			switch c {
			case '"', '\'':
				quote = c
			case '>':
				return i
			}
		}
		rel := i - d.tokStart
		if !d.more() {
			return -1
		}
		i = d.tokStart + rel
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func isNameByte(c byte) bool { return nameBytes[c] }

var nameBytes = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':' || c >= 0x80
	}
	return t
}()

func (d *Decoder) internBytes(b []byte) string {
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.intern) < 1<<16 && d.cached+len(s) <= maxCached {
		d.intern[s] = s
		d.cached += len(s)
	}
	return s
}

// maxCached bounds the bytes of the names and namespace URIs a Decoder
// keeps interned: a stream of ever new names costs their allocation,
// not memory that grows with the document.
const maxCached = 1 << 20

// splitName splits a QName and checks its shape.
func (d *Decoder) splitName(b []byte) (prefix, local []byte, err error) {
	if len(b) == 0 {
		return nil, nil, d.errorf("missing name")
	}
	if c := b[0]; c >= '0' && c <= '9' || c == '-' || c == '.' {
		return nil, nil, d.errorf("invalid name %q", b)
	}
	if i := bytes.IndexByte(b, ':'); i >= 0 {
		prefix, local = b[:i], b[i+1:]
		if len(prefix) == 0 || len(local) == 0 || bytes.IndexByte(local, ':') >= 0 {
			return nil, nil, d.errorf("invalid name %q", b)
		}
		return prefix, local, nil
	}
	return nil, b, nil
}

func (d *Decoder) startTag() error {
	if d.done {
		return d.errorf("a second root element")
	}
	qn, rawName, empty, ok := d.fastTag()
	if !ok {
		var err error
		if qn, rawName, empty, err = d.slowTag(); err != nil {
			return err
		}
	}
	if len(d.stack) >= d.lim.MaxDepth {
		return d.errorf("elements nested deeper than %d", d.lim.MaxDepth)
	}
	// Namespace declarations first: they apply to the element itself.
	mark := len(d.ns)
	if len(d.raws) > 0 {
		if err := d.declare(); err != nil {
			return err
		}
	}
	if len(d.ns) != mark {
		d.nsGen++
	}
	if qn.gen != d.nsGen+1 {
		uri, ok := d.resolveUndeclared(qn.prefix)
		if !ok {
			return d.errorf("undeclared namespace prefix %q on <%s>", qn.prefix, rawName)
		}
		qn.uri, qn.gen = uri, d.nsGen+1
	}
	d.stack = append(d.stack, openElem{q: qn, space: qn.uri, mark: mark})
	d.rootSeen = true
	d.setTag(StartElement, qn.uri, qn)
	if d.skipping || len(d.raws) == 0 {
		d.pendEnd = empty
		d.tok.Attr = d.attrs[:0]
		return nil
	}
	return d.attributes(rawName, empty)
}

// slowTag parses any start tag, reading more input until its end, and
// reports what is wrong with a malformed one; it fills d.raws.
func (d *Decoder) slowTag() (qn *qname, rawName []byte, empty bool, err error) {
	end := d.tagEnd()
	if end < 0 {
		return nil, nil, false, d.errorf("unterminated start tag")
	}
	if end-d.tokStart > d.lim.MaxTokenSize {
		return nil, nil, false, d.errorf("a tag is larger than %d bytes", d.lim.MaxTokenSize)
	}
	tag := d.buf[d.tokStart+1 : end]
	d.pos = end + 1
	if len(tag) > 0 && tag[len(tag)-1] == '/' {
		empty = true
		tag = tag[:len(tag)-1]
	}
	// Element name.
	n := 0
	for n < len(tag) && isNameByte(tag[n]) {
		n++
	}
	rawName = tag[:n]
	qn, err = d.qname(rawName)
	if err != nil {
		return nil, nil, false, err
	}
	// Attributes.
	d.raws = d.raws[:0]
	rest := tag[n:]
	for {
		i := 0
		for i < len(rest) && isSpace(rest[i]) {
			i++
		}
		if i == len(rest) {
			break
		}
		if i == 0 {
			return nil, nil, false, d.errorf("malformed start tag <%s>", rawName)
		}
		rest = rest[i:]
		j := 0
		for j < len(rest) && isNameByte(rest[j]) {
			j++
		}
		an := rest[:j]
		rest = rest[j:]
		for len(rest) > 0 && isSpace(rest[0]) {
			rest = rest[1:]
		}
		if len(an) == 0 || len(rest) == 0 || rest[0] != '=' {
			return nil, nil, false, d.errorf("attribute %q of <%s> has no value", an, rawName)
		}
		rest = rest[1:]
		for len(rest) > 0 && isSpace(rest[0]) {
			rest = rest[1:]
		}
		if len(rest) == 0 || rest[0] != '"' && rest[0] != '\'' {
			return nil, nil, false, d.errorf("attribute %q of <%s> is not quoted", an, rawName)
		}
		q := rest[0]
		k := bytes.IndexByte(rest[1:], q)
		if k < 0 {
			return nil, nil, false, d.errorf("unterminated attribute value")
		}
		val := rest[1 : 1+k]
		rest = rest[k+2:]
		if bytes.IndexByte(val, '<') >= 0 {
			return nil, nil, false, d.errorf("< in the value of attribute %q", an)
		}
		aq, err := d.qname(an)
		if err != nil {
			return nil, nil, false, err
		}
		if len(d.raws) >= d.lim.MaxAttrs {
			return nil, nil, false, d.errorf("more than %d attributes on <%s>", d.lim.MaxAttrs, rawName)
		}
		d.raws = append(d.raws, rawAttr{q: aq, value: val})
	}
	return qn, rawName, empty, nil
}

// fastTag parses a start tag that lies whole in the buffer and is written
// plainly (no space around "=", none before "/>"), filling d.raws; it
// reads nothing. ok=false leaves the tag to slowTag, which takes every
// case and reports every error.
func (d *Decoder) fastTag() (qn *qname, rawName []byte, empty, ok bool) {
	buf := d.buf
	i := d.pos + 1
	for i < len(buf) && nameBytes[buf[i]] {
		i++
	}
	if i >= len(buf) || i == d.pos+1 {
		return nil, nil, false, false
	}
	rawName = buf[d.pos+1 : i]
	qn, err := d.qname(rawName)
	if err != nil {
		return nil, nil, false, false
	}
	d.raws = d.raws[:0]
	end := 0
	for {
		j := i
		for j < len(buf) && isSpace(buf[j]) {
			j++
		}
		if j >= len(buf) {
			return nil, nil, false, false
		}
		if c := buf[j]; c == '>' {
			end = j
			break
		} else if c == '/' {
			if j+1 >= len(buf) || buf[j+1] != '>' {
				return nil, nil, false, false
			}
			end, empty = j+1, true
			break
		}
		if j == i {
			return nil, nil, false, false // no space before the attribute
		}
		i = j
		for j < len(buf) && nameBytes[buf[j]] {
			j++
		}
		if j == i || j+2 >= len(buf) || buf[j] != '=' {
			return nil, nil, false, false
		}
		an := buf[i:j]
		q := buf[j+1]
		if q != '"' && q != '\'' {
			return nil, nil, false, false
		}
		k := bytes.IndexByte(buf[j+2:], q)
		if k < 0 {
			return nil, nil, false, false
		}
		val := buf[j+2 : j+2+k]
		if bytes.IndexByte(val, '<') >= 0 || len(d.raws) >= d.lim.MaxAttrs {
			return nil, nil, false, false
		}
		aq, err := d.qname(an)
		if err != nil {
			return nil, nil, false, false
		}
		d.raws = append(d.raws, rawAttr{q: aq, value: val})
		i = j + 3 + k
	}
	if end-d.tokStart > d.lim.MaxTokenSize {
		return nil, nil, false, false
	}
	d.pos = end + 1
	return qn, rawName, empty, true
}

// declare pushes the namespace declarations among the raw attributes.
func (d *Decoder) declare() error {
	for _, a := range d.raws {
		switch {
		case a.q.prefix == "" && a.q.local == "xmlns":
			d.bind("", d.internBytes(a.value))
		case a.q.prefix == "xmlns":
			if len(a.value) == 0 {
				return d.errorf("xmlns:%s cannot be undeclared in XML 1.0", a.q.local)
			}
			d.bind(a.q.local, d.internBytes(a.value))
		}
	}
	return nil
}

// qname returns the cached split of a qualified name as written.
func (d *Decoder) qname(raw []byte) (*qname, error) {
	var h uint
	if n := len(raw); n > 0 {
		h = (uint(raw[n-1]) ^ uint(raw[n/2])<<1 ^ uint(n)<<2) & uint(len(d.qcache)-1)
		if q := d.qcache[h]; q != nil && q.raw == string(raw) {
			return q, nil
		}
	}
	if q, ok := d.names[string(raw)]; ok {
		d.qcache[h] = q
		return q, nil
	}
	prefix, local, err := d.splitName(raw)
	if err != nil {
		return nil, err
	}
	// Only names whose strings fit in the interning budget are kept.
	keep := len(d.names) < 1<<16 && d.cached+2*len(raw) <= maxCached
	q := &qname{raw: d.internBytes(raw), prefix: d.internBytes(prefix), local: d.internBytes(local)}
	if keep {
		d.names[q.raw] = q
	}
	d.qcache[h] = q
	return q, nil
}

// attributes resolves the attributes of a start tag and decodes their
// values into scratch.
func (d *Decoder) attributes(rawName []byte, empty bool) error {
	// Resolve attributes; decode values into scratch.
	d.attrs = d.attrs[:0]
	d.scratch = d.scratch[:0]
	type span struct{ from, to int }
	var spansArr [16]span
	spans := spansArr[:0]
	for _, a := range d.raws {
		var name Name
		switch q := a.q; {
		case q.prefix == "" && q.local == "xmlns":
			name = Name{NSXMLNS, ""}
		case q.prefix == "xmlns":
			name = Name{NSXMLNS, q.local}
		case q.prefix == "":
			name = Name{"", q.local}
		default:
			u, ok := d.resolveUndeclared(q.prefix)
			if !ok {
				return d.errorf("undeclared namespace prefix %q on attribute %s:%s", q.prefix, q.prefix, q.local)
			}
			name = Name{u, q.local}
		}
		for _, prev := range d.attrs {
			if prev.Name == name {
				return d.errorf("duplicate attribute %s on <%s>", a.q.local, rawName)
			}
		}
		if !attrSpecial(a.value) {
			// The value as written: a slice of the buffer, which holds
			// until the next call too.
			spans = append(spans, span{-1, 0})
			d.attrs = append(d.attrs, Attr{Name: name, Value: a.value[:len(a.value):len(a.value)]})
			continue
		}
		from := len(d.scratch)
		var err error
		if d.scratch, err = d.unescape(d.scratch, a.value, true); err != nil {
			return err
		}
		spans = append(spans, span{from, len(d.scratch)})
		d.attrs = append(d.attrs, Attr{Name: name})
	}
	// scratch may have moved while growing: slice decoded values at the end.
	for i := range d.attrs {
		if sp := spans[i]; sp.from >= 0 {
			d.attrs[i].Value = d.scratch[sp.from:sp.to:sp.to]
		}
	}
	d.tok.Attr = d.attrs
	d.pendEnd = empty
	return nil
}

func (d *Decoder) endTag() error {
	if n := len(d.stack); n > 0 {
		// Fast path: the end tag of the open element, in the buffer.
		raw := d.stack[n-1].q.raw
		gt := d.pos + 2 + len(raw)
		if gt < len(d.buf) && d.buf[gt] == '>' && string(d.buf[d.pos+2:gt]) == raw {
			d.pos = gt + 1
			d.popEnd()
			return nil
		}
	}
	end := -1
	if i := bytes.IndexByte(d.buf[d.pos+2:], '>'); i >= 0 {
		end = d.pos + 2 + i
	} else {
		end = d.find(d.pos+2, ">")
	}
	if end < 0 {
		return d.errorf("unterminated end tag")
	}
	name := d.buf[d.tokStart+2 : end]
	for len(name) > 0 && isSpace(name[len(name)-1]) {
		name = name[:len(name)-1]
	}
	d.pos = end + 1
	if len(d.stack) == 0 {
		return d.errorf("end tag </%s> without a start tag", name)
	}
	if top := &d.stack[len(d.stack)-1]; top.q.raw != string(name) {
		return d.errorf("end tag </%s> does not match <%s>", name, top.q.raw)
	}
	d.popEnd()
	return nil
}

// setTag makes d.tok a start or end tag without attributes. The token is
// set field by field: assigning a whole Token literal copies it through
// the runtime's typed copy, which showed in profiles.
func (d *Decoder) setTag(k Kind, space string, q *qname) {
	d.tok.Kind = k
	d.tok.Name.Space = space
	d.tok.Name.Local = q.local
	d.tok.Prefix = q.prefix
	d.tok.Attr = nil
	d.tok.Text = nil
}

// setText makes d.tok a text token.
func (d *Decoder) setText(text []byte) {
	d.tok.Kind = Text
	d.tok.Name = Name{}
	d.tok.Prefix = ""
	d.tok.Attr = nil
	d.tok.Text = text
}

// popEnd closes the innermost element, setting d.tok to its end.
func (d *Decoder) popEnd() {
	top := &d.stack[len(d.stack)-1]
	d.setTag(EndElement, top.space, top.q)
	if len(d.ns) != top.mark {
		d.unbind(top.mark)
		d.nsGen++
	}
	d.stack = d.stack[:len(d.stack)-1]
	if len(d.stack) == 0 {
		d.done = true
	}
}

// Skip skips to the end of the element whose start tag Next just returned.
func (d *Decoder) Skip() error {
	depth := 1
	if d.pendEnd {
		d.pendEnd = false
		d.popEnd()
		return nil
	}
	d.skipping = true
	defer func() { d.skipping = false }()
	for depth > 0 {
		tok, err := d.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return d.errorf("unexpected end of input")
			}
			return err
		}
		switch tok.Kind {
		case StartElement:
			depth++
		case EndElement:
			depth--
		}
	}
	return nil
}

// cp1252 is what windows-1252 has at 0x80-0x9F where ISO-8859-1 has C1
// controls: the euro sign, typographic quotes and dashes (a .NET service's
// "€" read as ISO-8859-1 was U+0080). The five bytes it leaves undefined
// stay C1 controls, as browsers read them.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// declaredEncoding reads encoding="..." from an XML declaration.
func declaredEncoding(b []byte) string {
	if !bytes.HasPrefix(b, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(b, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(b[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=")
	if len(rest) == 0 {
		return ""
	}
	q := rest[0]
	if q != '"' && q != '\'' {
		return ""
	}
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return strings.ToLower(rest[1 : 1+j])
}

// fromUTF16 reads the rest of the document, UTF-16 (big-endian unless its
// byte order mark says otherwise), converted to UTF-8. A character UTF-16
// cannot carry (an unpaired surrogate) becomes U+FFFD, which XML allows.
func (d *Decoder) fromUTF16(bigEndian bool) {
	endian := unicode.LittleEndian
	if bigEndian {
		endian = unicode.BigEndian
	}
	dec := unicode.UTF16(endian, unicode.UseBOM).NewDecoder()
	rest := d.buf[d.pos:]
	d.base += int64(d.pos)
	if d.r == nil {
		// The whole document is in memory (NewDecoderBytes): convert it
		// at once, into a new buffer (the caller's is never written).
		d.buf, _ = dec.Bytes(rest) // never fails: bad input becomes U+FFFD
		d.pos = 0
		return
	}
	var src io.Reader = bytes.NewReader(bytes.Clone(rest))
	if !d.eof {
		src = io.MultiReader(src, d.r)
	}
	// (A read error met already stays in d.rerr.)
	d.r, d.eof = transform.NewReader(src, dec), false
	d.buf, d.pos = d.buf[:0], 0
	for len(d.buf) < 512 && d.more() {
	}
}

// prolog skips a byte order mark and whitespace, and handles the encoding
// the XML declaration names.
func (d *Decoder) prolog() error {
	for len(d.buf)-d.pos < 512 && d.more() {
	}
	b := d.buf[d.pos:]
	sniffed := false // the encoding is told by the bytes, not the declaration
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		d.pos += 3
		sniffed = true
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), bytes.HasPrefix(b, []byte{0xFF, 0xFE}), len(b) > 1 && (b[0] == 0 || b[1] == 0):
		// UTF-16, by its byte order mark or the zero byte of its first
		// character ("<"): whatever the declaration says, as in XML's
		// own detection rules.
		d.fromUTF16(b[0] == 0xFE || b[0] == 0)
		sniffed = true
	}
	for d.pos < len(d.buf) && isSpace(d.buf[d.pos]) {
		d.pos++
	}
	switch enc := declaredEncoding(d.buf[d.pos:]); enc {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
	case "utf-16", "utf-16le", "utf-16be", "ucs-2":
		// Declared UTF-16, but its "<?xml" took a byte per character:
		// a document written to a .NET string and saved as UTF-8. Read as
		// UTF-8, as libxml2 does.
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1", "windows-1252", "cp1252":
		if sniffed {
			// The byte order mark (or UTF-16's zero bytes) says how
			// the document is encoded, and wins over the declaration
			// (as in XML's own detection rules).
			break
		}
		d.latin1 = true
		if enc == "windows-1252" || enc == "cp1252" {
			d.c1 = &cp1252
		}
		if d.r == nil {
			d.buf = append([]byte(nil), d.buf...)
		}
		d.toUTF8(d.pos)
	default:
		if sniffed {
			break
		}
		return d.errorf("the document is encoded in %s; soapbridge reads UTF-8, UTF-16, ISO-8859-1 and windows-1252", enc)
	}
	return nil
}
