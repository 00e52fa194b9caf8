package codec

import (
	"strconv"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

// xmlWriter writes namespace-well-formed XML into a byte slice. It never
// declares a default namespace, so unqualified elements need nothing; each
// namespace is declared on the first element that needs it and stays in
// scope for its subtree.
type xmlWriter struct {
	b     []byte
	ns    []binding // in-scope declarations, innermost last
	open  []frame
	inTag bool // a start tag is open: attributes may follow
	n     int  // generated prefixes so far
}

type binding struct{ prefix, uri string }

type frame struct {
	prefix, local string // the element's name is prefix:local, or local
	mark          int    // len(ns) when the element started
}

// grow makes room for about n bytes of output and a few namespaces and
// open elements, so that a small message is written without growing.
func (w *xmlWriter) grow(n int) {
	w.b = make([]byte, 0, n)
	w.ns = make([]binding, 0, 8)
	w.open = make([]frame, 0, 8)
}

// predeclare binds a prefix for the whole output (declared by the caller,
// e.g. on the envelope).
func (w *xmlWriter) predeclare(prefix, uri string) { w.ns = append(w.ns, binding{prefix, uri}) }

func (w *xmlWriter) lookup(uri string) (string, bool) {
	for i := len(w.ns) - 1; i >= 0; i-- {
		if w.ns[i].uri == uri {
			// The prefix must not be shadowed by an inner declaration.
			shadowed := false
			for j := i + 1; j < len(w.ns); j++ {
				if w.ns[j].prefix == w.ns[i].prefix {
					shadowed = true
				}
			}
			if !shadowed {
				return w.ns[i].prefix, true
			}
		}
	}
	return "", false
}

// prefix returns the prefix bound to uri, declaring one on the open start
// tag when there is none. It must be called while a start tag is open.
func (w *xmlWriter) prefix(uri string) string {
	if p, ok := w.lookup(uri); ok {
		return p
	}
	w.n++
	p := "ns" + strconv.Itoa(w.n)
	w.ns = append(w.ns, binding{p, uri})
	w.b = append(w.b, " xmlns:"...)
	w.b = append(w.b, p...)
	w.b = append(w.b, `="`...)
	w.b = appendEscaped(w.b, uri, true)
	w.b = append(w.b, '"')
	return p
}

func (w *xmlWriter) closeTag() {
	if w.inTag {
		w.b = append(w.b, '>')
		w.inTag = false
	}
}

// start opens an element.
func (w *xmlWriter) start(q xsd.QName) {
	w.closeTag()
	mark := len(w.ns)
	w.b = append(w.b, '<')
	f := frame{local: q.Local, mark: mark}
	declare := false
	if q.Space != "" {
		var ok bool
		if f.prefix, ok = w.lookup(q.Space); !ok {
			w.n++
			f.prefix = "ns" + strconv.Itoa(w.n)
			w.ns = append(w.ns, binding{f.prefix, q.Space})
			declare = true
		}
	}
	w.b = f.appendName(w.b)
	if declare {
		w.b = append(w.b, " xmlns:"...)
		w.b = append(w.b, f.prefix...)
		w.b = append(w.b, `="`...)
		w.b = appendEscaped(w.b, q.Space, true)
		w.b = append(w.b, '"')
	}
	w.open = append(w.open, f)
	w.inTag = true
}

// appendName appends the element's name (prefix:local).
func (f *frame) appendName(b []byte) []byte {
	if f.prefix != "" {
		b = append(b, f.prefix...)
		b = append(b, ':')
	}
	return append(b, f.local...)
}

// attr adds an attribute to the open start tag.
func (w *xmlWriter) attr(q xsd.QName, v string) {
	p := ""
	if q.Space != "" {
		p = w.prefix(q.Space) // may declare it first
	}
	w.b = append(w.b, ' ')
	if p != "" {
		w.b = append(w.b, p...)
		w.b = append(w.b, ':')
	}
	w.b = append(w.b, q.Local...)
	w.b = append(w.b, `="`...)
	w.b = appendEscaped(w.b, v, true)
	w.b = append(w.b, '"')
}

// qnameValue renders an expanded name as a QName value ("p:local"),
// declaring its prefix on the open start tag.
func (w *xmlWriter) qnameValue(q xsd.QName) string {
	if q.Space == "" {
		return q.Local
	}
	return w.prefix(q.Space) + ":" + q.Local
}

func (w *xmlWriter) text(v string) {
	w.closeTag()
	w.b = appendEscaped(w.b, v, false)
}

// raw writes well-formed XML as it is.
func (w *xmlWriter) raw(v string) {
	w.closeTag()
	w.b = append(w.b, v...)
}

// end closes the innermost element, as an empty-element tag when it has no
// content.
func (w *xmlWriter) end() {
	f := w.open[len(w.open)-1]
	w.open = w.open[:len(w.open)-1]
	if w.inTag {
		w.b = append(w.b, "/>"...)
		w.inTag = false
	} else {
		w.b = append(w.b, "</"...)
		w.b = f.appendName(w.b)
		w.b = append(w.b, '>')
	}
	w.ns = w.ns[:f.mark]
}

// appendEscaped escapes text for element content or a double-quoted
// attribute value. Characters XML cannot carry are replaced by U+FFFD.
func appendEscaped(dst []byte, s string, attr bool) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		size := 1
		switch {
		case c == '<':
			esc = "&lt;"
		case c == '>':
			esc = "&gt;"
		case c == '&':
			esc = "&amp;"
		case c == '"' && attr:
			esc = "&quot;"
		case c == '\r':
			esc = "&#xD;"
		case c == '\n' && attr:
			esc = "&#xA;"
		case c == '\t' && attr:
			esc = "&#x9;"
		case c < 0x20 && c != '\n' && c != '\t':
			esc = "\uFFFD"
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		}
		if esc != "" {
			dst = append(dst, s[start:i]...)
			dst = append(dst, esc...)
			start = i + size
		}
		i += size
	}
	return append(dst, s[start:]...)
}
