package codec

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// FuzzEncode encodes arbitrary JSON as the request of one of a few fixed
// operations (op picks it): document/literal wrapped with headers, and
// rpc/encoded with arrays and a complex type, and anyType and wildcard
// content (testdata/hostile.wsdl). A request is either refused
// with a *ValidationError or encoded into well-formed XML of bounded size;
// nothing panics.
func FuzzEncode(f *testing.F) {
	inv, invB := inventory(f)
	m, err := wsdl.Open(context.Background(), "../../test/peers/php/rpc.wsdl", fetch.Options{}, wsdl.Strict)
	if err != nil {
		f.Fatal(err)
	}
	rpc := New(m)
	hc, hop := hostile(f)
	type target struct {
		c  *Codec
		op *wsdl.Operation
		v  wsdl.SOAPVersion
	}
	targets := []target{
		{inv, op(invB, "GetItems"), wsdl.SOAP11},
		{inv, op(invB, "Reserve"), wsdl.SOAP12},
		{rpc, op(&m.Bindings[0], "describe"), wsdl.SOAP11},
		{rpc, op(&m.Bindings[0], "echoStrings"), wsdl.SOAP11},
		{rpc, op(&m.Bindings[0], "sum"), wsdl.SOAP11},
		{hc, hop, wsdl.SOAP11},
	}
	for i, tg := range targets {
		if tg.op == nil {
			f.Fatalf("target %d: no such operation", i)
		}
	}
	for _, seed := range []struct {
		op   uint8
		json string
	}{
		{0, `{"skuPrefix": "A-", "limit": 2, "$headers": {"Trace": {"requestId": "r-1"}}}`},
		{0, `{"limit": "18446744073709551616"}`},
		{1, `{"sku": "A-1", "quantity": 3}`},
		{1, `{"sku": "bad sku", "quantity": 0, "color": "red"}`},
		{2, `{"name": "x"}`},
		{3, `{"items": ["a", "b<&>", ""]}`},
		{4, `{"numbers": [1, 2.5e3, -0]}`},
		{0, `[]`},
		{0, `{"a":`},
		{4, `{"numbers": [[[[]]]]}`},
		{5, `{"s": "x", "a": {"b": [1, {"c": true}], "$value": "t"}, "w": {"$any": ["<x:a xmlns:x=\"u\"/>"]}}`},
	} {
		f.Add(seed.op, []byte(seed.json))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		tg := targets[int(which)%len(targets)]
		enc, err := tg.c.EncodeInput(tg.op, tg.v, data)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 || len(ve.Problems) > maxProblems {
				t.Fatalf("error %v (%T), want a ValidationError with 1 to %d problems", err, err, maxProblems)
			}
			return
		}
		if n, max := len(enc.Body)+len(enc.Header), (maxAnyRatio+4)*len(data)+4096; n > max {
			t.Fatalf("%d bytes of JSON encoded into %d bytes of XML", len(data), n)
		}
		for _, part := range [][]byte{enc.Header, enc.Body} {
			doc := `<soapenv:Envelope xmlns:soapenv="e" xmlns:xsi="i" xmlns:xsd="s" xmlns:soapenc="c">` + string(part) + `</soapenv:Envelope>`
			d := xml.NewDecoder(bytes.NewReader([]byte(doc)))
			for {
				_, err := d.Token()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v\n%s", err, part)
				}
			}
		}
	})
}
