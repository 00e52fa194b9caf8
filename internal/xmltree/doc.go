// Package xmltree reads an XML document into a small read-only element tree
// for the WSDL and schema compilers: element and attribute names resolved to
// namespaces, the namespace scope of every element (so QName-valued attributes
// such as type="tns:Order" can be resolved later), and the line each element
// starts on, for error messages.
//
// It owns no knowledge of WSDL or XML Schema. Documents are parsed with the
// limits of package xmltok: no DTD entity expansion, bounded depth and token
// size. Text is kept only where it is the sole content of an element (for
// xsd:documentation and the like); whitespace between elements is dropped.
package xmltree
