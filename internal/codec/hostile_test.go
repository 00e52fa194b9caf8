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

// TestEncodeRefusesWhatXMLCannotCarry: the request is refused, naming the
// value, rather than sent upstream altered (control characters used to
// become U+FFFD) or as XML that is not well-formed (member names of
// anyType values, wildcard content).
func TestEncodeRefusesWhatXMLCannotCarry(t *testing.T) {
	c, op := hostile(t)
	for req, want := range map[string]string{
		`{"s": "a\u0001b"}`:                                "/s",
		`{"s": "a\uffffb"}`:                                "/s",
		`{"a": {"$value": "\u0000"}}`:                      "/a/$value",
		`{"a": {"b": ["x", "\u001f"]}}`:                    "/a/b/1",
		`{"a": {"x\u00d7y": "1"}}`:                         "/a/x\u00d7y",
		`{"a": {"x\ufffe": "1"}}`:                          "/a/x\ufffe",
		`{"w": {"$any": ["<?xml version=\"1.0\"?><a/>"]}}`: "/w/$any/0",
		`{"w": {"$any": ["<a b=\"1\" b=\"2\"/>"]}}`:        "/w/$any/0",
		`{"w": {"$any": ["<x:a/>"]}}`:                      "/w/$any/0",
		`{"w": {"$any": ["<a x:b=\"1\"/>"]}}`:              "/w/$any/0",
		`{"w": {"$any": ["<!DOCTYPE a><a/>"]}}`:            "/w/$any/0",
		`{"w": {"$any": ["<a/><b/>"]}}`:                    "/w/$any/0",
		`{"w": {"$any": ["<a>"]}}`:                         "/w/$any/0",
	} {
		_, err := c.EncodeInput(op, wsdl.SOAP11, []byte(req))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Problems) != 1 || ve.Problems[0].Pointer != want {
			t.Errorf("%s: got %v, want one problem at %s", req, err, want)
		}
	}
	// What XML can carry passes: tab and line breaks, names beyond
	// ASCII, prefixes declared in the fragment or the envelope's.
	for _, req := range []string{
		`{"s": "a\tb\r\nc"}`,
		`{"a": {"caf\u00e9": "1", "x-1.y\u00b7": "2"}}`,
		`{"w": {"$any": ["<x:a xmlns:x=\"urn:x\" xsi:nil=\"true\"><x:b/></x:a>", "<!-- c --><a xml:lang=\"en\"/>"]}}`,
	} {
		if _, err := c.EncodeInput(op, wsdl.SOAP11, []byte(req)); err != nil {
			t.Errorf("%s: %v", req, err)
		}
	}
}

// TestEncodeQuotesLongNamesCut: an unknown member's name is quoted cut
// in the problem's detail and in the error's text (the log's line).
func TestEncodeQuotesLongNamesCut(t *testing.T) {
	c, op := hostile(t)
	_, err := c.EncodeInput(op, wsdl.SOAP11, []byte(`{"`+strings.Repeat("k", 1<<20)+`": 1}`))
	ve, ok := err.(*ValidationError)
	if !ok || len(ve.Problems) != 1 {
		t.Fatalf("got %v", err)
	}
	if d := ve.Problems[0].Detail; len(d) > 200 {
		t.Errorf("a detail of %d bytes", len(d))
	}
	if n := len(err.Error()); n > 1000 {
		t.Errorf("an error text of %d bytes", n)
	}
}

// TestEncodeAnyTypeAmplificationBounded: an array of anyType content
// under a long member name is refused once its XML passes 32 times the
// request's size (a 210 KB request wrote 2 GB of XML, allocating 10 GB);
// short names are no problem.
func TestEncodeAnyTypeAmplificationBounded(t *testing.T) {
	c, op := hostile(t)
	req := `{"a": {"` + strings.Repeat("k", 10000) + `": [` + strings.Repeat("1,", 100000) + `1]}}`
	var err error
	n := allocated(func() { _, err = c.EncodeInput(op, wsdl.SOAP11, []byte(req)) })
	ve, ok := err.(*ValidationError)
	if !ok || len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].Detail, "32 times the request's size") {
		t.Fatalf("got %.300v", err)
	}
	if max := uint64(400 * len(req)); n > max {
		t.Errorf("refusing %d bytes of JSON allocated %d bytes, want at most %d", len(req), n, max)
	}
	req = `{"a": {"measurementValue": [` + strings.Repeat("1,", 100000) + `1]}}`
	if _, err := c.EncodeInput(op, wsdl.SOAP11, []byte(req)); err != nil {
		t.Errorf("short names: %.300v", err)
	}
}

// TestEncodeRefusesDuplicateMembers: a member given twice in one object
// is refused at its second occurrence (encoding/json kept the last value
// and the request lost the others without a word), however deep, and
// whichever parser read the request.
func TestEncodeRefusesDuplicateMembers(t *testing.T) {
	c, op := hostile(t)
	deep := strings.Repeat(`{"x":`, maxJSONDepth+5) + "1" + strings.Repeat("}", maxJSONDepth+5)
	for req, want := range map[string]string{
		`{"s": "a", "s": "b"}`:                               "/s",
		`{"a": {"b": [1, {"c": 1, "c": 2}]}}`:                "/a/b/1/c",
		`{"a": ` + deep[:len(deep)-1] + `, "y": 1, "y": 2}}`: "/a/y",
		`{"s": "\ud83d\ude00", "s": "b"}`:                    "/s",
	} {
		_, err := c.EncodeInput(op, wsdl.SOAP11, []byte(req))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Problems) != 1 || ve.Problems[0].Pointer != want {
			t.Errorf("%.80s: got %.300v, want one problem at %s", req, err, want)
		}
	}
	if _, err := c.EncodeInput(op, wsdl.SOAP11, []byte(`{"a": {"x": [{"k": 1}, {"k": 2}], "y": {"k": 1}}}`)); err != nil {
		t.Errorf("the same name in different objects: %v", err)
	}
}

// TestEncodeRefusesInvalidUTF8: bytes that are not UTF-8 are refused
// (encoding/json read them as U+FFFD: the upstream got another value than
// the caller sent), wherever they are; U+FFFD itself and escapes are
// values like any other.
func TestEncodeRefusesInvalidUTF8(t *testing.T) {
	c, op := hostile(t)
	for _, req := range []string{
		"{\"s\": \"a\xffb\"}",
		"{\"s\": \"\xc3\"}",
		"{\"s\": \"\xed\xa0\x80\"}", // a surrogate, encoded
		"{\"a\": {\"b\": [\"\xfe\"]}}",
		"{\"s\xff\": 1}",
	} {
		_, err := c.EncodeInput(op, wsdl.SOAP11, []byte(req))
		ve, ok := err.(*ValidationError)
		if !ok || len(ve.Problems) != 1 || !strings.Contains(ve.Problems[0].Detail, "not valid UTF-8") {
			t.Errorf("%q: got %.300v, want one problem: not valid UTF-8", req, err)
		}
	}
	for _, req := range []string{"{\"s\": \"\ufffd\"}", "{\"s\": \"\xef\xbf\xbd \u00e9\"}"} {
		if _, err := c.EncodeInput(op, wsdl.SOAP11, []byte(req)); err != nil {
			t.Errorf("%q: %v", req, err)
		}
	}
}
