package codec

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// hostile compiles testdata/hostile.wsdl: one document/literal operation
// Op whose element has a string "s", an xs:anyType "a" and a "w" holding
// an xs:any wildcard.
func hostile(t testing.TB) (*Codec, *wsdl.Operation) {
	t.Helper()
	m, err := wsdl.Open(context.Background(), "testdata/hostile.wsdl", fetch.Options{}, wsdl.Strict)
	if err != nil {
		t.Fatal(err)
	}
	return New(m), &m.Bindings[0].Operations[0]
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestEncodeDeepNestingLinear: a deeply nested anyType value with long
// member names costs memory linear in its size. Every level's JSON
// pointer used to be rendered whether or not a problem needed it: 2000
// levels of 1000-character names (2 MB) allocated 1.9 GB.
func TestEncodeDeepNestingLinear(t *testing.T) {
	c, op := hostile(t)
	k := strings.Repeat("k", 1000)
	const depth = 2000
	req := `{"a":` + strings.Repeat(`{"`+k+`":`, depth) + "1" + strings.Repeat("}", depth) + `}`
	var err error
	n := allocated(func() { _, err = c.EncodeInput(op, wsdl.SOAP11, []byte(req)) })
	if err != nil {
		t.Fatal(err)
	}
	if max := uint64(40 * len(req)); n > max {
		t.Errorf("encoding %d bytes of JSON allocated %d bytes, want at most %d", len(req), n, max)
	}
	// A problem deep down still names the whole path, escaped.
	for req, want := range map[string]string{
		`{"a": {"b": [{"c": [[1]]}]}}`: "/a/b/0/c/0",
		`{"x/~": 1}`:                   "/x~1~0",
	} {
		_, err = c.EncodeInput(op, wsdl.SOAP11, []byte(req))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Problems) != 1 || ve.Problems[0].Pointer != want {
			t.Errorf("%s: got %v, want one problem at %s", req, err, want)
		}
	}
}
