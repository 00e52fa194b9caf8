package xmltree

import (
	"fmt"
	"strconv"
	"strings"
)

// Name is an expanded XML name: a namespace URI and a local name.
type Name struct {
	Space, Local string
}

func (n Name) String() string {
	if n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// Attr is an attribute other than a namespace declaration.
type Attr struct {
	Name  Name
	Value string
}

// Scope is the set of namespace bindings in force at an element. Scopes are
// shared between an element and its descendants that declare nothing new.
type Scope struct {
	parent   *Scope
	prefixes []string
	uris     []string
}

// Lookup resolves a prefix ("" for the default namespace).
func (s *Scope) Lookup(prefix string) (string, bool) {
	if prefix == "xml" {
		return "http://www.w3.org/XML/1998/namespace", true
	}
	for ; s != nil; s = s.parent {
		for i := len(s.prefixes) - 1; i >= 0; i-- {
			if s.prefixes[i] == prefix {
				return s.uris[i], true
			}
		}
	}
	return "", false
}

// Bindings returns every prefix in scope with its namespace, innermost
// declaration winning, in no particular order.
func (s *Scope) Bindings() map[string]string {
	m := make(map[string]string)
	for ; s != nil; s = s.parent {
		for i, p := range s.prefixes {
			if _, ok := m[p]; !ok {
				m[p] = s.uris[i]
			}
		}
	}
	return m
}

// Element is one element of a parsed document.
type Element struct {
	Name     Name
	Attrs    []Attr
	Children []*Element
	// Text is the element's character data when it has no child elements;
	// otherwise empty.
	Text  string
	Line  int
	Scope *Scope
	Doc   *Document
}

// Document is a parsed XML document.
type Document struct {
	// URI is where the document was read from; relative references in it
	// resolve against this.
	URI string
	// Name is the short name messages use: the path relative to the entry
	// document of a compile, or the URI.
	Name string
	Root *Element
	// Warnings are problems the parser recovered from (undeclared
	// namespace prefixes), each "name:line: message".
	Warnings []string
	// Nodes counts the document's elements, attributes and namespace
	// declarations: what its tree holds (about 130 bytes for an element,
	// 50 for an attribute).
	Nodes int
}

// Attr returns the value of the attribute with no namespace named local.
func (e *Element) Attr(local string) (string, bool) {
	for i := range e.Attrs {
		if e.Attrs[i].Name.Local == local && e.Attrs[i].Name.Space == "" {
			return e.Attrs[i].Value, true
		}
	}
	return "", false
}

// AttrValue is Attr without the presence flag.
func (e *Element) AttrValue(local string) string {
	v, _ := e.Attr(local)
	return v
}

// AttrNS returns the value of the attribute {space}local.
func (e *Element) AttrNS(space, local string) (string, bool) {
	for i := range e.Attrs {
		if e.Attrs[i].Name.Local == local && e.Attrs[i].Name.Space == space {
			return e.Attrs[i].Value, true
		}
	}
	return "", false
}

// ResolveQName resolves a QName-valued attribute value such as "tns:Order"
// in the element's scope. An unprefixed value takes the default namespace.
func (e *Element) ResolveQName(v string) (Name, error) {
	v = strings.TrimSpace(v)
	prefix, local, ok := strings.Cut(v, ":")
	if !ok {
		prefix, local = "", v
	}
	if local == "" || strings.ContainsAny(local, " :") {
		return Name{}, fmt.Errorf("malformed QName %q", v)
	}
	uri, found := e.Scope.Lookup(prefix)
	if !found && prefix != "" {
		return Name{Local: local}, &UndeclaredPrefixError{Prefix: prefix, Value: v}
	}
	return Name{Space: uri, Local: local}, nil
}

// UndeclaredPrefixError reports a QName whose prefix has no namespace in
// scope. ResolveQName returns it with the local part filled in, so a lenient
// caller can still look the name up by its local part.
type UndeclaredPrefixError struct {
	Prefix, Value string
}

func (e *UndeclaredPrefixError) Error() string {
	return fmt.Sprintf("prefix %q of %q is not declared", e.Prefix, e.Value)
}

// Position names the element's document and line for error messages:
// "svc.wsdl:12".
func (e *Element) Position() string {
	if e.Doc == nil {
		return fmt.Sprintf("line %d", e.Line)
	}
	name := e.Doc.Name
	if name == "" {
		name = DisplayName(e.Doc.URI)
	}
	// The line is formatted on the stack: the concatenation is the only
	// allocation (the compilers call this for every declaration).
	var line [20]byte
	return name + ":" + string(strconv.AppendInt(line[:0], int64(e.Line), 10))
}

// DisplayName shortens a document URI for messages: file URIs become their
// path, bundle URIs their path inside the bundle.
func DisplayName(uri string) string {
	for _, p := range []string{"file://", "bundle:///", "bundle:/"} {
		if strings.HasPrefix(uri, p) {
			return strings.TrimPrefix(uri, p)
		}
	}
	return uri
}
