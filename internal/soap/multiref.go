package soap

import (
	"bytes"
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
	doc, err := xmltree.Parse(data, "response")
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
	var b bytes.Buffer
	w := &treeWriter{b: &b, ids: ids, max: maxInlined(len(data))}
	if err := w.element(doc.Root, nil, 0, true); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type treeWriter struct {
	b   *bytes.Buffer
	ids map[string]*xmltree.Element
	max int // bytes the inlined envelope may have
}

// element writes e. content, when set, supplies the attributes and
// children (the referenced multiRef's) under e's own name.
func (w *treeWriter) element(e *xmltree.Element, parent *xmltree.Scope, depth int, top bool) error {
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
	w.b.WriteString(qualified(e))
	// Declare every binding in scope: cheap, and correct also for values
	// moved from elsewhere in the document.
	if top || src != e || e.Scope != parent {
		for p, u := range src.Scope.Bindings() {
			if p == "" {
				w.b.WriteString(` xmlns="`)
			} else {
				w.b.WriteString(` xmlns:` + p + `="`)
			}
			xmlEscape(w.b, u)
			w.b.WriteByte('"')
		}
		if src != e {
			for p, u := range e.Scope.Bindings() {
				if _, dup := src.Scope.Bindings()[p]; !dup {
					w.b.WriteString(` xmlns:` + p + `="`)
					xmlEscape(w.b, u)
					w.b.WriteByte('"')
				}
			}
		}
	}
	for _, a := range src.Attrs {
		if a.Name.Space == "" && (a.Name.Local == "id" || a.Name.Local == "href") {
			continue
		}
		w.b.WriteByte(' ')
		w.b.WriteString(attrName(src, a.Name))
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
		if err := w.element(c, src.Scope, depth+1, false); err != nil {
			return err
		}
	}
	w.b.WriteString("</" + qualified(e) + ">")
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

// qualified names an element with a prefix bound to its namespace in its
// scope.
func qualified(e *xmltree.Element) string {
	if e.Name.Space == "" {
		return e.Name.Local
	}
	for p, u := range e.Scope.Bindings() {
		if u == e.Name.Space {
			if p == "" {
				return e.Name.Local
			}
			return p + ":" + e.Name.Local
		}
	}
	return e.Name.Local
}

func attrName(e *xmltree.Element, n xmltree.Name) string {
	if n.Space == "" {
		return n.Local
	}
	if n.Space == xmltree.NSXML {
		return "xml:" + n.Local
	}
	for p, u := range e.Scope.Bindings() {
		if u == n.Space && p != "" {
			return p + ":" + n.Local
		}
	}
	return n.Local
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
