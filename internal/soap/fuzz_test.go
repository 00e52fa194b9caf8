package soap

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// boundedWriter fails once more than max bytes were written: decoding must
// not turn a small response into a huge output.
type boundedWriter struct{ n, max int }

var errTooMuch = errors.New("output bound exceeded")

func (w *boundedWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > w.max {
		return 0, errTooMuch
	}
	return len(p), nil
}

// maxExpansion bounds the JSON written per byte of response: every
// response byte yields at most a few bytes of JSON (a one-byte element
// name or character escape becomes "\u00XX" or a repeated key).
func maxOutput(in int) int { return 64*in + 64<<10 }

func fuzzDecode(t *testing.T, c *codec.Codec, op *wsdl.Operation, v wsdl.SOAPVersion, contentType string, data []byte) {
	w := &boundedWriter{max: maxOutput(len(data))}
	bw := bufio.NewWriterSize(w, 4096)
	rd := c.NewResponseDecoder(op, bw, codec.DecodeOptions{})
	err := ReadResponse(bytes.NewReader(data), contentType, v, rd, c, op, bw, Limits{MaxAttachments: 1 << 20})
	if err == nil {
		err = bw.Flush()
	}
	if errors.Is(err, errTooMuch) {
		t.Fatalf("%d bytes of response decoded into more than %d bytes of JSON", len(data), w.max)
	}
}

// FuzzDecode feeds arbitrary bytes as the response of inventory's GetItems
// (document/literal): errors are fine, panics, hangs and unbounded output
// are not.
func FuzzDecode(f *testing.F) {
	c, op := inventoryOp(f)
	f.Add(inventoryResponse(2))
	f.Add([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header><x:Trace xmlns:x="urn:example:inventory"><x:requestId>r</x:requestId></x:Trace></s:Header><s:Body><s:Fault><faultcode>s:Client.Auth</faultcode><faultstring>no</faultstring><detail><x:OutOfStockFault xmlns:x="urn:example:inventory"><x:sku>A-1</x:sku><x:available>1</x:available></x:OutOfStockFault></detail></s:Fault></s:Body></s:Envelope>`))
	f.Add([]byte(`<?xml version="1.0"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value><e:Subcode><e:Value>x:y</e:Value></e:Subcode></e:Code><e:Reason><e:Text>r</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>`))
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><ns1:GetItemsResponse xmlns:ns1="urn:example:inventory"><ns1:item sku="S-1" xsi:nil="true"/><ns1:item><ns1:id>1e3</ns1:id><ns1:price>-0.5</ns1:price><ns1:tags/><![CDATA[x]]><!-- c --></ns1:item></ns1:GetItemsResponse></soap:Body></soap:Envelope>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecode(t, c, op, wsdl.SOAP11, "text/xml; charset=utf-8", data)
	})
}

// FuzzDecodeEncoded feeds arbitrary bytes as the response of an
// rpc/encoded operation, whose multiRef/href values are inlined before
// decoding: shared references must not expand without bound.
func FuzzDecodeEncoded(f *testing.F) {
	c, op := loadOp(f, "../../test/peers/php/rpc.wsdl", "describe")
	f.Add([]byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><ns1:describeResponse xmlns:ns1="urn:example:calc"><profile href="#id0"/></ns1:describeResponse><multiRef id="id0" xsi:type="ns2:Profile" xmlns:ns2="urn:example:calc"><name xsi:type="xsd:string">BOB</name><age href="#id1"/><nickname xsi:nil="true"/><balance>10.50</balance><scores href="#id2"/></multiRef><multiRef id="id1">42</multiRef><multiRef id="id2" xsi:type="soapenc:Array" soapenc:arrayType="xsd:double[2]" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"><item>1.5</item><item href="#id1"/></multiRef></soapenv:Body></soapenv:Envelope>`))
	f.Add([]byte(multiRefBomb(20)))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecode(t, c, op, wsdl.SOAP11, "text/xml", data)
	})
}

// multiRefBomb is an envelope whose multiRef i refers twice to multiRef
// i+1: inlined, it would hold 2^n copies of the last one.
func multiRefBomb(n int) string {
	var b strings.Builder
	b.WriteString(`<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><r:describeResponse xmlns:r="urn:example:calc"><profile href="#m0"/></r:describeResponse>`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<multiRef id="m%d"><a href="#m%d"/><b href="#m%d"/></multiRef>`, i, i+1, i+1)
	}
	fmt.Fprintf(&b, `<multiRef id="m%d">xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</multiRef></e:Body></e:Envelope>`, n)
	return b.String()
}

// TestMultiRefBomb: references that would expand exponentially are an
// error, not gigabytes of memory.
func TestMultiRefBomb(t *testing.T) {
	c, op := loadOp(t, "../../test/peers/php/rpc.wsdl", "describe")
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	rd := c.NewResponseDecoder(op, bw, codec.DecodeOptions{})
	err := ReadResponse(strings.NewReader(multiRefBomb(40)), "text/xml", wsdl.SOAP11, rd, c, op, bw, Limits{})
	var pe *ProtocolError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "multiRef") {
		t.Fatalf("got %v, want a ProtocolError about multiRef expansion", err)
	}
}

func loadOp(tb testing.TB, path, name string) (*codec.Codec, *wsdl.Operation) {
	tb.Helper()
	m, err := wsdl.Open(context.Background(), path, fetch.Options{}, wsdl.Strict)
	if err != nil {
		tb.Fatal(err)
	}
	for i := range m.Bindings[0].Operations {
		if o := &m.Bindings[0].Operations[i]; o.Name == name {
			return codec.New(m), o
		}
	}
	tb.Fatalf("no operation %s", name)
	return nil, nil
}

// FuzzDecodeMTOM feeds arbitrary bytes as a multipart/related (MTOM/XOP)
// response of files' GetFile: malformed parts, missing or repeated
// xop:Include references and broken base64 are errors, never panics or
// output out of proportion to the message.
func FuzzDecodeMTOM(f *testing.F) {
	c, op := loadOp(f, "testdata/files.wsdl", "GetFile")
	part := func(root, data string) []byte {
		return []byte("--B\r\nContent-Type: application/xop+xml\r\nContent-ID: <root>\r\n\r\n" + root +
			"\r\n--B\r\nContent-ID: <p>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + data + "\r\n--B--\r\n")
	}
	env := func(data string) string {
		return `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:xop="http://www.w3.org/2004/08/xop/include"><soap:Body><f:GetFileResponse xmlns:f="urn:example:files"><f:name>a</f:name><f:data>` + data + `</f:data></f:GetFileResponse></soap:Body></soap:Envelope>`
	}
	f.Add(part(env(`<xop:Include href="cid:p"/>`), "aGVsbG8="))
	f.Add(part(env(`<xop:Include href="cid:p"/><xop:Include href="cid:p"/>`), "aGVsbG8"))
	f.Add(part(env(`<xop:Include href="cid:q"/>`), ""))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzDecode(t, c, op, wsdl.SOAP12, `multipart/related; type="application/xop+xml"; boundary="B"; start="<root>"`, data)
	})
}
