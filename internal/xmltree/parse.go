package xmltree

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/soapbridge/soapbridge/internal/xmltok"
)

// NSXML is the namespace bound to the xml prefix.
const NSXML = xmltok.NSXML

// MaxDepth is the deepest element nesting Parse accepts.
const MaxDepth = 256

// wellKnownPrefixes are the namespaces sloppy WSDLs mean when they use these
// prefixes without declaring them.
var wellKnownPrefixes = map[string]string{
	"xs": "http://www.w3.org/2001/XMLSchema", "xsd": "http://www.w3.org/2001/XMLSchema", "s": "http://www.w3.org/2001/XMLSchema",
	"xsi":      "http://www.w3.org/2001/XMLSchema-instance",
	"wsdl":     "http://schemas.xmlsoap.org/wsdl/",
	"soap":     "http://schemas.xmlsoap.org/wsdl/soap/",
	"soap12":   "http://schemas.xmlsoap.org/wsdl/soap12/",
	"http":     "http://schemas.xmlsoap.org/wsdl/http/",
	"mime":     "http://schemas.xmlsoap.org/wsdl/mime/",
	"soapenc":  "http://schemas.xmlsoap.org/soap/encoding/",
	"SOAP-ENC": "http://schemas.xmlsoap.org/soap/encoding/",
	"wsp":      "http://schemas.xmlsoap.org/ws/2004/09/policy",
	"wsu":      "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
	"sp":       "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702",
	"wsam":     "http://www.w3.org/2007/05/addressing/metadata",
	"wsaw":     "http://www.w3.org/2006/05/addressing/wsdl",
	"xmime":    "http://www.w3.org/2005/05/xmlmime",
}

// ErrTooManyNodes is wrapped by Parse's error when a document has more
// elements, attributes and namespace declarations than it may.
var ErrTooManyNodes = errors.New("too many elements and attributes")

// Parse reads a whole document, building at most maxNodes elements,
// attributes and namespace declarations (see Document.Nodes): a tree takes
// tens of bytes for each byte of small elements, so the count, not the
// document's size, bounds its memory. name names the document in errors
// ("svc.wsdl: line 12: ..."); the caller sets Document.URI and Name.
func Parse(data []byte, name string, maxNodes int) (*Document, error) {
	doc := &Document{URI: name}
	d := xmltok.NewDecoderBytes(data, xmltok.Limits{MaxDepth: MaxDepth})
	d.Undeclared = func(prefix string) (string, bool) {
		uri, known := wellKnownPrefixes[prefix]
		if !known {
			uri = "urn:soapbridge:undeclared-prefix:" + prefix
		}
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("%s:%d: namespace prefix %q is not declared; read as %s", DisplayName(name), d.Line(), prefix, uri))
		return uri, true
	}
	var stack []*Element
	var text []byte
	// Elements, attribute lists and child lists come from slabs, and
	// repeated attribute values ("0", "unbounded", "xs:string") share one
	// string: big schemas parse with far fewer allocations. The children
	// of open elements wait in kids (those of stack[i] from kidStart[i])
	// until the end tag says how many there are.
	var slab []Element
	var attrSlab []Attr
	var childSlab []*Element
	var kids []*Element
	var kidStart []int
	// A direct-mapped cache in front of the map: the same values follow
	// one another, and a compare costs less than a map lookup.
	// Sized for the distinct values of a typical schema, one per 512
	// bytes or so: growing the map rehashed it a dozen times.
	values := make(map[string]string, min(len(data)/512, 1<<15))
	var recent [256]string
	value := func(b []byte) string {
		if len(b) > 64 || len(b) == 0 {
			return string(b)
		}
		h := (uint(len(b)) ^ uint(b[0])<<1 ^ uint(b[len(b)/2])<<3 ^ uint(b[len(b)-1])<<5) & uint(len(recent)-1)
		if v := recent[h]; v == string(b) {
			return v
		}
		v, ok := values[string(b)]
		if !ok {
			v = string(b)
			values[v] = v
		}
		recent[h] = v
		return v
	}
	for {
		tok, err := d.Read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			var se *xmltok.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%s: line %d: %s", DisplayName(name), se.Line, se.Msg)
			}
			return nil, fmt.Errorf("%s: %w", DisplayName(name), err)
		}
		switch tok.Kind {
		case xmltok.StartElement:
			if doc.Nodes += 1 + len(tok.Attr); doc.Nodes > maxNodes {
				return nil, fmt.Errorf("%s: line %d: more than %d elements and attributes: %w", DisplayName(name), d.Line(), maxNodes, ErrTooManyNodes)
			}
			var scope *Scope
			if len(stack) > 0 {
				scope = stack[len(stack)-1].Scope
			}
			if len(slab) == 0 {
				slab = make([]Element, 256)
			}
			el := &slab[0]
			slab = slab[1:]
			// The slab is zeroed: set fields one by one, sparing a
			// typed copy of the whole struct.
			el.Name = Name(tok.Name)
			el.Line = d.Line()
			el.Doc = doc
			if n := len(tok.Attr); n > 0 {
				if len(attrSlab) < n {
					attrSlab = make([]Attr, max(n, 512))
				}
				el.Attrs = attrSlab[:0:n]
			}
			var decl *Scope
			for _, a := range tok.Attr {
				if a.Name.Space == xmltok.NSXMLNS {
					if decl == nil {
						decl = &Scope{parent: scope}
					}
					decl.prefixes = append(decl.prefixes, a.Name.Local)
					decl.uris = append(decl.uris, value(a.Value))
					continue
				}
				el.Attrs = append(el.Attrs, Attr{Name: Name(a.Name), Value: value(a.Value)})
			}
			if len(el.Attrs) == 0 {
				el.Attrs = nil
			} else {
				attrSlab = attrSlab[len(el.Attrs):]
			}
			if decl != nil {
				scope = decl
			}
			el.Scope = scope
			if len(stack) > 0 {
				kids = append(kids, el)
			} else {
				doc.Root = el
			}
			stack = append(stack, el)
			kidStart = append(kidStart, len(kids))
			text = text[:0]
		case xmltok.EndElement:
			el := stack[len(stack)-1]
			from := kidStart[len(kidStart)-1]
			if n := len(kids) - from; n > 0 {
				if len(childSlab) < n {
					childSlab = make([]*Element, max(n, 1024))
				}
				el.Children = childSlab[:n:n]
				childSlab = childSlab[n:]
				copy(el.Children, kids[from:])
				clear(kids[from:])
				kids = kids[:from]
			} else if len(text) > 0 {
				el.Text = strings.Clone(string(text))
			}
			text = text[:0]
			stack = stack[:len(stack)-1]
			kidStart = kidStart[:len(kidStart)-1]
		case xmltok.Text:
			if len(stack) > 0 && len(kids) == kidStart[len(kidStart)-1] {
				text = append(text, tok.Text...)
			}
		}
	}
	return doc, nil
}
