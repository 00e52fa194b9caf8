package codec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// CheckElement checks that s is one element that can be copied as it is
// into a SOAP envelope of version v: well-formed XML (names, characters
// and references as XML 1.0 has them), no XML declaration and no DTD, no
// duplicate attribute, every prefix declared in s itself or one of the
// envelope's (EnvelopeNamespaces), and nothing but comments and
// whitespace around the element. It returns the element's namespace ("" for
// none).
//
// The message of an error names the markup at fault, never text or
// attribute values: a SOAP header block may hold a credential.
func CheckElement(s string, v wsdl.SOAPVersion) (string, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	type open struct {
		name string      // as written, prefix:local
		ns   [][2]string // the declarations it made: prefix, URI
	}
	// Declarations in scope, innermost last; "" is the default namespace.
	scope := append([][2]string{{"xml", "http://www.w3.org/XML/1998/namespace"}}, EnvelopeNamespaces(v)...)
	lookup := func(prefix string) (string, bool) {
		for i := len(scope) - 1; i >= 0; i-- {
			if scope[i][0] == prefix {
				return scope[i][1], true
			}
		}
		return "", prefix == ""
	}
	rawName := func(n xml.Name) string {
		if n.Space == "" {
			return n.Local
		}
		return n.Space + ":" + n.Local
	}
	var stack []open
	rootNS, roots := "", 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				if strings.HasPrefix(se.Msg, "invalid character entity") {
					return "", errors.New("a reference to an unknown entity") // the name may be text
				}
				return "", errors.New(se.Msg)
			}
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if roots++; roots > 1 {
					return "", errors.New("more than one element")
				}
			}
			o := open{name: rawName(t.Name)}
			seen := make(map[string]bool, len(t.Attr))
			for _, a := range t.Attr {
				n := rawName(a.Name)
				if seen[n] {
					return "", fmt.Errorf("duplicate attribute %s on <%s>", n, o.name)
				}
				seen[n] = true
				switch {
				case a.Name.Space == "xmlns":
					if a.Value == "" {
						return "", fmt.Errorf("<%s> undeclares prefix %s", o.name, a.Name.Local)
					}
					o.ns = append(o.ns, [2]string{a.Name.Local, a.Value})
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					o.ns = append(o.ns, [2]string{"", a.Value})
				}
			}
			scope = append(scope, o.ns...)
			if t.Name.Space == "xmlns" {
				return "", fmt.Errorf("<%s>: an element cannot have the prefix xmlns", o.name)
			}
			ns, ok := lookup(t.Name.Space)
			if !ok {
				return "", fmt.Errorf("<%s>: prefix %s is not declared", o.name, t.Name.Space)
			}
			if len(stack) == 0 {
				rootNS = ns
			}
			expanded := make(map[xml.Name]bool, len(t.Attr))
			for _, a := range t.Attr {
				if p := a.Name.Space; p != "" && p != "xmlns" {
					uri, ok := lookup(p)
					if !ok {
						return "", fmt.Errorf("attribute %s of <%s>: prefix %s is not declared", rawName(a.Name), o.name, p)
					}
					// Two prefixes of one namespace make one name.
					n := xml.Name{Space: uri, Local: a.Name.Local}
					if expanded[n] {
						return "", fmt.Errorf("duplicate attribute {%s}%s on <%s>", uri, a.Name.Local, o.name)
					}
					expanded[n] = true
				}
			}
			stack = append(stack, o)
		case xml.EndElement:
			n := rawName(t.Name)
			if len(stack) == 0 || stack[len(stack)-1].name != n {
				return "", fmt.Errorf("unexpected end tag </%s>", n)
			}
			scope = scope[:len(scope)-len(stack[len(stack)-1].ns)]
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return "", errors.New("text outside the element")
			}
		case xml.ProcInst:
			if strings.EqualFold(t.Target, "xml") {
				return "", errors.New("an XML declaration cannot be inside an envelope")
			}
		case xml.Directive:
			return "", errors.New("DTDs are not allowed")
		}
	}
	switch {
	case len(stack) > 0:
		return "", fmt.Errorf("<%s> is not closed", stack[len(stack)-1].name)
	case roots == 0:
		return "", errors.New("no element")
	}
	return rootNS, nil
}
