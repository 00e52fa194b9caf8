package soap

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// maxMultiRefDepth bounds how deep href chains are followed, so a cycle of
// references cannot recurse forever.
const maxMultiRefDepth = 32

// maxMultiRefGrowth bounds the inlined envelope: shared values are copied
// where they are referenced, and a value referenced twice by each of a
// chain of multiRefs would otherwise double with every link (a "billion
// laughs" made of href). Real encoders share a few values; inlined, their
// envelopes grow by a small factor.
func maxInlined(n int) int { return 16*n + 1<<20 }

// inlineMultiRefs rewrites a SOAP-encoded envelope whose values are shared
// through href="#id" / id="id" (Axis-style multiRef elements) into one
// where each reference holds its value in place, so the streaming decoder
// reads it like any other message. Envelopes without href are returned
// as they are.
func inlineMultiRefs(data []byte) ([]byte, error) {
	if !bytes.Contains(data, []byte("href=")) {
		return data, nil
	}
	w, err := inline(data)
	if err != nil {
		return nil, err
	}
	return w.b.Bytes(), nil
}

// maxMultiRefNodes bounds the tree of a response with multiRef references
// (about 130 bytes an element): rpc/encoded answers are small.
const maxMultiRefNodes = 2_000_000

// inline is inlineMultiRefs, returning its writer.
func inline(data []byte) (*treeWriter, error) {
	doc, err := xmltree.Parse(data, "response", maxMultiRefNodes)
	if errors.Is(err, xmltree.ErrTooManyNodes) {
		return nil, &ProtocolError{Msg: fmt.Sprintf("the response has more than %d elements and attributes to resolve multiRef references in", maxMultiRefNodes)}
	}
	if err != nil {
		return nil, &ProtocolError{Msg: "the response is not well-formed XML: " + err.Error()}
	}
	ids := map[string]*xmltree.Element{}
	var index func(e *xmltree.Element)
	index = func(e *xmltree.Element) {
		if id, ok := e.Attr("id"); ok {
			ids[id] = e
		}
		for _, c := range e.Children {
			index(c)
		}
	}
	index(doc.Root)
	w := &treeWriter{b: &bytes.Buffer{}, ids: ids, max: maxInlined(len(data))}
	if err := w.element(doc.Root, nil, nil, 0); err != nil {
		return w, err
	}
	return w, nil
}

type treeWriter struct {
	b   *bytes.Buffer
	ids map[string]*xmltree.Element
	max int // bytes the inlined envelope may have
	// looked counts the bindings looked up, for tests: at most one per
	// binding written.
	looked int
}

// nsMap is the namespace bindings of a scope, and for each namespace a
// prefix bound to it (a non-empty one when there is one).
type nsMap struct {
	scope    *xmltree.Scope
	bindings map[string]string
	prefixes map[string]string
}

func newNSMap(s *xmltree.Scope) *nsMap {
	m := &nsMap{scope: s, bindings: s.Bindings(), prefixes: map[string]string{}}
	for p, u := range m.bindings {
		if q, ok := m.prefixes[u]; !ok || q == "" {
			m.prefixes[u] = p
		}
	}
	return m
}

// name writes an element or attribute name in this scope.
func (m *nsMap) name(b *bytes.Buffer, n xmltree.Name, elem bool) {
	switch {
	case n.Space == "":
	case n.Space == xmltree.NSXML:
		b.WriteString("xml:")
	case elem && m.bindings[""] == n.Space:
	default:
		if p := m.prefixes[n.Space]; p != "" {
			b.WriteString(p)
			b.WriteByte(':')
		}
	}
	b.WriteString(n.Local)
}

func writeBinding(b *bytes.Buffer, p, u string) {
	if p == "" {
		b.WriteString(` xmlns="`)
	} else {
		b.WriteString(` xmlns:` + p + `="`)
	}
	xmlEscape(b, u)
	b.WriteByte('"')
}

// element writes e. When e refers to a multiRef (href), the referenced
// element supplies the attributes and children under e's own name. parent
// is the bindings in force in the output where e goes, those of a source
// scope. Bindings are looked up once per scope written: an element that
// declares nothing reuses its parent's, and an element that does writes
// every binding of its scope, so the work is bounded by the output (a
// lookup per element and per binding cost 12 s for 20,000 references
// under 250 declarations).
func (w *treeWriter) element(e *xmltree.Element, parent *nsMap, srcParent *xmltree.Scope, depth int) error {
	if depth > maxMultiRefDepth+xmltree.MaxDepth {
		return &ProtocolError{Msg: "multiRef references nest too deep"}
	}
	if w.b.Len() > w.max {
		return &ProtocolError{Msg: fmt.Sprintf("multiRef references expand the response beyond %d bytes", w.max)}
	}
	src := e
	hops := 0
	for {
		href, ok := src.Attr("href")
		if !ok || !strings.HasPrefix(href, "#") {
			break
		}
		target := w.ids[href[1:]]
		if target == nil {
			return &ProtocolError{Msg: fmt.Sprintf("href %q refers to no element", href)}
		}
		if hops++; hops > maxMultiRefDepth {
			return &ProtocolError{Msg: "multiRef references form a cycle"}
		}
		src = target
	}
	// Top-level multiRef elements (children of Body after the first) are
	// dropped: their values now live where they were referenced.
	w.b.WriteByte('<')
	mark := w.b.Len()
	ns := parent
	if parent == nil || src != e || e.Scope != srcParent {
		// Declare every binding in scope: correct also for values moved
		// from elsewhere in the document.
		ns = newNSMap(src.Scope)
		own := ns
		if src != e {
			own = newNSMap(e.Scope)
			w.looked += len(own.bindings)
		}
		w.looked += len(ns.bindings)
		// The element's own name is in its own scope: when the moved
		// value binds its prefix otherwise, it gets a fresh one.
		switch sp := e.Name.Space; {
		case sp == "" || sp == xmltree.NSXML || src == e:
			own.name(w.b, e.Name, true)
		default:
			p := own.prefixes[sp]
			if own.bindings[""] == sp {
				p = ""
			}
			if u, ok := ns.bindings[p]; ok && u == sp {
				own.name(w.b, e.Name, true)
				break
			}
			for i := 0; ; i++ {
				p = fmt.Sprintf("mr%d", i)
				if _, taken := ns.bindings[p]; !taken {
					break
				}
			}
			w.b.WriteString(p + ":" + e.Name.Local)
			writeBinding(w.b, p, sp)
		}
		for p, u := range ns.bindings {
			writeBinding(w.b, p, u)
		}
	} else {
		ns.name(w.b, e.Name, true)
	}
	name := string(w.b.Bytes()[mark:])
	if i := strings.IndexByte(name, ' '); i >= 0 {
		name = name[:i]
	}
	for _, a := range src.Attrs {
		if a.Name.Space == "" && (a.Name.Local == "id" || a.Name.Local == "href") {
			continue
		}
		w.b.WriteByte(' ')
		ns.name(w.b, a.Name, false)
		w.b.WriteString(`="`)
		xmlEscape(w.b, a.Value)
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
	xmlEscape(w.b, src.Text)
	body := isBody(src)
	for i, c := range src.Children {
		if body && i > 0 && isMultiRef(c) {
			continue
		}
		if err := w.element(c, ns, src.Scope, depth+1); err != nil {
			return err
		}
	}
	w.b.WriteString("</" + name + ">")
	return nil
}

func isBody(e *xmltree.Element) bool {
	return e.Name.Local == "Body" && (e.Name.Space == "http://schemas.xmlsoap.org/soap/envelope/" || e.Name.Space == "http://www.w3.org/2003/05/soap-envelope")
}

// isMultiRef reports whether a body child only carries shared values.
func isMultiRef(e *xmltree.Element) bool {
	_, ok := e.Attr("id")
	return ok
}

func xmlEscape(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteByte(c)
		}
	}
}
