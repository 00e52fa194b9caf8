package wsdl

import "github.com/soapbridge/soapbridge/internal/xsd"

// Model is a compiled WSDL. It must not be modified once Compile returns.
type Model struct {
	Name            string // wsdl:definitions/@name
	TargetNamespace string
	Doc             string
	Services        []Service
	Bindings        []Binding
	Schema          *xsd.Schema
	// Documents names every document the model was compiled from, the
	// entry first: paths relative to the entry, or URIs.
	Documents []string
	// Unsupported lists ports and bindings that are not SOAP (HTTP GET/POST,
	// MIME-only), which the model leaves out.
	Unsupported []string
	// Warnings are problems tolerated while compiling, each with its
	// document and line.
	Warnings []string
}

// Service is a wsdl:service.
type Service struct {
	Name  string
	Doc   string
	Ports []Port
}

// Port is a wsdl:port bound to a SOAP binding.
type Port struct {
	Name        string
	Address     string
	Binding     int // index into Model.Bindings
	SOAPVersion SOAPVersion
	Policies    []Assertion
}

// SOAPVersion is "1.1" or "1.2".
type SOAPVersion string

const (
	SOAP11 SOAPVersion = "1.1"
	SOAP12 SOAPVersion = "1.2"
)

// Style is the SOAP binding style.
type Style string

const (
	Document Style = "document"
	RPC      Style = "rpc"
)

// Use is the SOAP body use.
type Use string

const (
	Literal Use = "literal"
	Encoded Use = "encoded"
)

// Binding is a SOAP binding of a port type.
type Binding struct {
	Name        xsd.QName
	PortType    xsd.QName
	SOAPVersion SOAPVersion
	Transport   string
	Style       Style // the binding's default style
	Policies    []Assertion
	Operations  []Operation
}

// Operation is a bound operation.
type Operation struct {
	Name       string
	Doc        string
	Style      Style // effective: the operation's, else the binding's
	SOAPAction string
	// Input is nil for a notification (output-only) operation; Output is
	// nil for a one-way operation.
	Input    *Message
	Output   *Message
	Faults   []Fault
	Policies []Assertion
}

// OneWay reports whether the operation has no response.
func (o *Operation) OneWay() bool { return o.Output == nil }

// Message is one direction of a bound operation.
type Message struct {
	Message       xsd.QName // the wsdl:message
	Use           Use
	EncodingStyle string
	// Namespace is soap:body/@namespace: the namespace of the rpc wrapper
	// and, for rpc/encoded, of the parts.
	Namespace string
	Parts     []Part // the parts that go in the body, in order
	Headers   []Header
	// Wrapped is set for document/literal wrapped messages: a single part
	// whose element is a sequence of the operation's parameters (for the
	// input, named after the operation).
	Wrapped bool
	// Action is the WS-Addressing action (wsam:Action or wsaw:Action).
	Action   string
	Policies []Assertion
}

// Part is a message part, bound to a global element (document style) or a
// type (rpc style). Exactly one of Element and Type is set.
type Part struct {
	Name    string
	Element xsd.ElemID // xsd.NoElem when the part names a type
	Type    xsd.TypeID // xsd.NoType when the part names an element
}

// Header is a soap:header bound to a message part, possibly of a message
// other than the operation's.
type Header struct {
	Message       xsd.QName
	Part          Part
	Use           Use
	Namespace     string
	EncodingStyle string
}

// Fault is a declared fault of an operation. Its parts describe the fault
// detail.
type Fault struct {
	Name      string
	Message   xsd.QName
	Parts     []Part
	Use       Use
	Namespace string
}

// Assertion is a WS-Policy assertion attached to a binding, port,
// operation or message. Kind is the assertion's local name
// ("UsernameToken", "HttpsToken", "TransportBinding", "KerberosToken",
// "NegotiateAuthentication", "Addressing"...); nested assertions (the
// HttpsToken of a TransportBinding) are listed after their parent.
type Assertion struct {
	Kind      string
	Namespace string
	Optional  bool `json:",omitempty"`
}
