package codec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

func inventory(t testing.TB) (*Codec, *wsdl.Binding) {
	t.Helper()
	m, err := wsdl.Open(context.Background(), "../../examples/inventory/inventory.wsdl", fetch.Options{}, wsdl.Strict)
	if err != nil {
		t.Fatal(err)
	}
	return New(m), &m.Bindings[0]
}

func op(b *wsdl.Binding, name string) *wsdl.Operation {
	for i := range b.Operations {
		if b.Operations[i].Name == name {
			return &b.Operations[i]
		}
	}
	return nil
}

func TestEncodeWrapped(t *testing.T) {
	c, b := inventory(t)
	enc, err := c.EncodeInput(op(b, "GetItems"), wsdl.SOAP11, []byte(`{"limit": 5, "skuPrefix": "A-", "$headers": {"Trace": {"requestId": "r1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `<ns1:GetItems xmlns:ns1="urn:example:inventory"><ns1:skuPrefix>A-</ns1:skuPrefix><ns1:limit>5</ns1:limit></ns1:GetItems>`
	if string(enc.Body) != want {
		t.Errorf("body\n got %s\nwant %s", enc.Body, want)
	}
	if !strings.Contains(string(enc.Header), `<requestId>r1</`) && !strings.Contains(string(enc.Header), `:requestId>r1</`) {
		t.Errorf("header %s", enc.Header)
	}
}

func TestEncodeValidation(t *testing.T) {
	c, b := inventory(t)
	_, err := c.EncodeInput(op(b, "Reserve"), wsdl.SOAP11, []byte(`{"sku": "bad sku", "quantity": 0, "color": "red"}`))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a ValidationError", err)
	}
	got := map[string]string{}
	for _, p := range ve.Problems {
		got[p.Pointer] = p.Detail + " / " + p.Expected
	}
	for _, ptr := range []string{"/sku", "/quantity", "/color"} {
		if _, ok := got[ptr]; !ok {
			t.Errorf("no problem reported at %s; got %v", ptr, got)
		}
	}
	t.Log(err)
}
