// Package xsd compiles XML Schema documents into an immutable schema model:
// named and anonymous types with their effective content models (extension
// and group references already applied), element and attribute declarations
// with their qualified names, facets merged down each restriction chain,
// substitution groups and the derived types of every type.
//
// It knows the built-in types of XML Schema (also under the 1999 and 2000/10
// namespaces old SOAP toolkits still emit), the SOAP 1.1 and 1.2 encoding
// types, soapenc:Array with wsdl:arrayType, and the xml: attributes, so these
// are never fetched. It knows nothing of WSDL, HTTP or JSON.
//
// Components refer to each other by index (TypeID, ElemID) rather than by
// pointer, so a Schema holds recursive types, is safe to share between
// goroutines once compiled, and serializes with encoding/gob.
package xsd
