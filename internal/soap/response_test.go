package soap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

func load(t *testing.T, path, op string) (*codec.Codec, *wsdl.Operation) {
	t.Helper()
	m, err := wsdl.Open(context.Background(), path, fetch.Options{}, wsdl.Strict)
	if err != nil {
		t.Fatal(err)
	}
	for i := range m.Bindings[0].Operations {
		if o := &m.Bindings[0].Operations[i]; o.Name == op {
			return codec.New(m), o
		}
	}
	t.Fatalf("no operation %s", op)
	return nil, nil
}

func read(t *testing.T, c *codec.Codec, op *wsdl.Operation, v wsdl.SOAPVersion, contentType, body string) (any, error) {
	t.Helper()
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	rd := c.NewResponseDecoder(op, bw, codec.DecodeOptions{})
	if err := ReadResponse(strings.NewReader(body), contentType, v, rd, c, op, bw, Limits{}); err != nil {
		return nil, err
	}
	var got any
	d := json.NewDecoder(&out)
	d.UseNumber()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, out.String())
	}
	return got, nil
}

func mustJSON(t *testing.T, s string) any {
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// An Axis-style rpc/encoded response sharing values through multiRef.
func TestMultiRef(t *testing.T) {
	c, op := load(t, "../../test/peers/php/rpc.wsdl", "describe")
	resp := `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<ns1:describeResponse soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="urn:example:calc"><profile href="#id0"/></ns1:describeResponse>
<multiRef id="id0" soapenc:root="0" soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="ns2:Profile" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns2="urn:example:calc"><name xsi:type="xsd:string">BOB &amp; co</name><age href="#id1"/><nickname xsi:nil="true"/><balance xsi:type="xsd:decimal">10.50</balance><scores href="#id2"/></multiRef>
<multiRef id="id1" soapenc:root="0" xsi:type="xsd:int" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/">42</multiRef>
<multiRef id="id2" xsi:type="soapenc:Array" soapenc:arrayType="xsd:double[2]" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><item>1.5</item><item href="#id1"/></multiRef>
</soapenv:Body></soapenv:Envelope>`
	got, err := read(t, c, op, wsdl.SOAP11, "text/xml", resp)
	if err != nil {
		t.Fatal(err)
	}
	want := mustJSON(t, `{"profile": {"name": "BOB & co", "age": 42, "nickname": null, "balance": 10.50, "scores": [1.5, 42]}}`)
	if !reflect.DeepEqual(got, want) {
		g, w := got.(map[string]any)["profile"].(map[string]any), want.(map[string]any)["profile"].(map[string]any)
		for k := range w {
			if !reflect.DeepEqual(g[k], w[k]) {
				t.Errorf("%s: got %#v (%T), want %#v (%T)", k, g[k], g[k], w[k], w[k])
			}
		}
	}
	// A reference cycle and a dangling reference are errors, not hangs.
	cyc := strings.Replace(resp, `<item href="#id1"/>`, `<item href="#id2"/>`, 1)
	cyc = strings.Replace(cyc, `<scores href="#id2"/>`, `<scores href="#id3"/>`, 1)
	cyc = strings.Replace(cyc, `<multiRef id="id2"`, `<multiRef id="id3" href="#id4"/><multiRef id="id4" href="#id3"/><multiRef id="id2"`, 1)
	if _, err := read(t, c, op, wsdl.SOAP11, "text/xml", cyc); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: got %v", err)
	}
	dangling := strings.Replace(resp, `href="#id1"/><nickname`, `href="#nope"/><nickname`, 1)
	if _, err := read(t, c, op, wsdl.SOAP11, "text/xml", dangling); err == nil || !strings.Contains(err.Error(), "#nope") {
		t.Errorf("dangling: got %v", err)
	}
}

// An rpc part that comes twice is an error, not a member written twice.
func TestRepeatedPart(t *testing.T) {
	c, op := load(t, "../../test/peers/php/rpc.wsdl", "sum")
	env := func(parts string) string {
		return `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><r:sumResponse xmlns:r="urn:example:calc">` + parts + `</r:sumResponse></e:Body></e:Envelope>`
	}
	got, err := read(t, c, op, wsdl.SOAP11, "text/xml", env(`<total>3</total>`))
	if err != nil || !reflect.DeepEqual(got, mustJSON(t, `{"total": 3}`)) {
		t.Errorf("once: %v, %v", got, err)
	}
	_, err = read(t, c, op, wsdl.SOAP11, "text/xml", env(`<total>3</total><total>4</total>`))
	if err == nil || !strings.Contains(err.Error(), "part total comes twice") {
		t.Errorf("twice: %v", err)
	}
}

// Attributes of one local name in two namespaces are written once each:
// a typed member takes the first that selects it, untyped content names
// the second "@k_2".
func TestAttributesOfOneName(t *testing.T) {
	c, op := inventoryOp(t)
	resp := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><n:GetItemsResponse xmlns:n="urn:example:inventory" xmlns:a="urn:a">` +
		`<n:item sku="S-1" a:sku="S-2"><n:id>1</n:id></n:item></n:GetItemsResponse></s:Body></s:Envelope>`
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	if err := ReadResponse(strings.NewReader(resp), "text/xml", wsdl.SOAP11, c.NewResponseDecoder(op, bw, codec.DecodeOptions{}), c, op, bw, Limits{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), `"sku"`); n != 1 {
		t.Errorf("sku written %d times: %s", n, out.String())
	}
	// So is an element the schema has once.
	twice := strings.Replace(resp, `<n:id>1</n:id>`, `<n:id>1</n:id><n:id>2</n:id>`, 1)
	err := ReadResponse(strings.NewReader(twice), "text/xml", wsdl.SOAP11, c.NewResponseDecoder(op, bw, codec.DecodeOptions{}), c, op, bw, Limits{})
	if err == nil || !strings.Contains(err.Error(), "element id comes more than once") {
		t.Errorf("id twice: %v", err)
	}
	fault := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring>` +
		`<detail><x xmlns:a="urn:a" xmlns:b="urn:b" a:k="1" b:k="2"/></detail></s:Fault></s:Body></s:Envelope>`
	out.Reset()
	err = ReadResponse(strings.NewReader(fault), "text/xml", wsdl.SOAP11, c.NewResponseDecoder(op, bw, codec.DecodeOptions{}), c, op, bw, Limits{})
	var f *Fault
	if !errors.As(err, &f) || string(f.Detail) != `{"x":{"@k":"1","@k_2":"2"}}` {
		t.Errorf("got %v, detail %s", err, f.Detail)
	}
}

// An MTOM/XOP response: the binary part is inlined as base64.
func TestMTOM(t *testing.T) {
	c, op := load(t, "testdata/files.wsdl", "GetFile")
	binary := "\x00\x01binary\xff payload"
	body := "--MIMEBoundary\r\n" +
		"Content-Type: application/xop+xml; charset=UTF-8; type=\"application/soap+xml\"\r\n" +
		"Content-ID: <root.message@cxf.apache.org>\r\n\r\n" +
		`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><f:GetFileResponse xmlns:f="urn:example:files"><f:name>a.bin</f:name><f:data><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:part1@example.org"/></f:data></f:GetFileResponse></soap:Body></soap:Envelope>` +
		"\r\n--MIMEBoundary\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <part1@example.org>\r\n\r\n" +
		binary + "\r\n--MIMEBoundary--\r\n"
	ct := `multipart/related; type="application/xop+xml"; boundary="MIMEBoundary"; start="<root.message@cxf.apache.org>"; start-info="application/soap+xml"`
	got, err := read(t, c, op, wsdl.SOAP12, ct, body)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"name": "a.bin", "data": "AAFiaW5hcnn/IHBheWxvYWQ="}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	missing := strings.Replace(body, "cid:part1@example.org", "cid:other", 1)
	if _, err := read(t, c, op, wsdl.SOAP12, ct, missing); err == nil || !strings.Contains(err.Error(), "no such MIME part") {
		t.Errorf("missing part: got %v", err)
	}
}

// A part included again and again must not multiply the response: the
// included bytes are at most those of all parts and 1 MiB (a 64 KB part
// included 1,000 times in one value held 85 MB).
func TestMTOMRepeatedInclude(t *testing.T) {
	c, op := load(t, "testdata/files.wsdl", "GetFile")
	mtom := func(includes int) string {
		return "--B\r\nContent-Type: application/xop+xml\r\nContent-ID: <root>\r\n\r\n" +
			`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:xop="http://www.w3.org/2004/08/xop/include"><soap:Body><f:GetFileResponse xmlns:f="urn:example:files"><f:name>a</f:name><f:data>` +
			strings.Repeat(`<xop:Include href="cid:p"/>`, includes) +
			`</f:data></f:GetFileResponse></soap:Body></soap:Envelope>` +
			"\r\n--B\r\nContent-ID: <p>\r\n\r\n" + strings.Repeat("x", 64<<10) + "\r\n--B--\r\n"
	}
	ct := `multipart/related; type="application/xop+xml"; boundary="B"; start="<root>"`
	got, err := read(t, c, op, wsdl.SOAP12, ct, mtom(2))
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := got.(map[string]any)["data"].(string); len(s) != 2*87384 {
		t.Errorf("twice included: %d bytes of base64", len(s))
	}
	_, err = read(t, c, op, wsdl.SOAP12, ct, mtom(1000))
	if err == nil || !strings.Contains(err.Error(), "again and again") {
		t.Errorf("1,000 times included: got %v", err)
	}
}

// A header block sent twice is one array in "$headers", not a member
// written twice.
func TestRepeatedHeader(t *testing.T) {
	c, op := load(t, "testdata/files.wsdl", "GetFile")
	env := func(headers string) string {
		return `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:f="urn:example:files"><soap:Header>` + headers +
			`</soap:Header><soap:Body><f:GetFileResponse><f:name>a</f:name><f:data>AA==</f:data></f:GetFileResponse></soap:Body></soap:Envelope>`
	}
	for headers, want := range map[string]string{
		`<f:Trace>t1</f:Trace>`: `{"$headers": {"Trace": "t1"}, "name": "a", "data": "AA=="}`,
		`<f:Trace>t1</f:Trace><f:Other>o</f:Other><f:Trace>t2</f:Trace>`: `{"$headers": {"Trace": ["t1", "t2"]}, "name": "a", "data": "AA=="}`,
	} {
		got, err := read(t, c, op, wsdl.SOAP12, "application/soap+xml", env(headers))
		if err != nil || !reflect.DeepEqual(got, mustJSON(t, want)) {
			t.Errorf("%s: got %v, %v, want %s", headers, got, err, want)
		}
	}
}

// Many empty MIME parts are refused like many bytes: each part counts
// against the attachment bound.
func TestMTOMManyParts(t *testing.T) {
	c, op := load(t, "testdata/files.wsdl", "GetFile")
	var b strings.Builder
	b.WriteString("--B\r\nContent-ID: <root>\r\n\r\n<x/>\r\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "--B\r\nContent-ID: <p%d>\r\n\r\n\r\n", i)
	}
	b.WriteString("--B--\r\n")
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	err := ReadResponse(strings.NewReader(b.String()), `multipart/related; boundary="B"; start="<root>"`, wsdl.SOAP12,
		c.NewResponseDecoder(op, bw, codec.DecodeOptions{}), c, op, bw, Limits{MaxAttachments: 1 << 20})
	if err == nil || !strings.Contains(err.Error(), "MTOM attachments larger than") {
		t.Errorf("10,000 empty parts: %v", err)
	}
}

func TestVersionMismatchAndNotSOAP(t *testing.T) {
	c, op := load(t, "testdata/files.wsdl", "GetFile")
	v11 := `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><f:GetFileResponse xmlns:f="urn:example:files"/></e:Body></e:Envelope>`
	_, err := read(t, c, op, wsdl.SOAP12, "text/xml", v11)
	var vm *VersionMismatchError
	if !errors.As(err, &vm) || vm.Sent != wsdl.SOAP12 || vm.Got != wsdl.SOAP11 {
		t.Errorf("got %v", err)
	}
	var pe *ProtocolError
	for _, body := range []string{"<html><body>Service unavailable</body></html>", "", "not xml", "<e:Envelope xmlns:e='http://www.w3.org/2003/05/soap-envelope'><e:Body>"} {
		if _, err := read(t, c, op, wsdl.SOAP12, "text/html", body); !errors.As(err, &pe) {
			t.Errorf("%q: got %v, want a ProtocolError", body, err)
		}
	}
}

func TestFault12Subcodes(t *testing.T) {
	c, op := load(t, "testdata/files.wsdl", "GetFile")
	resp := `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:m="urn:m"><env:Body><env:Fault>
<env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>m:MessageTimeout</env:Value><env:Subcode><env:Value>m:Later</env:Value></env:Subcode></env:Subcode></env:Code>
<env:Reason><env:Text xml:lang="en">Sender Timeout</env:Text><env:Text xml:lang="de">Zeitüberschreitung</env:Text></env:Reason>
<env:Node>http://node</env:Node><env:Role>http://role</env:Role>
<env:Detail><m:MaxTime>P5M</m:MaxTime></env:Detail></env:Fault></env:Body></env:Envelope>`
	_, err := read(t, c, op, wsdl.SOAP12, "application/soap+xml", resp)
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("got %v", err)
	}
	if f.Code != "Sender" || f.Reason != "Sender Timeout" || f.Node != "http://node" || f.Role != "http://role" ||
		!reflect.DeepEqual(f.Subcodes, []string{"{urn:m}MessageTimeout", "{urn:m}Later"}) || string(f.Detail) != `{"MaxTime":"P5M"}` {
		t.Errorf("fault %+v detail %s", f, f.Detail)
	}
	// Children of one name are one array, not a member written twice.
	resp = strings.Replace(resp, `<m:MaxTime>P5M</m:MaxTime>`, `<m:MaxTime>P5M</m:MaxTime><m:Other>x</m:Other><m:MaxTime>P6M</m:MaxTime>`, 1)
	_, err = read(t, c, op, wsdl.SOAP12, "application/soap+xml", resp)
	if !errors.As(err, &f) || string(f.Detail) != `{"MaxTime":["P5M","P6M"],"Other":"x"}` {
		t.Errorf("repeated detail children: %v, detail %s", err, f.Detail)
	}
}

// utf16LE encodes s as UTF-16, little-endian, after a byte order mark.
func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, c := range utf16.Encode([]rune(s)) {
		out = append(out, byte(c), byte(c>>8))
	}
	return out
}

// TestUTF16: a WSDL and a response in UTF-16 (as a WCF service configured
// with textMessageEncoding utf-16 sends) are read like their UTF-8 form
// (they were refused).
func TestUTF16(t *testing.T) {
	src, err := os.ReadFile("../../test/peers/php/rpc.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rpc.wsdl")
	if err := os.WriteFile(path, utf16LE(string(src)), 0o644); err != nil {
		t.Fatal(err)
	}
	c, op := load(t, path, "sum")
	env := `<?xml version="1.0" encoding="utf-16"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><r:sumResponse xmlns:r="urn:example:calc"><total>3</total></r:sumResponse></e:Body></e:Envelope>`
	got, err := read(t, c, op, wsdl.SOAP11, "text/xml; charset=utf-16", string(utf16LE(env)))
	if err != nil || !reflect.DeepEqual(got, mustJSON(t, `{"total": 3}`)) {
		t.Errorf("got %v, %v", got, err)
	}
}
