// Package wsdl compiles a WSDL 1.1 document and everything it imports into
// one immutable Model: services and their ports, SOAP bindings with their
// SOAP version, style and operations, each operation's input, output,
// header and fault messages bound to schema elements or types, and the
// WS-Policy assertions attached to bindings, operations and messages.
//
// SOAP 1.1 and SOAP 1.2 bindings are told apart by the namespace of their
// extension elements, so the version is per port. HTTP and other non-SOAP
// bindings are listed in Model.Unsupported rather than refused.
//
// A Model is built once per registered service and shared read-only by
// every request. It serializes with MarshalBinary/UnmarshalBinary so the
// gateway can cache it.
package wsdl
