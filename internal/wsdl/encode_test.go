package wsdl

import (
	"context"
	"reflect"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

// TestMarshalRoundTrip compiles every corpus case, serializes the model and
// loads it back: the loaded model must equal the compiled one and answer
// name lookups the same way.
func TestMarshalRoundTrip(t *testing.T) {
	for _, c := range corpusCases(t) {
		if c.ExpectError {
			continue
		}
		m, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient)
		if err != nil {
			continue // the conformance test reports these
		}
		data, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		var got Model
		if err := got.UnmarshalBinary(data); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if !reflect.DeepEqual(m, &got) {
			t.Errorf("%s: model changed in a round trip", c.Name)
		}
		for _, e := range m.Schema.Elements {
			if !e.Global {
				continue
			}
			id1, _ := m.Schema.ElementByName(e.Name)
			id2, ok := got.Schema.ElementByName(e.Name)
			if !ok || id1 != id2 {
				t.Errorf("%s: element %s not found after loading", c.Name, e.Name)
			}
		}
	}
}

func TestUnmarshalStale(t *testing.T) {
	var m Model
	if err := m.UnmarshalBinary([]byte("soapbridge-model/0\nxxxx")); err != ErrStaleEncoding {
		t.Fatalf("got %v, want ErrStaleEncoding", err)
	}
	if err := m.UnmarshalBinary([]byte(encodingMagic + "garbage")); err == nil {
		t.Fatal("garbage decoded without error")
	}
}
