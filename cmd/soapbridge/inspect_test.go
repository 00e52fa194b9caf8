package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/inspect"
)

const example = "../../examples/inventory/inventory.wsdl"

func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestInspectText(t *testing.T) {
	out, errs, code := runCmd(t, "inspect", example)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"service InventoryService",
		"port InventorySoap11  SOAP 1.1  https://inventory.example.com/soap",
		"port InventorySoap12  SOAP 1.2  https://inventory.example.com/soap12",
		"policies: TransportBinding, TransportToken, HttpsToken, IncludeTimestamp, SignedSupportingTokens, UsernameToken",
		`operation GetItems  document/literal  wrapped  soapAction "urn:example:inventory/GetItems"`,
		"header Trace",
		"item  Item  [0..*]",
		"@sku  Sku (string)  required",
		"discontinued  boolean  nillable",
		"fault OutOfStock",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestInspectJSON(t *testing.T) {
	// Flags may follow the WSDL.
	out, errs, code := runCmd(t, "inspect", example, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var d inspect.Description
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(d.Services) != 1 || len(d.Services[0].Ports) != 2 {
		t.Fatalf("services %+v", d.Services)
	}
	p := d.Services[0].Ports[1]
	if p.SOAPVersion != "1.2" || len(p.Operations) != 2 {
		t.Fatalf("port %+v", p)
	}
	op := p.Operations[0]
	if op.Name != "GetItems" || op.Style != "document" || op.Use != "literal" || !op.Input.Wrapped {
		t.Fatalf("operation %+v", op)
	}
	resp := op.Output.Body[0]
	if resp.Name != "GetItemsResponse" || resp.Namespace != "urn:example:inventory" || len(resp.Fields) != 1 {
		t.Fatalf("output body %+v", resp)
	}
	item := resp.Fields[0]
	if item.Min != 0 || item.Max != -1 || !item.Complex || item.Type != "{urn:example:inventory}Item" {
		t.Fatalf("item field %+v", item)
	}
	td := d.Types[item.Type]
	if td == nil || len(td.Fields) != 6 || td.Fields[0].Kind != "attribute" || td.Fields[0].Patterns[0] != "[A-Z]-[0-9]+" {
		t.Fatalf("Item type %+v", td)
	}
	// The JSON form is stable: the same input gives the same bytes.
	again, _, _ := runCmd(t, "inspect", "--json", example)
	if again != out {
		t.Error("two runs printed different JSON")
	}
}

func TestInspectErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.wsdl")
	os.WriteFile(bad, []byte("<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'>\n<types>\n</definitions>"), 0o644)
	_, errs, code := runCmd(t, "inspect", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errs, "bad.wsdl") || !strings.Contains(errs, "line 3") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("want a one-paragraph error naming bad.wsdl line 3, got %q", errs)
	}
	if _, _, code := runCmd(t, "inspect"); code != 2 {
		t.Errorf("no argument: exit %d, want 2", code)
	}
	if _, _, code := runCmd(t, "inspect", filepath.Join(dir, "missing.wsdl")); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
	if _, _, code := runCmd(t, "nosuchcommand"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
	// A server that wants credentials: the error says which schemes it
	// offers and what to do.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", "NTLM")
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	_, errs, code = runCmd(t, "inspect", srv.URL+"/svc?wsdl")
	if code != 1 || !strings.Contains(errs, "HTTP 401 Unauthorized: the server asks for credentials (it offers NTLM)") || !strings.Contains(errs, "download the WSDL and the documents it imports") {
		t.Errorf("401: exit %d, %q", code, errs)
	}
}
