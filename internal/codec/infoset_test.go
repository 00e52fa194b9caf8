package codec_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// xmlNode is an element of an XML infoset as the differential tests compare
// it: namespace-qualified names, the attribute set (namespace declarations
// left out), QName-valued attributes resolved, and text.
type xmlNode struct {
	name  xml.Name
	attrs map[string]string // "{space}local" -> value
	kids  []*xmlNode
	text  string
}

// qnameAttrs are attributes whose value is a QName (xsi:type) or starts
// with one (soapenc:arrayType "p:local[n]"): compared by resolved name.
var qnameAttrs = map[string]bool{
	"{http://www.w3.org/2001/XMLSchema-instance}type":      true,
	"{http://schemas.xmlsoap.org/soap/encoding/}arrayType": true,
	"{http://www.w3.org/2003/05/soap-encoding}itemType":    true,
}

// parseInfoset reads one XML document into its element tree.
func parseInfoset(doc []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var stack []*xmlNode
	var scopes []map[string]string // prefix -> namespace, innermost last
	var texts []*strings.Builder
	var root *xmlNode
	resolve := func(v string) string {
		prefix, local, ok := strings.Cut(v, ":")
		if !ok {
			prefix, local = "", v
		}
		for i := len(scopes) - 1; i >= 0; i-- {
			if ns, ok := scopes[i][prefix]; ok {
				return "{" + ns + "}" + local
			}
		}
		if prefix == "" {
			return local
		}
		return "{?" + prefix + "}" + local
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: t.Name, attrs: map[string]string{}}
			scope := map[string]string{}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					scope[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					scope[""] = a.Value
				}
			}
			scopes = append(scopes, scope)
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					continue
				}
				key := "{" + a.Name.Space + "}" + a.Name.Local
				v := a.Value
				if qnameAttrs[key] {
					q, rest := v, ""
					if i := strings.IndexByte(v, '['); i >= 0 {
						q, rest = v[:i], v[i:]
					}
					v = resolve(strings.TrimSpace(q)) + rest
				}
				n.attrs[key] = v
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
			texts = append(texts, &strings.Builder{})
		case xml.EndElement:
			n := stack[len(stack)-1]
			n.text = texts[len(texts)-1].String()
			if len(n.kids) > 0 && strings.TrimSpace(n.text) == "" {
				n.text = "" // indentation between child elements
			}
			stack, texts, scopes = stack[:len(stack)-1], texts[:len(texts)-1], scopes[:len(scopes)-1]
		case xml.CharData:
			if len(texts) > 0 {
				texts[len(texts)-1].Write(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func (n *xmlNode) label() string {
	if n.name.Space == "" {
		return n.name.Local
	}
	return "{" + n.name.Space + "}" + n.name.Local
}

// diffInfoset returns "" when a and b are the same infoset, else the path of
// the first difference and what differs.
func diffInfoset(a, b *xmlNode, path string) string {
	path += "/" + a.label()
	if a.name != b.name {
		return fmt.Sprintf("%s: element %s vs %s", path, a.label(), b.label())
	}
	keys := map[string]bool{}
	for k := range a.attrs {
		keys[k] = true
	}
	for k := range b.attrs {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		av, aok := a.attrs[k]
		bv, bok := b.attrs[k]
		switch {
		case !aok:
			return fmt.Sprintf("%s: attribute %s only in the second (%q)", path, k, bv)
		case !bok:
			return fmt.Sprintf("%s: attribute %s only in the first (%q)", path, k, av)
		case av != bv:
			return fmt.Sprintf("%s: attribute %s %q vs %q", path, k, av, bv)
		}
	}
	if a.text != b.text {
		return fmt.Sprintf("%s: text %q vs %q", path, a.text, b.text)
	}
	for i := 0; i < len(a.kids) && i < len(b.kids); i++ {
		if d := diffInfoset(a.kids[i], b.kids[i], path); d != "" {
			return d
		}
	}
	switch {
	case len(a.kids) > len(b.kids):
		return fmt.Sprintf("%s: child %s only in the first", path, a.kids[len(b.kids)].label())
	case len(b.kids) > len(a.kids):
		return fmt.Sprintf("%s: child %s only in the second", path, b.kids[len(a.kids)].label())
	}
	return ""
}
