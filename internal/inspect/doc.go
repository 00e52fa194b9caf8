// Package inspect describes a compiled WSDL model for people and scripts:
// services, ports (SOAP version, endpoint, policies) and operations (style,
// use, soapAction, and the shape of their input, output, header and fault
// messages as a tree of fields typed from the schema).
//
// Describe builds the description; its JSON form is the stable output of
// `soapbridge inspect --json`, documented in docs/inspect.md. WriteText
// renders the same description as an indented tree.
package inspect
