package wsdl

import (
	"bytes"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// compileFiles compiles svc.wsdl of an in-memory bundle.
func compileFiles(files map[string]string, mode Mode) (*Model, error) {
	m := make(map[string][]byte, len(files))
	for n, b := range files {
		m[n] = []byte(b)
	}
	l, entry, err := fetch.OpenFiles(m, "svc.wsdl", fetch.Options{})
	if err != nil {
		return nil, err
	}
	return Compile(context.Background(), l, entry, mode)
}

func compileWSDL(t *testing.T, wsdl string, mode Mode) *Model {
	t.Helper()
	m, err := compileFiles(map[string]string{"svc.wsdl": wsdl}, mode)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fullWSDL has two services, SOAP 1.1 and 1.2 bindings of one port type,
// an rpc/encoded binding, an HTTP binding and a binding with no SOAP or
// HTTP element, operations with faults, headers from another message and
// one-way operations, and WS-Policy attached by reference, inline and by
// PolicyURIs.
const fullWSDL = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="Full" targetNamespace="urn:full"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:tns="urn:full"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:http="http://schemas.xmlsoap.org/wsdl/http/"
    xmlns:mime="http://schemas.xmlsoap.org/wsdl/mime/"
    xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"
    xmlns:wsp15="http://www.w3.org/ns/ws-policy"
    xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
    xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
    xmlns:msh="http://schemas.microsoft.com/ws/06/2004/policy/http"
    xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"
    xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata">
  <wsdl:documentation>The full service.</wsdl:documentation>

  <wsp:Policy wsu:Id="Transport">
    <sp:TransportBinding>
      <wsp:Policy>
        <sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken>
      </wsp:Policy>
    </sp:TransportBinding>
    <sp:SignedSupportingTokens>
      <wsp:Policy><sp:UsernameToken/></wsp:Policy>
    </sp:SignedSupportingTokens>
    <wsaw:UsingAddressing/>
  </wsp:Policy>
  <wsp:Policy wsu:Id="Asym">
    <wsp:ExactlyOne>
      <wsp:All>
        <sp:AsymmetricBinding>
          <wsp:Policy>
            <sp:InitiatorToken><wsp:Policy><sp:X509Token/></wsp:Policy></sp:InitiatorToken>
          </wsp:Policy>
        </sp:AsymmetricBinding>
      </wsp:All>
    </wsp:ExactlyOne>
  </wsp:Policy>
  <wsp:Policy wsu:Id="Sym">
    <sp:SymmetricBinding>
      <wsp:Policy>
        <sp:ProtectionToken><wsp:Policy><sp:SpnegoContextToken/></wsp:Policy></sp:ProtectionToken>
      </wsp:Policy>
    </sp:SymmetricBinding>
    <sp:KerberosToken wsp:Optional="true"/>
  </wsp:Policy>
  <wsp:Policy wsu:Id="Ntlm">
    <msh:NegotiateAuthentication/>
    <msh:NtlmAuthentication/>
    <wsam:Addressing><wsp:Policy/></wsam:Addressing>
  </wsp:Policy>
  <wsp:Policy wsu:Id="Outer">
    <wsp:PolicyReference URI="#Ntlm"/>
    <wsp:PolicyReference URI="#Nowhere"/>
  </wsp:Policy>

  <wsdl:types>
    <xs:schema targetNamespace="urn:full" elementFormDefault="qualified">
      <xs:element name="Get"><xs:complexType><xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="GetResponse"><xs:complexType><xs:sequence><xs:element name="name" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="Event" type="xs:string"/>
      <xs:element name="Auth"><xs:complexType><xs:sequence><xs:element name="user" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="Trace" type="xs:string"/>
      <xs:element name="NotFound"><xs:complexType><xs:sequence><xs:element name="what" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="Denied" type="xs:string"/>
    </xs:schema>
  </wsdl:types>

  <wsdl:message name="GetIn"><wsdl:part name="parameters" element="tns:Get"/><wsdl:part name="trace" element="tns:Trace"/></wsdl:message>
  <wsdl:message name="GetOut"><wsdl:part name="parameters" element="tns:GetResponse"/></wsdl:message>
  <wsdl:message name="EventIn"><wsdl:part name="event" element="tns:Event"/></wsdl:message>
  <wsdl:message name="AuthHeader"><wsdl:part name="auth" element="tns:Auth"/><wsdl:part name="other" element="tns:Trace"/></wsdl:message>
  <wsdl:message name="NotFoundFault"><wsdl:part name="detail" element="tns:NotFound"/></wsdl:message>
  <wsdl:message name="DeniedFault"><wsdl:part name="detail" element="tns:Denied"/></wsdl:message>
  <wsdl:message name="AddIn"><wsdl:part name="a" type="xs:int"/><wsdl:part name="b" type="xs:int"/></wsdl:message>
  <wsdl:message name="AddOut"><wsdl:part name="sum" type="xs:int"/></wsdl:message>

  <wsdl:portType name="PT">
    <wsdl:operation name="Get">
      <wsdl:documentation>Gets one.</wsdl:documentation>
      <wsdl:input message="tns:GetIn" wsam:Action="urn:full/Get"/>
      <wsdl:output message="tns:GetOut"/>
      <wsdl:fault name="NotFound" message="tns:NotFoundFault"/>
      <wsdl:fault name="Denied" message="tns:DeniedFault"/>
    </wsdl:operation>
    <wsdl:operation name="Notify">
      <wsdl:input message="tns:EventIn"/>
    </wsdl:operation>
    <wsdl:operation name="Add">
      <wsdl:input message="tns:AddIn"/>
      <wsdl:output message="tns:AddOut"/>
    </wsdl:operation>
  </wsdl:portType>

  <wsdl:binding name="B11" type="tns:PT">
    <wsp:PolicyReference URI="#Transport"/>
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Get">
      <wsp:PolicyReference URI="#Asym"/>
      <soap:operation soapAction="urn:full/Get"/>
      <wsdl:input>
        <soap:body use="literal" parts="parameters"/>
        <soap:header message="tns:AuthHeader" part="auth" use="literal"/>
        <soap:header message="tns:GetIn" part="trace" use="literal"/>
      </wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
      <wsdl:fault name="NotFound"><soap:fault name="NotFound" use="literal"/></wsdl:fault>
      <wsdl:fault name="Denied"><soap:fault name="Denied" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="Notify">
      <soap:operation soapAction=""/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
    </wsdl:operation>
    <wsdl:operation name="Add">
      <soap:operation soapAction="urn:full/Add" style="rpc"/>
      <wsdl:input><soap:body use="literal" namespace="urn:full:rpc"/></wsdl:input>
      <wsdl:output><soap:body use="literal" namespace="urn:full:rpc"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:binding name="B12" type="tns:PT" wsp:PolicyURIs="#Sym">
    <soap12:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Get">
      <wsp:Policy><wsp:PolicyReference URI="#Outer"/></wsp:Policy>
      <soap12:operation soapAction="urn:full/Get12" style="document"/>
      <wsdl:input><soap12:body use="literal" parts="parameters"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
      <wsdl:fault name="NotFound"><soap12:fault name="NotFound" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="Add">
      <soap12:operation soapAction="urn:full/Add12"/>
      <wsdl:input><soap12:body use="literal" namespace="urn:full:rpc"/></wsdl:input>
      <wsdl:output>
        <mime:multipartRelated>
          <mime:part><soap12:body use="literal" namespace="urn:full:rpc"/></mime:part>
          <mime:part><mime:content part="att" type="application/octet-stream"/></mime:part>
        </mime:multipartRelated>
      </wsdl:output>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:binding name="BEnc" type="tns:PT">
    <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Add">
      <soap:operation soapAction="urn:full/AddEnc"/>
      <wsdl:input><soap:body use="encoded" namespace="urn:full:enc" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></wsdl:input>
      <wsdl:output><soap:body use="encoded" namespace="urn:full:enc" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:binding name="BHttp" type="tns:PT">
    <http:binding verb="GET"/>
    <wsdl:operation name="Add">
      <http:operation location="/Add"/>
      <wsdl:input><http:urlEncoded/></wsdl:input>
      <wsdl:output><mime:content type="text/xml"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:binding name="BMime" type="tns:PT">
    <wsdl:operation name="Add">
      <wsdl:input><mime:content type="text/xml"/></wsdl:input>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:service name="S1">
    <wsdl:documentation>First.</wsdl:documentation>
    <wsdl:port name="P11" binding="tns:B11"><soap:address location="http://example.com/s11"/></wsdl:port>
    <wsdl:port name="P12" binding="tns:B12"><soap12:address location=" http://example.com/s12 "/></wsdl:port>
    <wsdl:port name="PHttp" binding="tns:BHttp"><http:address location="http://example.com/http"/></wsdl:port>
  </wsdl:service>
  <wsdl:service name="S2">
    <wsdl:port name="PEnc" binding="tns:BEnc">
      <wsp:PolicyReference URI="#Transport"/>
      <soap:address location="http://example.com/enc"/>
    </wsdl:port>
    <wsdl:port name="PMime" binding="tns:BMime"/>
    <wsdl:port name="P11b" binding="tns:B11"><soap:address location="http://example.com/s11b"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`

func op(t *testing.T, m *Model, binding, name string) *Operation {
	t.Helper()
	for i := range m.Bindings {
		if m.Bindings[i].Name.Local == binding {
			for j := range m.Bindings[i].Operations {
				if o := &m.Bindings[i].Operations[j]; o.Name == name {
					return o
				}
			}
		}
	}
	t.Fatalf("operation %s/%s not found", binding, name)
	return nil
}

func binding(t *testing.T, m *Model, name string) *Binding {
	t.Helper()
	for i := range m.Bindings {
		if m.Bindings[i].Name.Local == name {
			return &m.Bindings[i]
		}
	}
	t.Fatalf("binding %s not found", name)
	return nil
}

// kinds lists assertion kinds, an optional one with a trailing "?".
func kinds(as []Assertion) string {
	var out []string
	for _, a := range as {
		k := a.Kind
		if a.Optional {
			k += "?"
		}
		out = append(out, k)
	}
	return strings.Join(out, " ")
}

// parts renders a message's parts as name=element or name:type.
func parts(m *Model, ps []Part) string {
	var out []string
	for _, p := range ps {
		if p.Element != xsd.NoElem {
			out = append(out, p.Name+"="+m.Schema.Element(p.Element).Name.Local)
		} else {
			out = append(out, p.Name+":"+m.Schema.Type(p.Type).Name.Local)
		}
	}
	return strings.Join(out, " ")
}

func TestServicesAndPorts(t *testing.T) {
	m := compileWSDL(t, fullWSDL, Strict)
	if m.Name != "Full" || m.TargetNamespace != "urn:full" || m.Doc != "The full service." {
		t.Errorf("definitions: %q %q %q", m.Name, m.TargetNamespace, m.Doc)
	}
	type port struct {
		service, name, address, binding string
		version                         SOAPVersion
	}
	var got []port
	for _, s := range m.Services {
		for _, p := range s.Ports {
			got = append(got, port{s.Name, p.Name, p.Address, m.Bindings[p.Binding].Name.Local, p.SOAPVersion})
		}
	}
	want := []port{
		{"S1", "P11", "http://example.com/s11", "B11", SOAP11},
		{"S1", "P12", "http://example.com/s12", "B12", SOAP12},
		{"S2", "PEnc", "http://example.com/enc", "BEnc", SOAP11},
		{"S2", "P11b", "http://example.com/s11b", "B11", SOAP11},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ports\n got %+v\nwant %+v", got, want)
	}
	if m.Services[0].Doc != "First." {
		t.Errorf("service doc %q", m.Services[0].Doc)
	}
	// The two ports of B11 share one compiled binding.
	if m.Services[0].Ports[0].Binding != m.Services[1].Ports[1].Binding {
		t.Error("B11 compiled twice")
	}
	// HTTP and MIME-only bindings are listed, not errors.
	wantU := []string{"port PHttp: HTTP binding (GET) not supported", "port PMime: binding without a SOAP binding element not supported"}
	if !slices.Equal(m.Unsupported, wantU) {
		t.Errorf("Unsupported\n got %q\nwant %q", m.Unsupported, wantU)
	}
	var bs []string
	for _, b := range m.Bindings {
		bs = append(bs, b.Name.String()+" "+string(b.SOAPVersion)+" "+string(b.Style)+" "+b.PortType.Local)
	}
	wantB := []string{"{urn:full}B11 1.1 document PT", "{urn:full}B12 1.2 rpc PT", "{urn:full}BEnc 1.1 rpc PT"}
	if !slices.Equal(bs, wantB) {
		t.Errorf("bindings\n got %q\nwant %q", bs, wantB)
	}
	if b := binding(t, m, "B11"); b.Transport != "http://schemas.xmlsoap.org/soap/http" {
		t.Errorf("transport %q", b.Transport)
	}
	if slices.Contains(m.Documents, "") || !slices.Equal(m.Documents, []string{"svc.wsdl"}) {
		t.Errorf("documents %q", m.Documents)
	}
}

func TestOperations(t *testing.T) {
	m := compileWSDL(t, fullWSDL, Strict)
	tests := []struct {
		binding, op string
		style       Style
		action      string
		in, out     string // parts, "-" for no message
		use         Use
		ns          string // input soap:body namespace
		oneWay      bool
	}{
		{"B11", "Get", Document, "urn:full/Get", "parameters=Get", "parameters=GetResponse", Literal, "", false},
		{"B11", "Notify", Document, "", "event=Event", "-", Literal, "", true},
		{"B11", "Add", RPC, "urn:full/Add", "a:int b:int", "sum:int", Literal, "urn:full:rpc", false},
		{"B12", "Get", Document, "urn:full/Get12", "parameters=Get", "parameters=GetResponse", Literal, "", false},
		{"B12", "Add", RPC, "urn:full/Add12", "a:int b:int", "sum:int", Literal, "urn:full:rpc", false},
		{"BEnc", "Add", RPC, "urn:full/AddEnc", "a:int b:int", "sum:int", Encoded, "urn:full:enc", false},
	}
	for _, tc := range tests {
		t.Run(tc.binding+"/"+tc.op, func(t *testing.T) {
			o := op(t, m, tc.binding, tc.op)
			if o.Style != tc.style || o.SOAPAction != tc.action || o.OneWay() != tc.oneWay {
				t.Errorf("style %q action %q one-way %v", o.Style, o.SOAPAction, o.OneWay())
			}
			if got := parts(m, o.Input.Parts); got != tc.in {
				t.Errorf("input parts %q, want %q", got, tc.in)
			}
			out := "-"
			if o.Output != nil {
				out = parts(m, o.Output.Parts)
				if o.Output.Use != tc.use {
					t.Errorf("output use %q", o.Output.Use)
				}
			}
			if out != tc.out {
				t.Errorf("output parts %q, want %q", out, tc.out)
			}
			if o.Input.Use != tc.use || o.Input.Namespace != tc.ns {
				t.Errorf("input use %q namespace %q", o.Input.Use, o.Input.Namespace)
			}
		})
	}
	if b := binding(t, m, "BEnc"); len(b.Operations) != 1 {
		t.Errorf("BEnc binds %d operations", len(b.Operations))
	}
	enc := op(t, m, "BEnc", "Add")
	if enc.Input.EncodingStyle != "http://schemas.xmlsoap.org/soap/encoding/" {
		t.Errorf("encodingStyle %q", enc.Input.EncodingStyle)
	}

	get := op(t, m, "B11", "Get")
	if get.Doc != "Gets one." || get.Input.Action != "urn:full/Get" || get.Input.Message != (xsd.QName{Space: "urn:full", Local: "GetIn"}) {
		t.Errorf("Get: doc %q action %q message %s", get.Doc, get.Input.Action, get.Input.Message)
	}
	if !get.Input.Wrapped || !get.Output.Wrapped {
		t.Error("Get is document/literal wrapped")
	}
	if op(t, m, "B11", "Notify").Input.Wrapped {
		t.Error("Notify's part is not named after the operation: not wrapped")
	}
	// Faults, with their soap:fault use.
	var fs []string
	for _, f := range get.Faults {
		fs = append(fs, f.Name+" "+f.Message.Local+" "+parts(m, f.Parts)+" "+string(f.Use))
	}
	if want := []string{"NotFound NotFoundFault detail=NotFound literal", "Denied DeniedFault detail=Denied literal"}; !slices.Equal(fs, want) {
		t.Errorf("faults %q, want %q", fs, want)
	}
	// Headers: one from another message, one from the input message (which
	// then leaves the body).
	var hs []string
	for _, h := range get.Input.Headers {
		hs = append(hs, h.Message.Local+"."+h.Part.Name+"="+m.Schema.Element(h.Part.Element).Name.Local+" "+string(h.Use))
	}
	if want := []string{"AuthHeader.auth=Auth literal", "GetIn.trace=Trace literal"}; !slices.Equal(hs, want) {
		t.Errorf("headers %q, want %q", hs, want)
	}
}

// TestSOAPVersionByNamespace: the version follows the namespace of the
// binding's extension elements, whatever their prefix.
func TestSOAPVersionByNamespace(t *testing.T) {
	for _, tc := range []struct {
		ns   string
		want SOAPVersion
	}{
		{NSSOAP11, SOAP11},
		{NSSOAP12, SOAP12},
	} {
		w := strings.NewReplacer("SOAPNS", tc.ns).Replace(`<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:v" xmlns:soap="SOAPNS" xmlns:soap12="SOAPNS" targetNamespace="urn:v">
  <message name="M"/>
  <portType name="PT"><operation name="Op"><input message="tns:M"/></operation></portType>
  <binding name="B" type="tns:PT"><soap12:binding/><operation name="Op"><input><soap:body use="literal"/></input></operation></binding>
  <service name="S"><port name="P" binding="tns:B"><soap:address location="http://x/"/></port></service>
</definitions>`)
		m := compileWSDL(t, w, Strict)
		if p := m.Services[0].Ports[0]; p.SOAPVersion != tc.want || m.Bindings[0].SOAPVersion != tc.want || p.Address != "http://x/" {
			t.Errorf("%s: port version %q address %q", tc.ns, p.SOAPVersion, p.Address)
		}
		if m.Bindings[0].Style != Document {
			t.Errorf("default style %q", m.Bindings[0].Style)
		}
	}
}

func TestPolicies(t *testing.T) {
	m := compileWSDL(t, fullWSDL, Lenient)
	tests := []struct {
		name string
		got  []Assertion
		want string
	}{
		{"binding B11 (PolicyReference)", binding(t, m, "B11").Policies,
			"TransportBinding TransportToken HttpsToken SignedSupportingTokens UsernameToken Addressing"},
		{"operation B11/Get (PolicyReference, ExactlyOne/All)", op(t, m, "B11", "Get").Policies,
			"AsymmetricBinding InitiatorToken X509Token"},
		{"binding B12 (PolicyURIs)", binding(t, m, "B12").Policies,
			"SymmetricBinding ProtectionToken SpnegoContextToken KerberosToken?"},
		{"operation B12/Get (inline policy referencing a policy that references another)", op(t, m, "B12", "Get").Policies,
			"NegotiateAuthentication NtlmAuthentication Addressing"},
		{"port PEnc", m.Services[1].Ports[0].Policies,
			"TransportBinding TransportToken HttpsToken SignedSupportingTokens UsernameToken Addressing"},
		{"operation without policy", op(t, m, "B11", "Notify").Policies, ""},
	}
	for _, tc := range tests {
		if got := kinds(tc.got); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// Namespaces are kept.
	for _, a := range binding(t, m, "B11").Policies {
		if a.Kind == "HttpsToken" && a.Namespace != "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702" {
			t.Errorf("HttpsToken namespace %q", a.Namespace)
		}
		if a.Kind == "Addressing" && a.Namespace != "http://www.w3.org/2006/05/addressing/wsdl" {
			t.Errorf("Addressing namespace %q", a.Namespace)
		}
	}
	// The dangling reference is a warning with its position.
	if !hasWarning(m.Warnings, `svc.wsdl:56: policy "#Nowhere" not found`) {
		t.Errorf("warnings %q", m.Warnings)
	}
}

// TestPolicy15AndMessagePolicies: WS-Policy 1.5, policies on messages, and
// ids as xml:id and Name.
func TestPolicy15AndMessagePolicies(t *testing.T) {
	w := `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:p" targetNamespace="urn:p"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:wsp="http://www.w3.org/ns/ws-policy"
    xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702">
  <wsp:Policy xml:id="In"><sp:SignedParts/></wsp:Policy>
  <wsp:Policy Name="urn:p#Out"><sp:EncryptedParts/></wsp:Policy>
  <message name="M"/>
  <portType name="PT"><operation name="Op"><input message="tns:M"/><output message="tns:M"/></operation></portType>
  <binding name="B" type="tns:PT">
    <soap:binding/>
    <operation name="Op">
      <input><wsp:PolicyReference URI="#In"/><soap:body use="literal"/></input>
      <output><wsp:PolicyReference URI="urn:p#Out"/><soap:body use="literal"/></output>
    </operation>
  </binding>
</definitions>`
	m := compileWSDL(t, w, Strict)
	o := op(t, m, "B", "Op")
	if got := kinds(o.Input.Policies) + "/" + kinds(o.Output.Policies); got != "SignedParts/EncryptedParts" {
		t.Errorf("message policies %q", got)
	}
	if len(m.Services) != 0 || len(m.Bindings) != 1 {
		t.Errorf("a binding no port uses is still compiled: %d bindings", len(m.Bindings))
	}
}

// TestMarshalBinaryRoundTrip: a serialized model loads back equal to the
// original and answers lookups the same way.
func TestMarshalBinaryRoundTrip(t *testing.T) {
	m := compileWSDL(t, fullWSDL, Lenient)
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Model
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, &got) {
		t.Fatalf("model changed in a round trip\n got %+v\nwant %+v", got, *m)
	}
	for _, e := range m.Schema.Elements {
		if e.Global {
			a, _ := m.Schema.ElementByName(e.Name)
			b, ok := got.Schema.ElementByName(e.Name)
			if !ok || a != b {
				t.Errorf("element %s: %d, %d after loading", e.Name, a, b)
			}
		}
	}
	for i, typ := range m.Schema.Types {
		if !typ.Name.IsZero() {
			id, ok := got.Schema.TypeByName(typ.Name)
			if want, _ := m.Schema.TypeByName(typ.Name); !ok || id != want {
				t.Errorf("type %d %s: %d after loading", i, typ.Name, id)
			}
		}
	}
	// Serializing is deterministic.
	again, _ := got.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Error("a loaded model serializes differently")
	}
	// Truncated data is an error, never a panic.
	for _, n := range []int{0, len(encodingMagic), len(data) / 2, len(data) - 1} {
		var m2 Model
		if err := m2.UnmarshalBinary(data[:n]); err == nil {
			t.Errorf("%d of %d bytes loaded without error", n, len(data))
		}
	}
}

func hasWarning(ws []string, want string) bool {
	for _, w := range ws {
		if strings.Contains(w, want) {
			return true
		}
	}
	return false
}

// TestImports: definitions spread over WSDL and schema documents.
func TestImports(t *testing.T) {
	files := map[string]string{
		"svc.wsdl": `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:i" targetNamespace="urn:i"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">
  <import namespace="urn:i" location="abstract/pt.wsdl"/>
  <import namespace="urn:t" location="abstract/types.xsd"/>
  <binding name="B" type="tns:PT">
    <soap:binding/>
    <operation name="Op"><input><soap:body use="literal"/></input></operation>
  </binding>
  <service name="S"><port name="P" binding="tns:B"><soap:address location="http://x/"/></port></service>
</definitions>`,
		"abstract/pt.wsdl": `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:i" xmlns:t="urn:t" targetNamespace="urn:i">
  <message name="M"><part name="p" element="t:Op"/></message>
  <portType name="PT"><operation name="Op"><input message="tns:M"/></operation></portType>
</definitions>`,
		"abstract/types.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">
  <xs:element name="Op" type="xs:string"/>
</xs:schema>`,
	}
	m, err := compileFiles(files, Strict)
	if err != nil {
		t.Fatal(err)
	}
	if got := parts(m, op(t, m, "B", "Op").Input.Parts); got != "p=Op" {
		t.Errorf("parts %q", got)
	}
	if want := []string{"svc.wsdl", "abstract/pt.wsdl", "abstract/types.xsd"}; !slices.Equal(m.Documents, want) {
		t.Errorf("documents %q, want %q", m.Documents, want)
	}
}
