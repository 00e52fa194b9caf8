package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// contract checks real exchanges with the gateway against the service's
// OpenAPI document, as the gateway serves it.
type contract struct {
	e   *env
	doc *openapi3.T
}

func (e *env) contract(t *testing.T, service, key string) *contract {
	t.Helper()
	r := e.do("GET", "/v1/services/"+service+"/openapi.json", key, nil).must(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("openapi.json Content-Type %q", ct)
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.body)
	if err != nil {
		t.Fatalf("loading the served document: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the served document is not valid OpenAPI 3.1: %v", err)
	}
	if got := doc.Servers[0].URL; got != e.srv.URL {
		t.Errorf("server URL %q, want %q (from the request)", got, e.srv.URL)
	}
	return &contract{e: e, doc: doc}
}

// call sends a request and validates it and the answer against the
// document. requestValid says whether the request itself should fit the
// document (a test of a client error sends one that does not); the
// answer must always fit.
func (c *contract) call(t *testing.T, path, key, body, contentType string, requestValid bool, status int) []byte {
	t.Helper()
	u, err := url.Parse(c.e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	newReq := func() *http.Request {
		req, err := http.NewRequest("POST", u.String(), strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if key != "" {
			req.Header.Set("X-API-Key", key)
		}
		return req
	}
	res, err := c.e.srv.Client().Do(newReq())
	if err != nil {
		t.Fatal(err)
	}
	answer, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != status {
		t.Fatalf("POST %s: HTTP %d, want %d: %s", path, res.StatusCode, status, answer)
	}
	item := c.doc.Paths.Find(u.Path)
	if item == nil || item.Post == nil {
		t.Fatalf("the document has no POST %s", u.Path)
	}
	route := &routers.Route{Spec: c.doc, Server: c.doc.Servers[0], Path: u.Path, PathItem: item, Method: "POST", Operation: item.Post}
	opts := &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			if in.SecurityScheme.Type == "apiKey" && in.RequestValidationInput.Request.Header.Get(in.SecurityScheme.Name) != "" {
				return nil
			}
			return errors.New("no API key")
		},
	}
	in := &openapi3filter.RequestValidationInput{Request: newReq(), Route: route, Options: opts}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	if requestValid && err != nil {
		t.Errorf("POST %s %s: the request does not fit the document: %v", path, body, err)
	} else if !requestValid && err == nil {
		t.Errorf("POST %s %s: the document accepts a request the gateway refuses (HTTP %d)", path, body, status)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts}
	out.SetBodyBytes(answer)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("POST %s %s: the answer (HTTP %d) does not fit the document: %v\n%s", path, body, res.StatusCode, err, answer)
	}
	return answer
}

func TestOpenAPIMatchesTheGateway(t *testing.T) {
	php := testpeer.PHPServer(t)
	e := newEnv(t)
	e.registerInventory("inventory", php+"/inventory")
	files := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(testpeer.RepoRoot(t), "test", "peers", "php"))))
	defer files.Close()
	e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "rpc", "wsdl_url": files.URL + "/rpc.wsdl"}).must(t, http.StatusCreated)
	e.do("PUT", "/v1/admin/services/rpc/auth", e.admin, map[string]any{"type": "none", "endpoint": php + "/rpc"}).must(t, http.StatusOK)
	app, err := NewKey(context.Background(), e.st, KeyRequest{Name: "app", Services: []string{"inventory", "rpc"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewKey(context.Background(), e.st, KeyRequest{Name: "other", Services: []string{"elsewhere"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const js = "application/json"

	t.Run("inventory: success, validation, faults, client errors", func(t *testing.T) {
		c := e.contract(t, "inventory", app.Key)
		for _, port := range []string{"", "?port=InventorySoap11", "?port=InventorySoap12"} {
			c.call(t, "/v1/services/inventory/GetItems"+port, app.Key, `{"limit": 3, "skuPrefix": "A-"}`, js, true, 200)
			c.call(t, "/v1/services/inventory/Reserve"+port, app.Key, `{"sku": "A-7", "quantity": 2}`, js, true, 200)
			c.call(t, "/v1/services/inventory/Reserve"+port, app.Key, `{"sku": "A-1", "quantity": 30}`, js, true, 422)
			c.call(t, "/v1/services/inventory/Reserve"+port, app.Key, `{"sku": "X-0", "quantity": 1}`, js, true, 502)
		}
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "B-", "limit": 0}`, js, true, 200)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "A-", "warehouse": "north", "$headers": {"Trace": {"requestId": "r-1"}}}`, js, true, 200)
		c.call(t, "/v1/services/inventory/Reserve", app.Key, `{"sku": "A-7", "quantity": "2"}`, js, true, 200)
		// What the gateway refuses, the document refuses too; the problem
		// answers fit it.
		c.call(t, "/v1/services/inventory/Reserve", app.Key, `{"sku": 5, "quantity": "many", "colour": "red"}`, js, false, 400)
		c.call(t, "/v1/services/inventory/Reserve", app.Key, `{"sku": "bad sku", "quantity": 1}`, js, false, 400)
		// Unknown members, at the top, in the headers and in a header.
		c.call(t, "/v1/services/inventory/Reserve", app.Key, `{"sku": "A-7", "quantity": 2, "colour": "red"}`, js, false, 400)
		c.call(t, "/v1/services/inventory/Reserve", app.Key, `{"sku": "A-7", "quantity": "-5"}`, js, false, 400)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "A-", "$headers": {"Trace": {"requestId": "r-1"}, "Span": {}}}`, js, false, 400)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "A-", "$headers": {"Trace": {"requestId": "r-1", "span": "s"}}}`, js, false, 400)
		c.call(t, "/v1/services/inventory/Reserve", app.Key, `{"quantity": 0}`, js, false, 400)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "A-", "warehouse": "west"}`, js, false, 400)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": `, js, false, 400)
		c.call(t, "/v1/services/inventory/GetItems", "", `{"skuPrefix": "A-"}`, js, false, 401)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `<x/>`, "text/xml", false, 415)
		c.call(t, "/v1/services/inventory/GetItems", other.Key, `{"skuPrefix": "A-"}`, js, true, 403)
		c.call(t, "/v1/services/inventory/GetItems?port=Nope", app.Key, `{"skuPrefix": "A-"}`, js, false, 404)
		c.call(t, "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "`+strings.Repeat("x", 11<<20)+`"}`, js, true, 413)
	})

	t.Run("rpc/encoded: SOAP arrays, nil, big decimals", func(t *testing.T) {
		c := e.contract(t, "rpc", app.Key)
		c.call(t, "/v1/services/rpc/sum", app.Key, `{"numbers": [1, 2, 39]}`, js, true, 200)
		c.call(t, "/v1/services/rpc/echoStrings", app.Key, `{"strings": ["a", "b & c"]}`, js, true, 200)
		body := c.call(t, "/v1/services/rpc/describe", app.Key, `{"person": {"name": "bob", "age": 41}}`, js, true, 200)
		if !bytes.Contains(body, []byte(`"nickname":null`)) {
			t.Errorf("describe: %s", body)
		}
		c.call(t, "/v1/services/rpc/sum", app.Key, `{"numbers": ["x"]}`, js, false, 400)
		c.call(t, "/v1/services/rpc/describe", app.Key, `{"person": {"name": "bob", "age": 41, "email": "b@example.com"}}`, js, false, 400)
		c.call(t, "/v1/services/rpc/sum", app.Key, `{"numbers": [1], "$headers": {}}`, js, true, 200)
		c.call(t, "/v1/services/rpc/sum", app.Key, `{"numbers": [1], "count": 1}`, js, false, 400)
	})

	t.Run("documents, docs page, access and caching", func(t *testing.T) {
		y := e.do("GET", "/v1/services/inventory/openapi.yaml", app.Key, nil).must(t, http.StatusOK)
		if ct := y.header.Get("Content-Type"); ct != "application/yaml" {
			t.Errorf("openapi.yaml Content-Type %q", ct)
		}
		ydoc, err := openapi3.NewLoader().LoadFromData(y.body)
		if err != nil {
			t.Fatalf("the YAML does not load: %v", err)
		}
		if ydoc.Paths.Find("/v1/services/inventory/GetItems") == nil {
			t.Errorf("YAML paths: %v", ydoc.Paths.InMatchingOrder())
		}
		h := e.do("GET", "/v1/services/inventory/docs", app.Key, nil).must(t, http.StatusOK)
		page := string(h.body)
		for _, want := range []string{"<!DOCTYPE html>", "GetItems", "Reserve", "/v1/services/inventory/GetItems", "skuPrefix", "Returns the items whose SKU starts with a prefix."} {
			if !strings.Contains(page, want) {
				t.Errorf("docs page lacks %q", want)
			}
		}
		for _, bad := range []string{"<script", "<link", "src=\"http", "cdn"} {
			if strings.Contains(page, bad) {
				t.Errorf("docs page has %q: it must work offline", bad)
			}
		}
		e.do("GET", "/v1/services/inventory/openapi.json", other.Key, nil).must(t, http.StatusForbidden)
		e.do("GET", "/v1/services/nope/openapi.json", other.Key, nil).must(t, http.StatusForbidden)
		e.do("GET", "/v1/services/nope/docs", e.admin, nil).must(t, http.StatusNotFound)
		e.do("GET", "/v1/services/inventory/openapi.json", "", nil).must(t, http.StatusUnauthorized)

		req, _ := http.NewRequest("GET", e.srv.URL+"/v1/services/inventory/openapi.json", nil)
		req.Header.Set("X-API-Key", app.Key)
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-Host", "api.example.com")
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !bytes.Contains(data, []byte(`"url": "https://api.example.com"`)) {
			t.Errorf("behind a proxy, the server URL is not the forwarded one: %.300s", data)
		}

		before := e.g.service("rpc")
		e.do("GET", "/v1/services/rpc/openapi.json", app.Key, nil).must(t, http.StatusOK)
		e.do("PUT", "/v1/admin/services/rpc", e.admin, nil).must(t, http.StatusOK)
		e.do("GET", "/v1/services/rpc/openapi.json", app.Key, nil).must(t, http.StatusOK)
		e.g.openapi.mu.Lock()
		cached := e.g.openapi.entries["rpc"].svc
		e.g.openapi.mu.Unlock()
		if cached == before || cached != e.g.service("rpc") {
			t.Errorf("the cached document was not regenerated after a re-import")
		}
	})
}
