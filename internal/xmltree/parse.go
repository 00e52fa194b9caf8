package xmltree

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// NSXML is the namespace bound to the xml prefix.
const NSXML = "http://www.w3.org/XML/1998/namespace"

// MaxDepth is the deepest element nesting Parse accepts.
const MaxDepth = 256

// Parse reads a whole document. uri names it in errors and is recorded as
// Document.URI. Errors carry the line: "svc.wsdl: line 12: ...".
func Parse(data []byte, uri string) (*Document, error) {
	doc := &Document{URI: uri}
	d := xml.NewDecoder(bytes.NewReader(bytes.TrimLeft(data, "\ufeff \t\r\n")))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "iso-8859-1", "latin1", "us-ascii", "ascii":
			b, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			out := make([]rune, len(b))
			for i, c := range b {
				out[i] = rune(c)
			}
			return strings.NewReader(string(out)), nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	var stack []*Element
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, fmt.Errorf("%s: line %d: %s", DisplayName(uri), se.Line, se.Msg)
			}
			line, _ := d.InputPos()
			return nil, fmt.Errorf("%s: line %d: %v", DisplayName(uri), line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= MaxDepth {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("%s: line %d: elements nested deeper than %d", DisplayName(uri), line, MaxDepth)
			}
			line, _ := d.InputPos()
			var parent *Element
			scope := (*Scope)(nil)
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
				scope = parent.Scope
			}
			el := &Element{Name: Name(t.Name), Line: line, Doc: doc}
			var decl *Scope
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					if decl == nil {
						decl = &Scope{parent: scope}
					}
					decl.prefixes = append(decl.prefixes, a.Name.Local)
					decl.uris = append(decl.uris, a.Value)
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					if decl == nil {
						decl = &Scope{parent: scope}
					}
					decl.prefixes = append(decl.prefixes, "")
					decl.uris = append(decl.uris, a.Value)
				default:
					el.Attrs = append(el.Attrs, Attr{Name: Name(a.Name), Value: a.Value})
				}
			}
			if decl != nil {
				scope = decl
			}
			el.Scope = scope
			if parent != nil {
				parent.Children = append(parent.Children, el)
			} else if doc.Root == nil {
				doc.Root = el
			}
			stack = append(stack, el)
			text.Reset()
		case xml.EndElement:
			el := stack[len(stack)-1]
			if len(el.Children) == 0 {
				el.Text = text.String()
			}
			text.Reset()
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				text.Write(t)
			}
		case xml.Directive:
			if bytes.Contains(t, []byte("<!ENTITY")) || bytes.Contains(t, []byte("ENTITY")) {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("%s: line %d: DTD entity declarations are not allowed", DisplayName(uri), line)
			}
		}
	}
	if doc.Root == nil {
		return nil, fmt.Errorf("%s: no root element", DisplayName(uri))
	}
	return doc, nil
}
