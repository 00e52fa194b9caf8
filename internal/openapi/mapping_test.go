package openapi

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// TestMapping checks each rule of docs/openapi.md on testdata/features.wsdl,
// which has one of every construct, and that the request schema refuses
// what the codec refuses and accepts what it accepts.
func TestMapping(t *testing.T) {
	path := filepath.Join("testdata", "features.wsdl")
	d := generate(t, path, "features")
	data, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc := validate(t, data) // valid OpenAPI 3.1, examples included
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	// at walks the raw document by a slash-separated path of member
	// names and array indexes.
	at := func(t *testing.T, p string) any {
		t.Helper()
		var v any = raw
		for _, k := range strings.Split(p, "/") {
			switch x := v.(type) {
			case map[string]any:
				var ok bool
				if v, ok = x[k]; !ok {
					t.Fatalf("%s: no %q", p, k)
				}
			case []any:
				i, err := strconv.Atoi(k)
				if err != nil || i < 0 || i >= len(x) {
					t.Fatalf("%s: no item %q", p, k)
				}
				v = x[i]
			default:
				t.Fatalf("%s: nothing at %q", p, k)
			}
		}
		return v
	}
	eq := func(t *testing.T, p string, want any) {
		t.Helper()
		got := at(t, p)
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s = %s, want %s", p, g, w)
		}
	}
	draw := at(t, "paths").(map[string]any)["/v1/services/features/Draw"].(map[string]any)["post"].(map[string]any)
	in := draw["requestBody"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)
	out := draw["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)["application/json"].(map[string]any)
	inProps := in["schema"].(map[string]any)["properties"].(map[string]any)
	outProps := out["schema"].(map[string]any)["properties"].(map[string]any)

	t.Run("server and security", func(t *testing.T) {
		eq(t, "servers", []any{map[string]any{"url": "https://api.example.com"}})
		eq(t, "components/securitySchemes/apiKey/type", "apiKey")
		eq(t, "components/securitySchemes/apiKey/in", "header")
		eq(t, "components/securitySchemes/apiKey/name", "X-API-Key")
		eq(t, "security", []any{map[string]any{"apiKey": []any{}}, map[string]any{"bearer": []any{}}})
		m, err := wsdl.Open(t.Context(), path, fetch.Options{}, wsdl.Lenient)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := Generate(m, Options{Service: "features"})
		if err != nil {
			t.Fatal(err)
		}
		if rel.Servers[0].URL != "/" {
			t.Errorf("without a server URL, servers[0].url = %q, want /", rel.Servers[0].URL)
		}
		if _, err := Generate(m, Options{Service: "features", ServerURL: "ftp://x"}); err == nil {
			t.Errorf("an ftp server URL was accepted")
		}
	})

	t.Run("descriptions from xsd:documentation and wsdl:documentation", func(t *testing.T) {
		desc := at(t, "info/description").(string)
		for _, want := range []string{"The definitions' documentation.", "The service's documentation."} {
			if !strings.Contains(desc, want) {
				t.Errorf("info.description lacks %q: %q", want, desc)
			}
		}
		eq(t, "tags", []any{map[string]any{"name": "FeaturesService", "description": "The service's documentation."}})
		if draw["summary"] != "Draws a shape." || draw["description"] != "Draws a shape. It returns the area." {
			t.Errorf("operation summary %q, description %q", draw["summary"], draw["description"])
		}
		eq(t, "components/schemas/Shape/description", "A circle or a rectangle.")        // complex type
		eq(t, "components/schemas/Code/description", "A code of two to eight capitals.") // simple type
		eq(t, "components/schemas/NodeInput/description", "A tree node.")                // complex type
		eq(t, "components/schemas/ExtendedInput/allOf/1/properties/colour/description", "The attribute's documentation.")
		if got := inProps["code"].(map[string]any)["description"]; got != "The element's documentation." {
			t.Errorf("the repeated element's documentation: %v", got)
		}
	})

	t.Run("types, formats, enums, patterns, facets", func(t *testing.T) {
		eq(t, "components/schemas/Code/type", "string")
		eq(t, "components/schemas/Code/pattern", "^(?:[A-Z]+)$")
		eq(t, "components/schemas/Code/minLength", 2.0)
		eq(t, "components/schemas/Code/maxLength", 8.0)
		eq(t, "components/schemas/Colour/enum", []any{"red", "green"})
		eq(t, "components/schemas/Percent/type", "integer")
		eq(t, "components/schemas/Percent/format", "int32")
		eq(t, "components/schemas/Percent/minimum", 0.0)
		eq(t, "components/schemas/Percent/exclusiveMaximum", 101.0)
		// xsd:long: a request may give it as a string of digits.
		eq(t, "components/schemas/BaseInput/properties/id/type", []any{"integer", "string"})
		eq(t, "components/schemas/BaseInput/properties/id/format", "int64")
		eq(t, "components/schemas/Shape/properties/radius/format", "double")
	})

	t.Run("arrays with minItems and maxItems, nil as null", func(t *testing.T) {
		code := inProps["code"].(map[string]any)
		if code["type"] != "array" || code["minItems"] != 2.0 || code["maxItems"] != 4.0 {
			t.Errorf("code (minOccurs 2, maxOccurs 4): %v", code)
		}
		warning := outProps["warning"].(map[string]any)
		if warning["type"] != "array" || warning["maxItems"] != 3.0 || warning["minItems"] != nil {
			t.Errorf("warning (minOccurs 0, maxOccurs 3): %v", warning)
		}
		if req := out["schema"].(map[string]any)["required"].([]any); !contains(req, "warning") {
			t.Errorf("a response always has its arrays: required %v", req)
		}
		eq(t, "components/schemas/NodeInput/properties/child/type", "array")
		// A nillable element: null joins the type array, or an anyOf
		// around a reference.
		if got := inProps["maybe"].(map[string]any)["type"]; !reflect.DeepEqual(got, []any{"integer", "null"}) {
			t.Errorf("maybe (nillable xsd:int): type %v", got)
		}
		if got := outProps["colour"].(map[string]any)["anyOf"]; !reflect.DeepEqual(got, []any{map[string]any{"$ref": "#/components/schemas/Colour"}, map[string]any{"type": "null"}}) {
			t.Errorf("colour (nillable Colour): anyOf %v", got)
		}
	})

	t.Run("choice as oneOf, extension as allOf, recursion as $ref", func(t *testing.T) {
		if one, _ := at(t, "components/schemas/Shape/oneOf").([]any); len(one) != 2 {
			t.Errorf("Shape (a choice of two branches): oneOf %v", one)
		}
		eq(t, "components/schemas/ExtendedInput/allOf/0", map[string]any{"$ref": "#/components/schemas/BaseInput"})
		eq(t, "components/schemas/ExtendedInput/allOf/1/required", []any{"label"})
		eq(t, "components/schemas/NodeInput/properties/child/items", map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/NodeInput"}}, "unevaluatedProperties": false})
		// An anonymous recursive type is a component named after its element.
		eq(t, "components/schemas/Folder/properties/Folder/items", map[string]any{"allOf": []any{map[string]any{"$ref": "#/components/schemas/Folder"}}, "unevaluatedProperties": false})
	})

	t.Run("an example per operation", func(t *testing.T) {
		for _, m := range []map[string]any{in, out} {
			if m["example"] == nil {
				t.Errorf("no example: %v", m)
			}
		}
		if ex := in["example"].(map[string]any); !reflect.DeepEqual(ex["code"], []any{"AA", "AA"}) {
			t.Errorf("example codes %v: want two codes of the pattern's minimum length", ex["code"])
		}
	})

	t.Run("each declared fault's detail schema", func(t *testing.T) {
		for _, status := range []string{"422", "502"} {
			s := draw["responses"].(map[string]any)[status].(map[string]any)["content"].(map[string]any)["application/problem+json"].(map[string]any)["schema"].(map[string]any)
			fault := s["allOf"].([]any)[1].(map[string]any)["properties"].(map[string]any)["fault"]
			if !reflect.DeepEqual(fault, map[string]any{"$ref": "#/components/schemas/DrawFault"}) {
				t.Errorf("%s fault: %v", status, fault)
			}
		}
		eq(t, "components/schemas/DrawFault/allOf/1/properties/fault/enum", []any{"BadShape"})
		eq(t, "components/schemas/DrawFault/allOf/1/properties/detail/additionalProperties", true)
		eq(t, "components/schemas/DrawFault/allOf/1/properties/detail/properties/BadShape/properties/limit/type", "integer")
		eq(t, "components/schemas/SOAPFault/properties/detail/additionalProperties", true)
		for _, r := range []string{"400", "401", "403", "404", "413", "415", "500", "503", "504"} {
			if _, ok := draw["responses"].(map[string]any)[r]; !ok {
				t.Errorf("no %s response", r)
			}
		}
	})

	t.Run("the request schema agrees with the codec", func(t *testing.T) {
		m, err := wsdl.Open(t.Context(), path, fetch.Options{}, wsdl.Lenient)
		if err != nil {
			t.Fatal(err)
		}
		c := codec.New(m)
		ops := map[string]*wsdl.Operation{}
		for i := range m.Bindings[0].Operations {
			o := &m.Bindings[0].Operations[i]
			ops[o.Name] = o
		}
		// check sends body to operation op through the request schema and
		// the codec, and reports whether each accepted it.
		check := func(t *testing.T, op, body string) (schemaOK, codecOK bool, serr, cerr error) {
			t.Helper()
			item := doc.Paths.Find("/v1/services/features/" + op)
			if item == nil || ops[op] == nil {
				t.Fatalf("no operation %s", op)
			}
			schema := item.Post.RequestBody.Value.Content["application/json"].Schema.Value
			var v any
			if err := json.Unmarshal([]byte(body), &v); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			serr = schema.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors())
			_, cerr = c.EncodeInput(ops[op], wsdl.SOAP11, []byte(body))
			var verr *codec.ValidationError
			if cerr != nil && !errors.As(cerr, &verr) {
				t.Fatalf("%s: codec: %v", body, cerr)
			}
			return serr == nil, cerr == nil, serr, cerr
		}
		const rest = `"thing": {"id": 1, "label": "l"}, "code": ["AB", "CD"], "maybe": null`
		draw := func(members string) string { return `{"shape": {"radius": 2}, ` + rest + `, ` + members + `}` }
		for _, c2 := range []struct {
			op, body string
			ok       bool
		}{
			{"Draw", `{"shape": {"radius": 2}, ` + rest + `}`, true},
			{"Draw", `{"shape": {"width": 2, "height": 3}, ` + rest + `}`, true},
			{"Draw", `{"shape": {"radius": 2, "width": 2, "height": 3}, ` + rest + `}`, false}, // two branches of a choice
			{"Draw", `{"shape": {}, ` + rest + `}`, false},                                     // no branch
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": "123", "label": "l", "colour": "green"}, "code": ["AB", "CD", "EF"], "maybe": 4}`, true},
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1}, "code": ["AB", "CD"], "maybe": null}`, false},                                 // extension's member missing
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1, "label": "l", "colour": "blue"}, "code": ["AB", "CD"], "maybe": null}`, false}, // enum
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1, "label": "l"}, "code": ["AB"], "maybe": null}`, false},                         // minItems
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1, "label": "l"}, "code": ["AB", "CD", "EF", "GH", "IJ"], "maybe": null}`, false}, // maxItems
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1, "label": "l"}, "code": ["AB", "c"], "maybe": null}`, false},                    // pattern, length
			{"Draw", draw(`"percent": 101`), false},                                                                                              // exclusive maximum
			{"Draw", draw(`"percent": 100, "tree": {"name": "a", "child": [{"name": "b", "child": []}]}`), true},                                 // recursion
			{"Draw", `{"shape": {"radius": 2}, ` + rest + `, "tree": {"child": [{"name": "b"}]}}`, false},                                        // a recursive member's required name

			// Unknown members, at every level.
			{"Draw", draw(`"colour": "red"`), false}, // top level (the wrapper's members)
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1, "label": "l", "size": 3}, "code": ["AB", "CD"], "maybe": null}`, false},  // nested, in an extension (allOf)
			{"Draw", `{"shape": {"radius": 2}, "thing": {"id": 1, "label": "l", "$any": []}, "code": ["AB", "CD"], "maybe": null}`, false}, // "$any" without a wildcard
			{"Draw", `{"shape": {"radius": 2, "depth": 1}, ` + rest + `}`, false},                                                          // in a choice (oneOf)
			{"Draw", `{"shape": {"width": 2, "height": 3, "depth": 1}, ` + rest + `}`, false},                                              // in a choice's sequence branch
			{"Draw", `{"shape": {"radius": 2, "$value": "2"}, ` + rest + `}`, false},                                                       // "$value" without simple content
			{"Draw", draw(`"tree": {"name": "a", "child": [{"name": "b", "age": 3}]}`), false},                                             // in an array of objects
			{"Draw", draw(`"tree": {"name": "a", "child": [{"name": "b", "child": [{"name": "c", "age": 3}]}]}`), false},                   // deeper, through recursion
			{"Draw", draw(`"$headers": {"Trace": {"requestId": "r-1"}}`), true},                                                            // a declared header
			{"Draw", draw(`"$headers": {"Trace": {"requestId": "r-1"}, "Other": {}}`), false},                                              // an undeclared one
			{"Draw", draw(`"$headers": {"Trace": {"requestId": "r-1", "span": "s"}}`), false},                                              // inside a header
			{"Measure", `{}`, true},
			{"Measure", `{"$headers": {}}`, true}, // no header declared: the codec takes an empty object
			{"Measure", `{"$headers": {"Trace": {"requestId": "r-1"}}}`, false},
			{"Measure", `{"size": 1}`, false},

			// xsi:type: "$type" selects a derived type and its members.
			{"Draw", draw(`"base": {"id": 1}`), true},
			{"Draw", draw(`"base": {"$type": "Base", "id": 1}`), true},
			{"Draw", draw(`"base": {"$type": "Extended", "id": 1, "label": "x", "colour": "red"}`), true},
			{"Draw", draw(`"base": {"$type": "{urn:features}Extended", "id": 1, "label": "x"}`), true},
			{"Draw", draw(`"base": {"id": 1, "label": "x"}`), false},                                 // a derived type's member without "$type"
			{"Draw", draw(`"base": {"$type": "Extended", "id": 1}`), false},                          // the derived type's required member
			{"Draw", draw(`"base": {"$type": "Extended", "id": 1, "label": "x", "size": 1}`), false}, // unknown in a derived type
			{"Draw", draw(`"base": {"$type": "Nope", "id": 1}`), false},
			{"Draw", draw(`"base": {"$type": "", "id": 1}`), false},
			{"Measure", `{"note": {"$type": ""}}`, false}, // an anonymous type has no name to give
			{"Draw", `{"shape": {"$type": 1, "radius": 2}, ` + rest + `}`, false},

			// A repeated sequence (maxOccurs 3): each element an array of
			// its occurrences in all the repetitions.
			{"Measure", `{"pairs": {"key": ["a", "b", "c"], "value": [1, 2, 3, 4]}}`, true},
			{"Measure", `{"pairs": {"key": ["a"]}}`, true},
			{"Measure", `{"pairs": {}}`, true},
			{"Measure", `{"pairs": {"key": ["a", "b", "c", "d"]}}`, false}, // 4 repetitions
			{"Measure", `{"pairs": {"key": ["a"], "value": [1, 2, 3, 4, 5, 6, 7]}}`, false},
			{"Measure", `{"pairs": {"key": "a"}}`, false},

			// Patterns (XML Schema dialect).
			{"Measure", `{"ref": "abc-12"}`, true},
			{"Measure", `{"ref": "a_c-12"}`, false}, // "_" is punctuation, not \w
			{"Measure", `{"ref": "abc-1"}`, false},
			{"Measure", `{"ref": "^abc-12"}`, true}, // "^" is a symbol: \w

			// Mixed content: "$value" is the text, a string.
			{"Measure", `{"note": {"$value": "some text", "b": ["bold"]}}`, true},
			{"Measure", `{"note": {"b": []}}`, true},
			{"Measure", `{"note": {"$value": 5}}`, false},
			{"Measure", `{"note": {"$value": {"b": "x"}}}`, false},

			// Attributes named "@name", wildcards, anyType.
			{"Measure", `{"labelled": {"label": "a", "@label": "b", "$any": ["<x:note xmlns:x=\"urn:x\">n</x:note>"]}}`, true},
			{"Measure", `{"labelled": {"label": "a", "note": "n"}}`, false},
			{"Measure", `{"anything": {"a": {"b": 1, "é-1.x": null}, "c": ["x", null, {"d": true}], "$value": "t", "$any": []}}`, true},
			{"Measure", `{"anything": "text"}`, true},
			{"Measure", `{"anything": {"$value": 5, "b": {"$value": true}, "c": {"$value": null}}}`, true},
			{"Measure", `{"anything": {"$value": {"a": 1}}}`, false},
			{"Measure", `{"anything": {"$value": ["a"]}}`, false},
			{"Measure", `{"anything": {"a": {"@b": 1}}}`, false}, // names become element names
			{"Measure", `{"anything": {"$type": "Base"}}`, false},
			{"Measure", `{"anything": {"1a": 1}}`, false},
			{"Measure", `{"anything": [1]}`, false},
			{"Measure", `{"anything": {"c": [[1]]}}`, false},

			// Integers given as strings: their range, exactly.
			{"Measure", `{"big": "9223372036854775807"}`, true},
			{"Measure", `{"big": "9223372036854775808"}`, false},
			{"Measure", `{"big": "-9223372036854775808"}`, true},
			{"Measure", `{"big": "-9223372036854775809"}`, false},
			{"Measure", `{"big": "+007"}`, true},
			{"Measure", `{"big": "7.0"}`, false},
			{"Measure", `{"small": "-99"}`, true}, // minExclusive -100
			{"Measure", `{"small": "-100"}`, false},
			{"Measure", `{"small": -100}`, false},
			{"Measure", `{"small": "250"}`, true}, // maxInclusive 250
			{"Measure", `{"small": "0251"}`, false},
			{"Measure", `{"count": "-0"}`, true},
			{"Measure", `{"count": "-1"}`, false},
			{"Measure", `{"count": "123456789012345678901234567890"}`, true},
			{"Measure", `{"digits": 999}`, true}, // totalDigits 3
			{"Measure", `{"digits": -1000}`, false},
			{"Measure", `{"digits": "-000999"}`, true},
			{"Measure", `{"digits": "1000"}`, false},
		} {
			schemaOK, codecOK, serr, cerr := check(t, c2.op, c2.body)
			if schemaOK != c2.ok || codecOK != c2.ok {
				t.Errorf("%s %s: schema valid=%v (%v), codec valid=%v (%v), want %v", c2.op, c2.body, schemaOK, serr, codecOK, cerr, c2.ok)
			}
		}
		// The known looseness (docs/openapi.md, "What the document does not
		// say"): what the gateway checks beyond the document.
		for _, loose := range []struct{ op, body string }{
			{"Measure", `{"price": "-1"}`},                               // a decimal given as a string: its range is the gateway's
			{"Measure", `{"price": 1.234}`},                              // fractionDigits
			{"Measure", `{"pairs": {"value": [1]}}`},                     // an optional sequence given without its required key
			{"Measure", `{"pairs": {"key": ["a"], "value": [1, 2, 3]}}`}, // 2 repetitions, 1 key
		} {
			schemaOK, codecOK, serr, _ := check(t, loose.op, loose.body)
			if !schemaOK {
				t.Errorf("%s: the schema now refuses it (%v): move this case to the table above and update docs/openapi.md", loose.body, serr)
			}
			if codecOK {
				t.Errorf("%s: the codec accepts it", loose.body)
			}
		}
		// And the forms the gateway also takes that the document leaves
		// out, describing the one form every client can write.
		for _, strict := range []struct{ op, body string }{
			{"Draw", draw(`"percent": "5"`)},          // an int as a string
			{"Measure", `{"big": " 5 "}`},             // spaces around an integer string
			{"Measure", `{"note": {"$value": null}}`}, // null text of mixed content, as no text
			{"Measure", `{"ref": "José-٣٤"}`},         // \w and \d of every script
			{"Draw", `{"shape": {"radius": 2}, "thing": {"$type": "Extended", "id": 1, "label": "l"}, "code": ["AB", "CD"], "maybe": null}`}, // "$type" naming a type without derived types
		} {
			schemaOK, codecOK, _, cerr := check(t, strict.op, strict.body)
			if schemaOK {
				t.Errorf("%s: the schema now accepts it: update docs/openapi.md", strict.body)
			}
			if !codecOK {
				t.Errorf("%s: the codec refuses it (%v): it is no longer a stricter form", strict.body, cerr)
			}
		}
	})
}

func contains(list []any, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestExampleForLengths(t *testing.T) {
	for _, c := range []struct {
		re       string
		min, max int
		want     string
		ok       bool
	}{
		{`^[A-Z]+$`, 0, -1, "A", true},
		{`^[A-Z]+$`, 3, 8, "AAA", true},
		{`^[A-Z]-[0-9]+$`, 5, -1, "A-000", true},
		{`^[a-z]{2,4}$`, 3, -1, "", true},
		{`^[a-z]{2,4}$`, 5, -1, "", false}, // cannot grow past 4
		{`^abc$`, 0, 2, "", false},         // too long
		{`^x?y$`, 2, 2, "xy", true},
	} {
		got, ok := exampleFor(c.re, c.min, c.max)
		if ok != c.ok || c.want != "" && got != c.want {
			t.Errorf("exampleFor(%q, %d, %d) = %q, %v; want %q, %v", c.re, c.min, c.max, got, ok, c.want, c.ok)
		}
		if ok && (!matches(c.re, got) || len(got) < c.min || c.max >= 0 && len(got) > c.max) {
			t.Errorf("exampleFor(%q, %d, %d) = %q: outside the pattern or the lengths", c.re, c.min, c.max, got)
		}
	}
}
