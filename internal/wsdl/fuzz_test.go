package wsdl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/xsd"
)

const fuzzImported = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:b" xmlns:tns="urn:b">
  <xs:element name="E" type="xs:string"/>
  <xs:complexType name="T"><xs:sequence><xs:element name="x" type="tns:T" minOccurs="0"/></xs:sequence></xs:complexType>
</xs:schema>`

// FuzzCompile compiles arbitrary WSDL documents (svc.wsdl, which may
// import b.xsd): compiling must end, without a panic, in an error naming a
// document or in a model whose references are in range and which survives
// a serialization round trip.
func FuzzCompile(f *testing.F) {
	f.Add([]byte(fullWSDL), []byte(fuzzImported))
	f.Add([]byte(wsdlWith(`<xs:element name="E" type="xs:string"/>`, goodDefs)), []byte(fuzzImported))
	f.Add([]byte(wsdlWith(`<xs:import namespace="urn:b" schemaLocation="b.xsd"/>`, goodDefs)), []byte(fuzzImported))
	f.Add([]byte(wsdlWith(``, `<import namespace="urn:b" location="b.xsd"/>`+goodDefs)), []byte(fuzzImported))
	f.Add([]byte(wsdlWith(``, `<import namespace="urn:b" location="b.xsd"/>`+goodDefs)), []byte(wsdlWith(``, `<import location="svc.wsdl"/>`)))
	f.Add([]byte(wsdlWith(`<xs:element name="E" type="tns:Missing"/>`, strings.Replace(goodDefs, "tns:B", "nope:B", 1))), []byte(""))
	// Small WSDLs of the shared corpus, when it is there.
	matches, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.wsdl"))
	n := 0
	for _, m := range matches {
		if b, err := os.ReadFile(m); err == nil && len(b) < 6<<10 && n < 10 {
			f.Add(b, []byte(fuzzImported))
			n++
		}
	}
	f.Fuzz(func(t *testing.T, svc, imported []byte) {
		for _, mode := range []Mode{Lenient, Strict} {
			m, err := compileFiles(map[string]string{"svc.wsdl": string(svc), "b.xsd": string(imported)}, mode)
			if err != nil {
				if !strings.Contains(err.Error(), "svc.wsdl") && !strings.Contains(err.Error(), "b.xsd") {
					t.Errorf("error names no document: %v", err)
				}
				continue
			}
			checkModel(t, m)
			data, err := m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var got Model
			if err := got.UnmarshalBinary(data); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(m, &got) {
				t.Fatal("model changed in a serialization round trip")
			}
		}
	})
}

// checkModel checks that the model's references into its bindings and
// schema are in range.
func checkModel(t *testing.T, m *Model) {
	t.Helper()
	s := m.Schema
	okPart := func(p Part) bool {
		if p.Element != xsd.NoElem {
			return p.Type == xsd.NoType && p.Element >= 0 && int(p.Element) < len(s.Elements)
		}
		return p.Type >= 0 && int(p.Type) < len(s.Types)
	}
	okMsg := func(msg *Message) bool {
		if msg == nil {
			return true
		}
		for _, p := range msg.Parts {
			if !okPart(p) {
				return false
			}
		}
		for _, h := range msg.Headers {
			if !okPart(h.Part) {
				return false
			}
		}
		return !msg.Wrapped || len(msg.Parts) == 1
	}
	for _, svc := range m.Services {
		for _, p := range svc.Ports {
			if p.Binding < 0 || p.Binding >= len(m.Bindings) || p.SOAPVersion != m.Bindings[p.Binding].SOAPVersion {
				t.Fatalf("port %s: binding %d of %d", p.Name, p.Binding, len(m.Bindings))
			}
		}
	}
	for _, b := range m.Bindings {
		if b.SOAPVersion != SOAP11 && b.SOAPVersion != SOAP12 {
			t.Fatalf("binding %s: version %q", b.Name, b.SOAPVersion)
		}
		for _, o := range b.Operations {
			if o.Style != Document && o.Style != RPC {
				t.Fatalf("operation %s: style %q", o.Name, o.Style)
			}
			ok := okMsg(o.Input) && okMsg(o.Output)
			for _, f := range o.Faults {
				for _, p := range f.Parts {
					ok = ok && okPart(p)
				}
			}
			if !ok {
				t.Fatalf("operation %s: a part out of range", o.Name)
			}
		}
	}
}
