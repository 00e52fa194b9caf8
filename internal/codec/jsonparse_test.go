package codec

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// decodeStd is what decodeJSON decoded with before parseJSONObject:
// encoding/json with UseNumber, one object and nothing after it.
func decodeStd(data []byte) (map[string]any, bool) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil || d.More() {
		return nil, false
	}
	obj, ok := v.(map[string]any)
	return obj, ok
}

var jsonCases = []string{
	`{}`, `{"a":1}`, ` { "a" : [ 1 , -2.5e+3, 0, 0.1, 1E9 ] , "b" : { } , "c":[] } `,
	`{"skuPrefix": "A-", "limit": 10}`, `{"a":true,"b":false,"c":null}`, `{"a":1,"a":2}`,
	`{"s":"x\"y\\z\/\b\f\n\r\t\u00e9\u20AC\u0000"}`, `{"s":"héllo €"}`, `{"\u00e9":"k"}`,
	`{"s":"\ud83d\ude00"}`, `{"s":"\ud83d"}`, `{"s":"\udc00x"}`, "{\"s\":\"\xff\"}", "{\"s\":\"a\xc3\"}",
	`{"s":"\x"}`, `{"s":"\u12"}`, `{"s":"\u12g4"}`, "{\"s\":\"a\nb\"}", "{\"s\":\"\x7f\"}",
	`{"n":01}`, `{"n":-}`, `{"n":1.}`, `{"n":.5}`, `{"n":1e}`, `{"n":1e+}`, `{"n":-0}`, `{"n":+1}`,
	`{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a" 1}`, `{"a":1,}`, `{,}`, `{"a":1 "b":2}`,
	`{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":1}}`, `{"a":1} x`, `{"a":1}{}`, `[1]`, `"s"`, `1`,
	`{"a":`, `{"a"`, `{`, `{"a":[`, `{"a":"`, `{'a':1}`, `{a:1}`, "{\t\"a\"\r\n:\n1}",
	`{"a":{"b":{"c":[{"d":[[[]]]}]}}}`,
}

// TestParseJSONObject: whatever parseJSONObject parses, it parses as
// encoding/json does; it parses the common forms itself.
func TestParseJSONObject(t *testing.T) {
	for _, in := range jsonCases {
		checkParse(t, []byte(in))
	}
	deep := bytes.Repeat([]byte(`{"a":`), maxJSONDepth+5)
	deep = append(append(deep, '1'), bytes.Repeat([]byte("}"), maxJSONDepth+5)...)
	checkParse(t, deep)
	for _, in := range []string{`{"skuPrefix": "A-", "limit": 10}`, `{"s":"x\n\u00e9", "a":[1,{"b":null}]}`} {
		if _, ok := parseJSONObject([]byte(in)); !ok {
			t.Errorf("%s: left to encoding/json", in)
		}
	}
}

func checkParse(t *testing.T, in []byte) {
	t.Helper()
	got, ok := parseJSONObject(in)
	if !ok {
		return
	}
	want, wantOK := decodeStd(in)
	if !wantOK {
		t.Errorf("%q: parsed, but encoding/json refuses it", in)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%q: parsed as %#v, encoding/json as %#v", in, got, want)
	}
}

// FuzzParseJSONObject: parseJSONObject agrees with encoding/json on
// anything it parses.
func FuzzParseJSONObject(f *testing.F) {
	for _, in := range jsonCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkParse(t, in)
	})
}
