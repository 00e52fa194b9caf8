package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestOpenAPICommand(t *testing.T) {
	out, errs, code := runCmd(t, "openapi", example, "--offline")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(out))
	if err != nil {
		t.Fatalf("the output does not load: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the output is not valid OpenAPI 3.1: %v", err)
	}
	// The service name defaults to the WSDL's first service; the server
	// to a local gateway.
	if doc.Paths.Find("/v1/services/InventoryService/GetItems") == nil {
		t.Errorf("paths: %v", doc.Paths.InMatchingOrder())
	}
	if doc.Servers[0].URL != "http://localhost:8080" {
		t.Errorf("server %q", doc.Servers[0].URL)
	}

	out, errs, code = runCmd(t, "openapi", example, "--service", "inventory", "--server", "https://api.example.com", "--yaml")
	if code != 0 {
		t.Fatalf("--yaml: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "openapi") || json.Valid([]byte(out)) {
		t.Errorf("--yaml does not print YAML: %.80q", out)
	}
	ydoc, err := openapi3.NewLoader().LoadFromData([]byte(out))
	if err != nil {
		t.Fatalf("the YAML does not load: %v", err)
	}
	if ydoc.Paths.Find("/v1/services/inventory/Reserve") == nil || ydoc.Servers[0].URL != "https://api.example.com" {
		t.Errorf("--service/--server not applied: %v %v", ydoc.Paths.InMatchingOrder(), ydoc.Servers[0].URL)
	}

	for _, args := range [][]string{
		{"openapi"},
		{"openapi", example, "--server", "ftp://x"},
		{"openapi", example, "--service", "a/b"},
	} {
		if _, errs, code := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errs)
		}
	}
}
