package codec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// pairsWSDL has one operation whose input (wrapped) holds a repeated
// sequence, (key, value{0,2}){0,3}, a repeated choice of an element, a
// substitution group and a wildcard, and a repeated element.
const pairsWSDL = `<?xml version="1.0"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:pairs" targetNamespace="urn:pairs">
  <wsdl:types>
    <xs:schema targetNamespace="urn:pairs" elementFormDefault="qualified">
      <xs:element name="shape" type="xs:string"/>
      <xs:element name="circle" type="xs:string" substitutionGroup="tns:shape"/>
      <xs:element name="Put">
        <xs:complexType>
          <xs:sequence>
            <xs:sequence minOccurs="0" maxOccurs="3">
              <xs:element name="key" type="xs:string"/>
              <xs:element name="value" type="xs:int" minOccurs="0" maxOccurs="2"/>
            </xs:sequence>
            <xs:choice minOccurs="0" maxOccurs="unbounded">
              <xs:element name="x" type="xs:int"/>
              <xs:element ref="tns:shape"/>
              <xs:any namespace="##other" processContents="lax"/>
            </xs:choice>
            <xs:element name="tail" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:schema>
  </wsdl:types>
  <wsdl:message name="PutIn"><wsdl:part name="parameters" element="tns:Put"/></wsdl:message>
  <wsdl:portType name="P"><wsdl:operation name="Put"><wsdl:input message="tns:PutIn"/></wsdl:operation></wsdl:portType>
  <wsdl:binding name="B" type="tns:P">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Put"><soap:operation soapAction="urn:pairs/Put"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="S"><wsdl:port name="P" binding="tns:B"><soap:address location="http://localhost/"/></wsdl:port></wsdl:service>
</wsdl:definitions>`

// pairs compiles pairsWSDL and returns its codec and operation.
func pairs(tb testing.TB) (*Codec, *wsdl.Operation) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "pairs.wsdl")
	if err := os.WriteFile(path, []byte(pairsWSDL), 0o644); err != nil {
		tb.Fatal(err)
	}
	m, err := wsdl.Open(context.Background(), path, fetch.Options{}, wsdl.Strict)
	if err != nil {
		tb.Fatal(err)
	}
	return New(m), &m.Bindings[0].Operations[0]
}

// TestEncodeRepeatedSequence checks that the arrays of a repeated
// sequence are written repetition by repetition, in the order the schema
// allows, that their bounds count the repetitions, and that the result
// decodes back to the same JSON.
func TestEncodeRepeatedSequence(t *testing.T) {
	c, o := pairs(t)
	// elems lists the key and value elements of a body, in order.
	elems := func(body []byte) string {
		var out []string
		for _, m := range regexp.MustCompile(`<\w+:(key|value)>([^<]*)<`).FindAllSubmatch(body, -1) {
			out = append(out, string(m[1])+">"+string(m[2]))
		}
		return strings.Join(out, " ")
	}
	for _, c2 := range []struct{ in, want string }{
		{`{"key": ["a", "b"], "value": [1, 2]}`, `key>a value>1 key>b value>2`},
		{`{"key": ["a", "b", "c"], "value": [1, 2, 3]}`, `key>a value>1 key>b value>2 key>c value>3`},
		{`{"key": ["a", "b"], "value": [1, 2, 3]}`, `key>a value>1 key>b value>2 value>3`},
		{`{"key": ["a"], "value": [1, 2]}`, `key>a value>1 value>2`},
		{`{"key": ["a"]}`, `key>a`},
		{`{}`, ``},
	} {
		enc, err := c.EncodeInput(o, wsdl.SOAP11, []byte(c2.in))
		if err != nil {
			t.Errorf("%s: %v", c2.in, err)
			continue
		}
		if got := elems(enc.Body); got != c2.want {
			t.Errorf("%s: wrote %s, want %s (%s)", c2.in, got, c2.want, enc.Body)
		}
		out, _, err := roundTrip(t, c, o, wsdl.SOAP11, []byte(c2.in))
		if err != nil {
			t.Errorf("%s: round trip: %v", c2.in, err)
			continue
		}
		// A response has all its arrays.
		want := `{"key": [], "value": [], "x": [], "shape": [], "circle": [], "tail": []}`
		if !jsonEqual(t, out, []byte(want), []byte(c2.in)) {
			t.Errorf("%s: decoded back as %s", c2.in, out)
		}
	}
	for _, c2 := range []struct{ in, ptr, detail string }{
		{`{"key": ["a", "b", "c", "d"]}`, "/key", "4 items"},
		{`{"key": ["a"], "value": [1, 2, 3]}`, "/key", "1 items"}, // two repetitions need two keys
		{`{"value": [1]}`, "/key", "0 items"},
		{`{"key": ["a", "b"], "value": [1, 2, 3, 4, 5, 6, 7]}`, "/value", "7 items"},
		{`{"key": "a"}`, "/key", "got a string"},
	} {
		_, err := c.EncodeInput(o, wsdl.SOAP11, []byte(c2.in))
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: got %v, want a validation error", c2.in, err)
			continue
		}
		found := false
		for _, p := range ve.Problems {
			found = found || p.Pointer == c2.ptr && p.Detail == c2.detail
		}
		if !found {
			t.Errorf("%s: %v, want %q at %s", c2.in, err, c2.detail, c2.ptr)
		}
	}
}

// TestDecodeScattered checks that elements of one member that other
// elements separate (a repeated sequence or choice, a substitution group,
// a wildcard among elements) come back as one array each, never as a
// member written twice, and that elements the schema keeps together but
// the response does not are an error rather than a lost array.
func TestDecodeScattered(t *testing.T) {
	c, o := pairs(t)
	const put = `<p:Put xmlns:p="urn:pairs" xmlns:o="urn:other">`
	for _, c2 := range []struct{ body, want string }{
		{put + `<p:key>a</p:key><p:value>1</p:value><p:key>b</p:key><p:value>2</p:value><p:value>3</p:value></p:Put>`,
			`{"key":["a","b"],"value":[1,2,3],"x":[],"shape":[],"circle":[],"tail":[]}`},
		{put + `<p:x>1</p:x><p:circle>c</p:circle><o:n>1</o:n><p:x>2</p:x><p:shape>s</p:shape><o:n>2</o:n><p:circle>d</p:circle><p:tail>t1</p:tail><p:tail>t2</p:tail></p:Put>`,
			`{"tail":["t1","t2"],"key":[],"value":[],"x":[1,2],"shape":["s"],"circle":["c","d"],"$any":["<ns1:n xmlns:ns1=\"urn:other\">1</ns1:n>","<ns1:n xmlns:ns1=\"urn:other\">2</ns1:n>"]}`},
	} {
		out, _, err := decodeInput(c, o, wsdl.SOAP11, []byte(c2.body))
		if err != nil {
			t.Errorf("%s: %v", c2.body, err)
			continue
		}
		if !jsonEqual(t, out, []byte(c2.want)) {
			t.Errorf("%s:\n got %s\nwant %s", c2.body, out, c2.want)
		}
	}
	_, _, err := decodeInput(c, o, wsdl.SOAP11, []byte(put+`<p:tail>t1</p:tail><p:x>1</p:x><p:tail>t2</p:tail></p:Put>`))
	if err == nil || !strings.Contains(err.Error(), "elements tail are not together") {
		t.Errorf("tail, x, tail: got %v, want an error", err)
	}
}

// jsonEqual reports whether got is the JSON object of the members of
// wants merged in order, and that got names no member twice.
func jsonEqual(t *testing.T, got []byte, wants ...[]byte) bool {
	t.Helper()
	want := map[string]any{}
	for _, w := range wants {
		if err := json.Unmarshal(w, &want); err != nil {
			t.Fatal(err)
		}
	}
	var g map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	d := json.NewDecoder(bytes.NewReader(got))
	d.Token() // {
	names := map[string]bool{}
	for d.More() {
		k, _ := d.Token()
		if names[k.(string)] {
			t.Errorf("%s: member %q twice", got, k)
		}
		names[k.(string)] = true
		var v any
		d.Decode(&v)
	}
	return reflect.DeepEqual(g, want)
}

// FuzzDecodeScattered decodes arbitrary bodies as pairsWSDL's message,
// whose members are gathered: errors are fine; panics, and JSON that is
// not one object naming each member once, are not.
func FuzzDecodeScattered(f *testing.F) {
	c, o := pairs(f)
	const put = `<p:Put xmlns:p="urn:pairs" xmlns:o="urn:other">`
	f.Add([]byte(put + `<p:key>a</p:key><p:value>1</p:value><p:key>b</p:key><p:value>2</p:value></p:Put>`))
	f.Add([]byte(put + `<p:x>1</p:x><p:circle>c</p:circle><o:n a="1"><o:m/></o:n><p:x>2</p:x><p:shape>s</p:shape><p:tail>t</p:tail></p:Put>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _, err := decodeInput(c, o, wsdl.SOAP11, body)
		if err != nil {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("%s: decoded into invalid JSON %s: %v", body, out, err)
		}
		jsonEqual(t, out, out)
	})
}
