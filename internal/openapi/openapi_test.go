package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// validate loads a document with kin-openapi and validates it as OpenAPI
// 3.1, examples included: the document's own schemas check its examples.
func validate(t testing.TB, data []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q is not 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaPatternValidation()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3.1: %v", err)
	}
	return doc
}

func generate(t testing.TB, path, service string) *Document {
	t.Helper()
	m, err := wsdl.Open(context.Background(), path, fetch.Options{}, wsdl.Lenient)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Generate(m, Options{Service: service, ServerURL: "https://api.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInventoryDocument(t *testing.T) {
	d := generate(t, filepath.Join(testpeer.RepoRoot(t), "examples", "inventory", "inventory.wsdl"), "inventory")
	data, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	doc := validate(t, data)
	if doc.Paths.Find("/v1/services/inventory/GetItems") == nil || doc.Paths.Find("/v1/services/inventory/Reserve") == nil {
		t.Fatalf("paths: %v", doc.Paths.InMatchingOrder())
	}
	item := doc.Components.Schemas["Item"].Value
	if item == nil || item.Description != "A stock item." {
		t.Fatalf("Item component: %+v", item)
	}
	reserveIn := doc.Paths.Find("/v1/services/inventory/Reserve").Post.RequestBody.Value.Content["application/json"].Schema.Value
	for _, c := range []struct {
		schema *openapi3.Schema
		value  string
		ok     bool
	}{
		{item, `{"sku": "A-1", "id": 1, "name": "x", "price": 1.5, "tags": [], "discontinued": null}`, true},
		{item, `{"sku": "A-1", "id": 1, "name": "x", "price": 1.5, "discontinued": false}`, false},             // a response always has its arrays
		{item, `{"sku": "bad", "id": 1, "name": "x", "price": 1.5, "tags": [], "discontinued": false}`, false}, // pattern
		{item, `{"sku": "A-1", "id": 3000000000, "name": "x", "price": 1, "tags": [], "discontinued": true}`, false},
		{reserveIn, `{"sku": "A-1", "quantity": "123456789012345678901234567890"}`, true}, // big integers may be strings in requests
		{reserveIn, `{"sku": "A-1", "quantity": 0}`, false},
		{reserveIn, `{"sku": "A-1"}`, false},
	} {
		if c.schema == nil {
			t.Fatalf("no schema for %s", c.value)
		}
		var v any
		if err := json.Unmarshal([]byte(c.value), &v); err != nil {
			t.Fatal(err)
		}
		err := c.schema.VisitJSON(v, openapi3.EnableJSONSchema2020())
		if (err == nil) != c.ok {
			t.Errorf("%s: valid=%v, want %v (%v)", c.value, err == nil, c.ok, err)
		}
	}
	reserve := doc.Paths.Find("/v1/services/inventory/Reserve").Post
	fault := reserve.Responses.Status(422).Value.Content["application/problem+json"].Schema
	body := `{"type": "x", "title": "t", "status": 422, "fault": {"soap_version": "1.1", "code": "Sender", "raw_code": "{x}Client", "reason": "r", "fault": "OutOfStock", "detail": {"OutOfStockFault": {"sku": "A-1", "available": "ten"}}}}`
	var v any
	json.Unmarshal([]byte(body), &v)
	if err := fault.Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err == nil {
		t.Errorf("a fault detail of the wrong type validates against the 422 schema")
	}
	y, err := d.YAML()
	if err != nil {
		t.Fatal(err)
	}
	ydoc, err := openapi3.NewLoader().LoadFromData(y)
	if err != nil {
		t.Fatalf("the YAML does not load: %v", err)
	}
	a, _ := json.Marshal(doc)
	b, _ := json.Marshal(ydoc)
	if !bytes.Equal(a, b) {
		t.Errorf("the YAML and the JSON documents differ")
	}
}

// TestCorpusDocumentsValidate generates the document of every corpus case
// that compiles and validates it as OpenAPI 3.1 with kin-openapi,
// examples included. Each case is a parallel subtest: they share nothing.
func TestCorpusDocumentsValidate(t *testing.T) {
	dir := testpeer.SharedCorpus(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var total, valid, skipped int
	count := func(n *int) {
		mu.Lock()
		*n++
		mu.Unlock()
	}
	t.Run("cases", func(t *testing.T) {
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name(), "case.txt"))
			if err != nil {
				continue
			}
			if strings.Contains(string(b), "expect: error") {
				skipped++
				continue
			}
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			entry := filepath.Join(dir, e.Name(), strings.TrimSpace(lines[0]))
			name := e.Name()
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				m, err := wsdl.Open(context.Background(), entry, fetch.Options{}, wsdl.Lenient)
				if err != nil {
					count(&skipped)
					return
				}
				count(&total)
				if err := checkCase(m, name); err != nil {
					t.Error(err)
					return
				}
				count(&valid)
			})
		}
	})
	t.Logf("%d/%d corpus documents are valid OpenAPI 3.1 (%d cases do not compile here)", valid, total, skipped)
}

func checkCase(m *wsdl.Model, name string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	d, err := Generate(m, Options{Service: "svc", ServerURL: "https://api.example.com"})
	if err != nil {
		return err
	}
	data, err := d.JSON()
	if err != nil {
		return err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return fmt.Errorf("loading: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return errors.New("not 3.1")
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation(), openapi3.EnableSchemaPatternValidation()); err != nil {
		return trim(err)
	}
	return nil
}

func trim(err error) error {
	s := err.Error()
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return errors.New(s)
}
