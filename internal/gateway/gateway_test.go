package gateway

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"software.sslmate.com/src/go-pkcs12"
)

const items3 = `{"item": [
	{"sku": "A-1", "id": 1, "name": "Item number 1 & co", "price": 1.99, "tags": [], "discontinued": false},
	{"sku": "A-2", "id": 2, "name": "Item number 2 & co", "price": 2.99, "tags": ["red"], "discontinued": null},
	{"sku": "A-3", "id": 3, "name": "Item number 3 & co", "price": 3.99, "tags": ["red", "big"], "discontinued": false}]}`

func TestCallsAgainstPHP(t *testing.T) {
	php := testpeer.PHPServer(t)
	e := newEnv(t)
	sum := e.registerInventory("inventory", php+"/inventory")
	if got := fmt.Sprint(sum["soap_versions"]); got != "[1.1 1.2]" {
		t.Errorf("soap_versions = %s", got)
	}
	if got := fmt.Sprint(sum["expected_auth"]); got != "[https wsse]" {
		t.Errorf("expected_auth = %s (from the WSDL's policies)", got)
	}
	app, err := NewKey(context.Background(), e.st, KeyRequest{Name: "app", Services: []string{"inventory", "rpc"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("document/literal over both SOAP versions", func(t *testing.T) {
		for _, port := range []string{"", "?port=InventorySoap11", "?port=InventorySoap12"} {
			r := e.do("POST", "/v1/services/inventory/GetItems"+port, app.Key, `{"limit": 3, "skuPrefix": "A-"}`).must(t, http.StatusOK)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			wantJSON(t, "GetItems"+port, r.body, items3)
		}
		r := e.do("POST", "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "B-", "limit": 0}`).must(t, http.StatusOK)
		wantJSON(t, "no items", r.body, `{"item": []}`)
		r = e.do("POST", "/v1/services/inventory/Reserve?port=InventorySoap12", app.Key, `{"sku": "A-7", "quantity": 2}`).must(t, http.StatusOK)
		wantJSON(t, "Reserve", r.body, `{"reservationId": "R-A-7-2", "expires": "2026-12-01T10:00:00Z"}`)
	})

	t.Run("faults", func(t *testing.T) {
		for _, port := range []string{"InventorySoap11", "InventorySoap12"} {
			p := e.do("POST", "/v1/services/inventory/Reserve?port="+port, app.Key, `{"sku": "A-1", "quantity": 30}`).must(t, http.StatusUnprocessableEntity)
			if ct := p.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			f := p.json(t)["fault"].(map[string]any)
			if f["code"] != "Sender" || f["reason"] != "not enough stock for A-1" || f["fault"] != "OutOfStock" {
				t.Errorf("%s client fault: %s", port, p.body)
			}
			d, _ := jsonMarshal(f["detail"])
			wantJSON(t, port+" fault detail", d, `{"OutOfStockFault": {"sku": "A-1", "available": 10}}`)
			p = e.do("POST", "/v1/services/inventory/Reserve?port="+port, app.Key, `{"sku": "X-0", "quantity": 1}`).must(t, http.StatusBadGateway)
			if f := p.json(t)["fault"].(map[string]any); f["code"] != "Receiver" || f["reason"] != "the warehouse is offline" {
				t.Errorf("%s server fault: %s", port, p.body)
			}
		}
	})

	t.Run("validation lists every problem", func(t *testing.T) {
		p := e.do("POST", "/v1/services/inventory/Reserve", app.Key, `{"sku": 5, "quantity": "many", "colour": "red"}`).must(t, http.StatusBadRequest).json(t)
		errs, _ := p["errors"].([]any)
		var ptrs []string
		for _, x := range errs {
			ptrs = append(ptrs, x.(map[string]any)["pointer"].(string))
		}
		if got := strings.Join(ptrs, " "); !strings.Contains(got, "/sku") || !strings.Contains(got, "/quantity") || !strings.Contains(got, "/colour") {
			t.Errorf("pointers %q in %v", got, p)
		}
	})

	t.Run("rpc/encoded registered by URL", func(t *testing.T) {
		files := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(testpeer.RepoRoot(t), "test", "peers", "php"))))
		defer files.Close()
		e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "rpc", "wsdl_url": files.URL + "/rpc.wsdl"}).must(t, http.StatusCreated)
		e.do("PUT", "/v1/admin/services/rpc/auth", e.admin, map[string]any{"type": "none", "endpoint": php + "/rpc"}).must(t, http.StatusOK)
		r := e.do("POST", "/v1/services/rpc/sum", app.Key, `{"numbers": [1, 2, 39]}`).must(t, http.StatusOK)
		wantJSON(t, "sum", r.body, `{"total": 42}`)
		r = e.do("POST", "/v1/services/rpc/describe", app.Key, `{"person": {"name": "bob", "age": 41}}`).must(t, http.StatusOK)
		if !bytes.Contains(r.body, []byte(`"balance":12345678901234567890.12`)) || !bytes.Contains(r.body, []byte(`"nickname":null`)) {
			t.Errorf("describe: %s", r.body)
		}
		// Re-import from the stored URL keeps the auth.
		e.do("PUT", "/v1/admin/services/rpc", e.admin, nil).must(t, http.StatusOK)
		e.do("POST", "/v1/services/rpc/sum", app.Key, `{"numbers": [2]}`).must(t, http.StatusOK)
	})

	t.Run("client errors", func(t *testing.T) {
		other, _ := NewKey(context.Background(), e.st, KeyRequest{Name: "other", Services: []string{"elsewhere"}}, time.Now())
		for _, c := range []struct {
			name, path, key, body, ct string
			status                    int
		}{
			{"no key", "/v1/services/inventory/GetItems", "", `{}`, "application/json", 401},
			{"unknown key", "/v1/services/inventory/GetItems", "sbk_aaaaaaaaaa_" + strings.Repeat("A", 43), `{}`, "application/json", 401},
			{"not a key", "/v1/services/inventory/GetItems", "hunter2", `{}`, "application/json", 401},
			{"no scope", "/v1/services/inventory/GetItems", other.Key, `{}`, "application/json", 403},
			{"no scope, unknown service", "/v1/services/nope/GetItems", other.Key, `{}`, "application/json", 403},
			{"unknown service", "/v1/services/nope/GetItems", e.admin, `{}`, "application/json", 404},
			{"unknown operation", "/v1/services/inventory/Nope", app.Key, `{}`, "application/json", 404},
			{"unknown port", "/v1/services/inventory/GetItems?port=Nope", app.Key, `{}`, "application/json", 404},
			{"not JSON", "/v1/services/inventory/GetItems", app.Key, `<x/>`, "text/xml", 415},
			{"malformed JSON", "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": `, "application/json", 400},
			{"too large", "/v1/services/inventory/GetItems", app.Key, `{"skuPrefix": "` + strings.Repeat("x", 11<<20) + `"}`, "application/json", 413},
			{"data key on admin API", "/v1/admin/services", app.Key, ``, "", 403},
		} {
			method := "POST"
			if c.name == "data key on admin API" {
				method = "GET"
			}
			r := e.do(method, c.path, c.key, []byte(c.body), c.ct)
			if r.status != c.status || r.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: HTTP %d %s, want %d problem+json: %s", c.name, r.status, r.header.Get("Content-Type"), c.status, r.body)
				continue
			}
			p := r.json(t)
			if p["status"] != jsonOf(t, fmt.Sprint(c.status)) || p["type"] == "" || p["title"] == "" || p["detail"] == "" {
				t.Errorf("%s: problem %s", c.name, r.body)
			}
			if c.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without WWW-Authenticate", c.name)
			}
		}
		p := e.do("POST", "/v1/services/inventory/Nope", app.Key, `{}`).json(t)
		if fmt.Sprint(p["operations"]) != "[GetItems Reserve]" {
			t.Errorf("unknown operation lists %v", p["operations"])
		}
	})

	t.Run("listing what a key may call", func(t *testing.T) {
		list := e.do("GET", "/v1/services", app.Key, nil).must(t, http.StatusOK).json(t)["services"].([]any)
		if len(list) != 2 {
			t.Fatalf("app sees %d services", len(list))
		}
		if _, ok := list[0].(map[string]any)["auth"]; ok {
			t.Error("the data API shows the auth configuration")
		}
		e.do("GET", "/v1/services/inventory", app.Key, nil).must(t, http.StatusOK)
		d := e.do("GET", "/v1/admin/services/inventory/describe", e.admin, nil).must(t, http.StatusOK).json(t)
		if ports := d["services"].([]any)[0].(map[string]any)["ports"].([]any); len(ports) != 2 {
			t.Errorf("describe: %d ports", len(ports))
		}
		e.do("GET", "/v1/admin/services/inventory/describe", app.Key, nil).must(t, http.StatusForbidden)
	})

	t.Run("call log", func(t *testing.T) {
		calls := e.do("GET", "/v1/admin/services/inventory/calls?limit=500", e.admin, nil).must(t, http.StatusOK).json(t)["calls"].([]any)
		if len(calls) < 10 {
			t.Fatalf("%d calls logged", len(calls))
		}
		seen := map[string]bool{}
		for _, c := range calls {
			c := c.(map[string]any)
			seen[fmt.Sprint(c["outcome"], "/", c["status"])] = true
			if c["key"] != "app" && c["key"] != "root" && c["key"] != "other" {
				t.Errorf("call by %v", c["key"])
			}
		}
		for _, want := range []string{"ok/200", "fault/422", "fault/502", "invalid/400"} {
			if !seen[want] {
				t.Errorf("no %s call in the log: %v", want, seen)
			}
		}
		if !strings.Contains(e.logs.String(), "msg=call service=inventory operation=GetItems port=InventorySoap11 status=200") {
			t.Errorf("no call line in the log:\n%s", e.logs.String())
		}
	})
}

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	err := jsonEncoder(&b).Encode(v)
	return b.Bytes(), err
}

func TestBasicAuthAndSecretsAtRest(t *testing.T) {
	php := testpeer.PHPServer(t)
	e := newEnv(t)
	e.registerInventory("secure", php+"/secure/inventory")
	const password = "s3cret"
	const headerValue = "tok-9f8e7d6c5b4a-UNIQUE"
	const soapToken = "soaptok-1a2b3c4d-UNIQUE"
	call := func() *resp {
		return e.do("POST", "/v1/services/secure/Reserve", e.admin, `{"sku": "A-1", "quantity": 1}`)
	}

	// No credentials: the upstream's 401 and what it offers.
	p := call().must(t, http.StatusBadGateway).json(t)
	d := p["diagnosis"].(map[string]any)
	if d["kind"] != "auth" || fmt.Sprint(d["offered_auth"]) != "[Basic]" || fmt.Sprint(d["upstream_status"]) != "401" {
		t.Errorf("diagnosis without credentials: %v", d)
	}

	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "basic", "username": "alice", "password": "wrong", "endpoint": php + "/secure/inventory",
	}).must(t, http.StatusOK)
	if d := call().must(t, http.StatusBadGateway).json(t)["diagnosis"].(map[string]any); !strings.Contains(fmt.Sprint(d["summary"]), "Basic credentials were refused") {
		t.Errorf("wrong password: %v", d)
	}

	view := e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "basic", "username": "alice", "password": password, "endpoint": php + "/secure/inventory",
		"http_headers": map[string]any{"X-Trace-Token": headerValue}, "timeout_seconds": 20,
	}).must(t, http.StatusOK).json(t)
	if view["password_set"] != true || fmt.Sprint(view["http_headers_set"]) != "[X-Trace-Token]" || view["timeout_seconds"] != jsonOf(t, "20") {
		t.Errorf("auth view %v", view)
	}
	wantJSON(t, "with credentials", call().must(t, http.StatusOK).body, `{"reservationId": "R-A-1-1", "expires": "2026-12-01T10:00:00Z"}`)

	// Write-only: leaving the password and header value out keeps them.
	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "basic", "username": "alice", "endpoint": php + "/secure/inventory", "http_headers": map[string]any{"X-Trace-Token": nil},
	}).must(t, http.StatusOK)
	call().must(t, http.StatusOK)

	// Invalid configurations are refused with every problem listed.
	bad := e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "wsse", "password_type": "md5", "endpoint": "ftp://x", "http_headers": map[string]any{"Content-Type": "x", "Bad Name": "y"},
		"soap_headers": []string{"<notqualified/>", "<a:b xmlns:a='urn:a'>"}, "timeout_seconds": 9999,
	}).must(t, http.StatusBadRequest).json(t)
	if n := len(bad["errors"].([]any)); n < 8 {
		t.Errorf("%d problems listed: %v", n, bad["errors"])
	}
	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, `{"type": "basic", "usename": "typo"}`).must(t, http.StatusBadRequest)

	// Try it: the exchange comes back with the secrets redacted.
	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "basic", "username": "alice", "endpoint": php + "/secure/inventory",
		"http_headers": map[string]any{"X-Trace-Token": nil}, "soap_headers": []string{`<t:Token xmlns:t="urn:t">` + soapToken + `</t:Token>`},
	}).must(t, http.StatusOK)
	tr := e.do("POST", "/v1/admin/services/secure/try/Reserve", e.admin, `{"sku": "A-1", "quantity": 1}`).must(t, http.StatusOK).json(t)
	if tr["status"] != jsonOf(t, "200") || fmt.Sprint(tr["upstream_status"]) != "200" || tr["port"] != "InventorySoap11" {
		t.Errorf("try: %v", tr)
	}
	if req := fmt.Sprint(tr["soap_request"]); !strings.Contains(req, "<soapenv:Envelope") || !strings.Contains(req, "***") || strings.Contains(req, soapToken) {
		t.Errorf("try request dump: %s", req)
	}
	if !strings.Contains(fmt.Sprint(tr["soap_response"]), "R-A-1-1") {
		t.Errorf("try response dump: %v", tr["soap_response"])
	}
	// SOAP header blocks and the CA bundle are kept when left out, and
	// removed by [] and "".
	keep := map[string]any{"type": "basic", "username": "alice", "endpoint": php + "/secure/inventory", "http_headers": map[string]any{"X-Trace-Token": nil}}
	if v := e.do("PUT", "/v1/admin/services/secure/auth", e.admin, keep).must(t, http.StatusOK).json(t); v["soap_headers_set"] != jsonOf(t, "1") {
		t.Errorf("soap headers not kept: %v", v)
	}
	keep["ca_bundle"] = testpeer.NewCA(t, "x").PEM()
	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, keep).must(t, http.StatusOK)
	delete(keep, "ca_bundle")
	if v := e.do("PUT", "/v1/admin/services/secure/auth", e.admin, keep).must(t, http.StatusOK).json(t); v["ca_bundle_set"] != true {
		t.Errorf("CA bundle not kept: %v", v)
	}
	keep["ca_bundle"] = ""
	if v := e.do("PUT", "/v1/admin/services/secure/auth", e.admin, keep).must(t, http.StatusOK).json(t); v["ca_bundle_set"] != false || v["soap_headers_set"] != jsonOf(t, "1") {
		t.Errorf("CA bundle not removed: %v", v)
	}
	keep["soap_headers"] = []string{}
	if v := e.do("PUT", "/v1/admin/services/secure/auth", e.admin, keep).must(t, http.StatusOK).json(t); v["soap_headers_set"] != jsonOf(t, "0") {
		t.Errorf("soap headers not removed: %v", v)
	}
	tr = e.do("POST", "/v1/admin/services/secure/try/Reserve", e.admin, `{"sku": "A-1", "quantity": 99}`).must(t, http.StatusOK).json(t)
	if tr["status"] != jsonOf(t, "422") || tr["body"].(map[string]any)["fault"] == nil {
		t.Errorf("try with a fault: %v", tr)
	}

	// The configuration survives a restart; the password works from the
	// sealed copy.
	e.restart()
	call().must(t, http.StatusOK)
	for _, path := range []string{"/v1/admin/services/secure", "/v1/admin/services/secure/auth", "/v1/admin/services", "/v1/services"} {
		e.do("GET", path, e.admin, nil).must(t, http.StatusOK)
	}

	// The plaintext secrets are nowhere: database files (WAL too), logs,
	// API answers.
	checkSecretsNowhere(t, e, password, headerValue, soapToken)
	if !strings.Contains(e.bodies.String(), "R-A-1-1") {
		t.Error("the responses check saw no successful call")
	}
}

func TestWSSecurityAgainstNodeSOAP(t *testing.T) {
	const user, password = "alice", `pä<ss&"word`
	base := testpeer.WSSServer(t, user, password, "--require-timestamp")
	e := newEnv(t)
	e.registerInventory("inv", "")
	setAuth := func(pw, typ string) {
		t.Helper()
		e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{
			"type": "wsse", "username": user, "password": pw, "password_type": typ, "endpoint": base + "/soap",
		}).must(t, http.StatusOK)
	}
	reserve := func() *resp {
		return e.do("POST", "/v1/services/inv/Reserve?port=InventorySoap11", e.admin, `{"sku": "A-1", "quantity": 1}`)
	}
	for _, typ := range []string{"text", "digest"} {
		setAuth(password, typ)
		r := reserve().must(t, http.StatusOK).json(t)
		if r["reservationId"] != user+"/"+typ+"/A-1" {
			t.Errorf("%s: %v", typ, r)
		}
		// A digest token is fresh per call: the peer refuses a replayed nonce.
		reserve().must(t, http.StatusOK)
	}
	setAuth("wrong", "digest")
	p := reserve().must(t, http.StatusBadGateway).json(t)
	d, _ := p["diagnosis"].(map[string]any)
	if d == nil || d["kind"] != "auth" || !strings.Contains(fmt.Sprint(d["summary"]), "WS-Security") {
		t.Errorf("wrong password: %s", mustJSON(p))
	}
	if f, _ := p["fault"].(map[string]any); f == nil || !strings.Contains(fmt.Sprint(f["raw_code"]), "FailedAuthentication") {
		t.Errorf("wrong password fault: %v", p["fault"])
	}
	// No WS-Security at all.
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": base + "/soap"}).must(t, http.StatusOK)
	reserve().must(t, http.StatusBadGateway)
}

func mustJSON(v any) string {
	b, _ := jsonMarshal(v)
	return string(b)
}

func TestUpstreamDiagnosis(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("inv", "")
	soap11 := `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>`
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-time.After(3 * time.Second):
			case <-r.Context().Done():
			}
		case "/v11":
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(500)
			w.Write([]byte(soap11))
		case "/415":
			w.WriteHeader(http.StatusUnsupportedMediaType)
		case "/html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(503)
			w.Write([]byte("<html><body>maintenance</body></html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer up.Close()
	okEnvelope := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetItemsResponse xmlns="urn:example:inventory"><item sku="Z-1"><id>1</id><name>z</name><price>1.5</price></item></GetItemsResponse></s:Body></s:Envelope>`
	tlsUp := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if r.Header.Get("Accept-Encoding") == "gzip" {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			zw.Write([]byte(okEnvelope))
			zw.Close()
			return
		}
		w.Write([]byte(okEnvelope))
	}))
	defer tlsUp.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for _, c := range []struct {
		endpoint, port string
		timeout        int
		status         int
		kind           string
	}{
		{closed, "InventorySoap11", 0, 502, "unreachable"},
		{"http://no-such-host.invalid", "InventorySoap11", 0, 502, "dns"},
		{up.URL + "/slow", "InventorySoap11", 1, 504, "timeout"},
		{up.URL + "/v11", "InventorySoap12", 0, 502, "soap_version"},
		{up.URL + "/415", "InventorySoap11", 0, 502, "http"},
		{up.URL + "/html", "InventorySoap11", 0, 502, "http"},
		{up.URL + "/missing", "InventorySoap11", 0, 502, "http"},
		{strings.Replace(up.URL, "http:", "https:", 1), "InventorySoap11", 0, 502, "tls"},
		{tlsUp.URL, "InventorySoap11", 0, 502, "tls"},
	} {
		auth := map[string]any{"type": "none", "endpoint": c.endpoint}
		if c.timeout > 0 {
			auth["timeout_seconds"] = c.timeout
		}
		e.do("PUT", "/v1/admin/services/inv/auth", e.admin, auth).must(t, http.StatusOK)
		r := e.do("POST", "/v1/services/inv/GetItems?port="+c.port, e.admin, `{"skuPrefix": "A"}`)
		if r.status != c.status {
			t.Errorf("%s: HTTP %d, want %d: %s", c.endpoint, r.status, c.status, r.body)
			continue
		}
		d, _ := r.json(t)["diagnosis"].(map[string]any)
		if d == nil || d["kind"] != c.kind || d["summary"] == "" || d["fix"] == nil {
			t.Errorf("%s: diagnosis %v, want kind %s with a fix", c.endpoint, d, c.kind)
		}
	}

	// The service's own CA bundle makes the TLS upstream trusted; its
	// answer comes gzipped.
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsUp.Certificate().Raw})
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": tlsUp.URL, "ca_bundle": string(caPEM)}).must(t, http.StatusOK)
	r := e.do("POST", "/v1/services/inv/GetItems", e.admin, `{"skuPrefix": "Z"}`).must(t, http.StatusOK)
	wantJSON(t, "over TLS with the service's CA", r.body, `{"item": [{"sku": "Z-1", "id": 1, "name": "z", "price": 1.5, "tags": []}]}`)
	if v := e.do("GET", "/v1/admin/services/inv/auth", e.admin, nil).json(t); v["ca_bundle_set"] != true {
		t.Errorf("auth view: %v", v)
	}
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "ca_bundle": "not pem"}).must(t, http.StatusBadRequest)
}

func TestResponseLimit(t *testing.T) {
	big := strings.Repeat("<item sku='Z-1'><id>1</id><name>z</name><price>1</price></item>", 2000)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetItemsResponse xmlns="urn:example:inventory">%s</GetItemsResponse></s:Body></s:Envelope>`, big)
	}))
	defer up.Close()
	e := &env{t: t, dir: t.TempDir(), logs: &syncBuffer{}, bodies: &syncBuffer{}}
	e.start()
	t.Cleanup(e.stop)
	e.g.cfg.MaxResponse = 64 << 10
	info, _ := NewKey(context.Background(), e.st, KeyRequest{Name: "root", Admin: true}, time.Now())
	e.admin = info.Key
	e.registerInventory("inv", up.URL)
	p := e.do("POST", "/v1/services/inv/GetItems", e.admin, `{"skuPrefix": "Z"}`).must(t, http.StatusBadGateway).json(t)
	if d := p["diagnosis"].(map[string]any); d["kind"] != "too_large" {
		t.Errorf("diagnosis %v", d)
	}
}

func TestRegistration(t *testing.T) {
	e := newEnv(t)
	root := testpeer.RepoRoot(t)
	// A zip bundle, name from the WSDL's service.
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, f := range []string{"inventory.wsdl", "inventory.xsd"} {
		data, _ := os.ReadFile(filepath.Join(root, "examples", "inventory", f))
		w, _ := zw.Create("bundle/" + f)
		w.Write(data)
	}
	zw.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "inv.zip"), zbuf.Bytes(), 0o600)
	rel, _ := filepath.Rel(root, filepath.Join(dir, "inv.zip"))
	body, ct := upload(t, nil, rel)
	sum := e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusCreated).json(t)
	if sum["name"] != "InventoryService" || len(sum["operations"].([]any)) != 2 {
		t.Errorf("zip registration: %v", sum)
	}
	e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusConflict)

	// A WSDL whose import is missing: 422 naming the files.
	body, ct = upload(t, map[string]string{"name": "broken"}, "examples/inventory/inventory.wsdl")
	p := e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusUnprocessableEntity).json(t)
	if d := fmt.Sprint(p["detail"]); !strings.Contains(d, "inventory.xsd") || !strings.Contains(d, "inventory.wsdl:") {
		t.Errorf("missing import: %s", d)
	}
	// Malformed XML: file and line.
	bad := filepath.Join(dir, "bad.wsdl")
	os.WriteFile(bad, []byte("<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'>\n<message name='a'>\n</definitions>"), 0o600)
	rel, _ = filepath.Rel(root, bad)
	body, ct = upload(t, map[string]string{"name": "bad"}, rel)
	p = e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusUnprocessableEntity).json(t)
	if d := fmt.Sprint(p["detail"]); !strings.Contains(d, "bad.wsdl") || !strings.Contains(d, "line 3") {
		t.Errorf("malformed WSDL: %s", d)
	}
	// An entity bomb is refused, not expanded.
	bomb := filepath.Join(dir, "bomb.wsdl")
	os.WriteFile(bomb, []byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><definitions xmlns="http://schemas.xmlsoap.org/wsdl/">&b;</definitions>`), 0o600)
	rel, _ = filepath.Rel(root, bomb)
	body, ct = upload(t, map[string]string{"name": "bomb"}, rel)
	e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusUnprocessableEntity)
	// A WSDL URL that wants credentials: which schemes, and what to do.
	locked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="sap"`)
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer locked.Close()
	p = e.do("POST", "/v1/admin/services", e.admin, map[string]any{"wsdl_url": locked.URL + "/svc?wsdl"}).must(t, http.StatusUnprocessableEntity).json(t)
	if d := fmt.Sprint(p["detail"]); !strings.Contains(d, "HTTP 401 Unauthorized: the server asks for credentials (it offers Basic)") || !strings.Contains(d, "upload them") {
		t.Errorf("a WSDL URL answering 401: %s", d)
	}

	for _, c := range []struct {
		body   any
		status int
	}{
		{map[string]any{"name": "x", "wsdl_url": "file:///etc/passwd"}, 400},
		{map[string]any{"name": "x"}, 400},
		{map[string]any{"name": "../x", "wsdl_url": "http://127.0.0.1:1/x.wsdl"}, 400},
		{map[string]any{"name": "x", "wsdl_url": "http://127.0.0.1:1/x.wsdl"}, 422},
		{map[string]any{"name": "x", "wsdl": "typo"}, 400},
	} {
		e.do("POST", "/v1/admin/services", e.admin, c.body).must(t, c.status)
	}

	// Re-import by upload, then delete.
	body, ct = upload(t, nil, "examples/inventory/inventory.wsdl", "examples/inventory/inventory.xsd")
	e.do("PUT", "/v1/admin/services/InventoryService", e.admin, body, ct).must(t, http.StatusOK)
	e.do("DELETE", "/v1/admin/services/InventoryService", e.admin, nil).must(t, http.StatusNoContent)
	e.do("GET", "/v1/admin/services/InventoryService", e.admin, nil).must(t, http.StatusNotFound)
	e.do("DELETE", "/v1/admin/services/InventoryService", e.admin, nil).must(t, http.StatusNotFound)
	e.restart()
	if list := e.do("GET", "/v1/admin/services", e.admin, nil).must(t, http.StatusOK).json(t)["services"].([]any); len(list) != 0 {
		t.Errorf("deleted service is back: %v", list)
	}
}

func TestKeysAPI(t *testing.T) {
	e := newEnv(t)
	created := e.do("POST", "/v1/admin/keys", e.admin, map[string]any{"name": "ci", "services": []string{"*"}, "expires_in": "30d"}).must(t, http.StatusCreated).json(t)
	key, _ := created["key"].(string)
	if !strings.HasPrefix(key, "sbk_") || created["state"] != "active" || created["expires_at"] == nil {
		t.Fatalf("created %v", created)
	}
	e.do("GET", "/v1/services", key, nil).must(t, http.StatusOK)
	e.do("POST", "/v1/admin/keys", e.admin, map[string]any{"name": "ci", "services": []string{"*"}}).must(t, http.StatusConflict)
	e.do("POST", "/v1/admin/keys", e.admin, map[string]any{"name": "noscope"}).must(t, http.StatusBadRequest)
	e.do("POST", "/v1/admin/keys", e.admin, map[string]any{"name": "x", "admin": true, "expires_in": "soon"}).must(t, http.StatusBadRequest)
	list := e.do("GET", "/v1/admin/keys", e.admin, nil).must(t, http.StatusOK)
	if bytes.Contains(list.body, []byte(key)) || bytes.Contains(list.body, []byte(`"key"`)) {
		t.Errorf("the key list shows a key: %s", list.body)
	}
	e.do("DELETE", "/v1/admin/keys/ci", e.admin, nil).must(t, http.StatusNoContent)
	e.do("GET", "/v1/services", key, nil).must(t, http.StatusUnauthorized)
	e.do("DELETE", "/v1/admin/keys/ci", e.admin, nil).must(t, http.StatusNotFound)

	// An expired key is refused.
	short, err := NewKey(context.Background(), e.st, KeyRequest{Name: "short", Services: []string{"*"}, ExpiresIn: "1h"}, time.Now().Add(-2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/v1/services", short.Key, nil).must(t, http.StatusUnauthorized)
	// Only hashes are stored (the key itself was in the answer that
	// created it).
	for name, data := range e.storeFiles() {
		if bytes.Contains(data, []byte(key[15:])) {
			t.Errorf("%s holds a key's secret", name)
		}
	}
}

func TestRotationWhileServing(t *testing.T) {
	php := testpeer.PHPServer(t)
	e := newEnv(t)
	e.registerInventory("secure", php+"/secure/inventory")
	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "basic", "username": "alice", "password": "s3cret", "endpoint": php + "/secure/inventory",
	}).must(t, http.StatusOK)
	call := func() {
		e.do("POST", "/v1/services/secure/Reserve", e.admin, `{"sku": "A-1", "quantity": 1}`).must(t, http.StatusOK)
	}
	call()

	// Rotate as soapbridge rotate-key does, with the gateway running.
	src := secret.Source{File: filepath.Join(e.dir, "master.key")}
	texts, _ := src.Texts()
	oldRing, _ := src.Load()
	if err := src.Write(append([]string{secret.GenerateKey()}, texts...)); err != nil {
		t.Fatal(err)
	}
	ring, _ := src.Load()
	if n, err := Reseal(context.Background(), e.st, ring); err != nil || n != 1 {
		t.Fatalf("Reseal = %d, %v", n, err)
	}
	call()
	// The running gateway seals new values under the new key.
	e.do("PUT", "/v1/admin/services/secure/auth", e.admin, map[string]any{
		"type": "basic", "username": "alice", "endpoint": php + "/secure/inventory",
	}).must(t, http.StatusOK)
	if err := src.Write(nil); err == nil {
		t.Fatal("wrote an empty key file")
	}
	newTexts, _ := src.Texts()
	if err := src.Write(newTexts[:1]); err != nil { // drop the old key
		t.Fatal(err)
	}
	ids, _ := e.st.KeyIDsInUse(context.Background())
	if len(ids) != 1 || ids[0] != ring.Current().ID || ids[0] == oldRing.Current().ID {
		t.Fatalf("key ids in use %v, want only %s", ids, ring.Current().ID)
	}
	call()
	e.restart() // with only the new key
	call()
}

func TestDiagnose(t *testing.T) {
	php := testpeer.PHPServer(t)
	e := newEnv(t)
	e.registerInventory("inv", php+"/secure/inventory")
	rep := e.do("POST", "/v1/admin/services/inv/diagnose", e.admin, nil).must(t, http.StatusOK).json(t)
	if rep["port"] != "InventorySoap11" || rep["auth"] != "none" || rep["soap_version"] != "1.1" {
		t.Errorf("report head: %v", rep)
	}
	got := map[string]string{}
	for _, f := range rep["findings"].([]any) {
		f := f.(map[string]any)
		got[f["check"].(string)+"/"+f["severity"].(string)] = f["summary"].(string)
	}
	for _, want := range []string{"dns/ok", "tcp/ok", "tls/info", "auth/error", "policy/error", "clock/ok"} {
		if _, ok := got[want]; !ok {
			t.Errorf("no %s finding in %v", want, got)
		}
	}
	if !strings.Contains(got["auth/error"], "asks for Basic, but the configured auth is none") {
		t.Errorf("auth finding: %s", got["auth/error"])
	}
	if !strings.Contains(got["soap_version/skipped"], "no HTTP authentication is configured") {
		t.Errorf("soap_version without auth: %v", got)
	}
	e.do("POST", "/v1/admin/services/inv/diagnose?port=Nope", e.admin, nil).must(t, http.StatusNotFound)
	e.do("POST", "/v1/admin/services/nope/diagnose", e.admin, nil).must(t, http.StatusNotFound)

	// With the service's Basic credentials the SOAP version is probed; a
	// wrong password is an auth error, and no version verdict.
	setBasic := func(pw string) map[string]string {
		t.Helper()
		e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "basic", "username": "alice", "password": pw, "endpoint": php + "/secure/inventory"}).must(t, http.StatusOK)
		return findings(t, e.do("POST", "/v1/admin/services/inv/diagnose", e.admin, nil).must(t, http.StatusOK).json(t))
	}
	got = setBasic("s3cret")
	if !strings.Contains(got["auth/ok"], "asks for Basic and accepted the Basic credentials of alice") ||
		!strings.Contains(got["soap_version/ok"], "the endpoint answers SOAP 1.1") {
		t.Errorf("diagnose with basic: %v", got)
	}
	got = setBasic("Wr0ng-s3cret")
	if !strings.Contains(got["auth/error"], "refused the Basic credentials of alice") ||
		!strings.Contains(got["soap_version/skipped"], "refuses the Basic credentials of alice") {
		t.Errorf("diagnose with a wrong password: %v", got)
	}
	e.stop()
	checkSecretsNowhere(t, e, "Wr0ng-s3cret")
}

func TestClientCertificates(t *testing.T) {
	serverCA, clientCA := testpeer.NewCA(t, "server CA"), testpeer.NewCA(t, "client CA")
	now := time.Now()
	answer := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ReserveResponse xmlns="urn:example:inventory"><reservationId>R-%s</reservationId><expires>2026-12-01T10:00:00Z</expires></ReserveResponse></s:Body></s:Envelope>`
	up := testpeer.TLSServer(t, serverCA.Issue("upstream", []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(30*24*time.Hour), false), clientCA.Pool,
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, answer, r.TLS.PeerCertificates[0].Subject.CommonName)
		}))
	e := newEnv(t)
	e.registerInventory("inv", "")
	reserve := func() *resp {
		return e.do("POST", "/v1/services/inv/Reserve", e.admin, `{"sku": "A-1", "quantity": 1}`)
	}

	// No client certificate: the diagnosis says the upstream refused the
	// handshake.
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up, "ca_bundle": serverCA.PEM()}).must(t, http.StatusOK)
	if d := reserve().must(t, http.StatusBadGateway).json(t)["diagnosis"].(map[string]any); d["kind"] != "tls" {
		t.Errorf("without a client certificate: %v", d)
	}

	// PEM certificate and key.
	certPEM, keyPEM := testpeer.CertPEM(clientCA.Issue("app-pem", nil, now.Add(-time.Hour), now.Add(time.Hour), true))
	view := e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up, "ca_bundle": serverCA.PEM(),
		"client_certificate": map[string]any{"cert_pem": certPEM, "key_pem": keyPEM}}).must(t, http.StatusOK)
	if cc, _ := view.json(t)["client_certificate"].(map[string]any); cc == nil || cc["subject"] != "CN=app-pem" {
		t.Errorf("auth view: %s", view.body)
	}
	if r := reserve().must(t, http.StatusOK).json(t); r["reservationId"] != "R-app-pem" {
		t.Errorf("with a PEM client certificate: %v", r)
	}
	// Left out, the certificate is kept.
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up, "ca_bundle": serverCA.PEM(), "timeout_seconds": 30}).must(t, http.StatusOK)
	reserve().must(t, http.StatusOK)

	// PKCS#12 with a password.
	p12cert := clientCA.Issue("app-p12", nil, now.Add(-time.Hour), now.Add(time.Hour), true)
	p12, err := pkcs12.Modern.Encode(p12cert.PrivateKey, p12cert.Leaf, nil, "p12-pass")
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(p12)
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up, "ca_bundle": serverCA.PEM(),
		"client_certificate": map[string]any{"pkcs12": b64, "password": "wrong"}}).must(t, http.StatusBadRequest)
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up, "ca_bundle": serverCA.PEM(),
		"client_certificate": map[string]any{"pkcs12": b64, "password": "p12-pass"}}).must(t, http.StatusOK)
	e.restart()
	if r := reserve().must(t, http.StatusOK).json(t); r["reservationId"] != "R-app-p12" {
		t.Errorf("with a PKCS#12 client certificate after a restart: %v", r)
	}
	// A key that does not match the certificate is refused.
	_, otherKey := testpeer.CertPEM(clientCA.Issue("x", nil, now, now.Add(time.Hour), true))
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none",
		"client_certificate": map[string]any{"cert_pem": certPEM, "key_pem": otherKey}}).must(t, http.StatusBadRequest)
	// null removes it.
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up, "ca_bundle": serverCA.PEM(), "client_certificate": nil}).must(t, http.StatusOK)
	reserve().must(t, http.StatusBadGateway)

	// The private keys never reach the store, the log or an answer in
	// plaintext.
	keyBody := strings.Split(strings.TrimSpace(keyPEM), "\n")[1]
	checkSecretsNowhere(t, e, keyBody, "p12-pass")
}

func TestClockSkew(t *testing.T) {
	const user, password = "alice", "pw-skew"
	for _, offset := range []int{600, -600} {
		t.Run(fmt.Sprint(offset), func(t *testing.T) {
			base := testpeer.WSSServer(t, user, password, "--require-timestamp", fmt.Sprintf("--clock-offset=%d", offset))
			e := newEnv(t)
			e.registerInventory("inv", "")
			auth := map[string]any{"type": "wsse", "username": user, "password": password, "password_type": "digest", "endpoint": base + "/soap"}
			reserve := func() *resp {
				return e.do("POST", "/v1/services/inv/Reserve?port=InventorySoap11", e.admin, `{"sku": "A-1", "quantity": 1}`)
			}
			// Without compensation the upstream refuses the timestamps, and
			// the diagnosis reports the skew.
			auth["compensate_clock_skew"] = false
			e.do("PUT", "/v1/admin/services/inv/auth", e.admin, auth).must(t, http.StatusOK)
			p := reserve().must(t, http.StatusBadGateway).json(t)
			d := p["diagnosis"].(map[string]any)
			t.Logf("%s", mustJSON(p))
			n, _ := d["clock_skew_seconds"].(json.Number)
			skew, _ := n.Float64()
			if d["kind"] != "auth" || skew < float64(offset)-5 || skew > float64(offset)+5 {
				t.Errorf("uncompensated: %s", mustJSON(p))
			}
			// With compensation (the default), the first call already
			// succeeds: it is resent once with shifted timestamps.
			delete(auth, "compensate_clock_skew")
			e.do("PUT", "/v1/admin/services/inv/auth", e.admin, auth).must(t, http.StatusOK)
			for range 3 {
				if r := reserve().must(t, http.StatusOK).json(t); r["reservationId"] != user+"/digest/A-1" {
					t.Errorf("compensated: %v", r)
				}
			}
			sum := e.do("GET", "/v1/admin/services/inv", e.admin, nil).must(t, http.StatusOK).json(t)
			n, _ = sum["clock_skew_seconds"].(json.Number)
			if s, _ := n.Float64(); s < float64(offset)-5 || s > float64(offset)+5 {
				t.Errorf("summary clock_skew_seconds %v", sum["clock_skew_seconds"])
			}
			if !strings.Contains(e.logs.String(), "upstream clock skew") {
				t.Error("no log line about the skew")
			}
		})
	}
}

func TestWSAddressing(t *testing.T) {
	root := testpeer.RepoRoot(t)
	wsdlText, _ := os.ReadFile(filepath.Join(root, "examples/inventory/inventory.wsdl"))
	xsdText, _ := os.ReadFile(filepath.Join(root, "examples/inventory/inventory.xsd"))
	// The SOAP 1.2 binding asks for WS-Addressing.
	withWSA := strings.Replace(string(wsdlText), `<wsdl:binding name="InventorySoap12" type="tns:InventoryPort">`,
		`<wsdl:binding name="InventorySoap12" type="tns:InventoryPort"><wsaw:UsingAddressing xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl" wsdl:required="true"/>`, 1)
	if withWSA == string(wsdlText) {
		t.Fatal("binding not found in the example")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "inventory.wsdl"), []byte(withWSA), 0o600)
	os.WriteFile(filepath.Join(dir, "inventory.xsd"), xsdText, 0o600)
	relW, _ := filepath.Rel(root, filepath.Join(dir, "inventory.wsdl"))
	relX, _ := filepath.Rel(root, filepath.Join(dir, "inventory.xsd"))

	type headers struct {
		Action, MessageID, To string
		ReplyTo               struct{ Address string }
	}
	got := make(chan headers, 4)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct {
			Header headers `xml:"Header"`
		}
		body, _ := io.ReadAll(r.Body)
		xml.Unmarshal(body, &env)
		got <- env.Header
		ns, ct := "http://schemas.xmlsoap.org/soap/envelope/", "text/xml"
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/soap+xml") {
			ns, ct = "http://www.w3.org/2003/05/soap-envelope", "application/soap+xml"
		}
		w.Header().Set("Content-Type", ct)
		fmt.Fprintf(w, `<s:Envelope xmlns:s="%s"><s:Body><ReserveResponse xmlns="urn:example:inventory"><reservationId>R</reservationId><expires>2026-12-01T10:00:00Z</expires></ReserveResponse></s:Body></s:Envelope>`, ns)
	}))
	defer up.Close()

	e := newEnv(t)
	body, ct := upload(t, map[string]string{"name": "inv"}, relW, relX)
	e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusCreated)
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up.URL}).must(t, http.StatusOK)

	e.do("POST", "/v1/services/inv/Reserve?port=InventorySoap12", e.admin, `{"sku": "A-1", "quantity": 1}`).must(t, http.StatusOK)
	h := <-got
	if h.Action != "urn:example:inventory/Reserve" || h.To != up.URL || !strings.HasPrefix(h.MessageID, "urn:uuid:") ||
		h.ReplyTo.Address != "http://www.w3.org/2005/08/addressing/anonymous" {
		t.Errorf("WS-Addressing headers: %+v", h)
	}
	e.do("POST", "/v1/services/inv/Reserve?port=InventorySoap11", e.admin, `{"sku": "A-1", "quantity": 1}`).must(t, http.StatusOK)
	if h := <-got; h.Action != "" || h.MessageID != "" {
		t.Errorf("a port without addressing got %+v", h)
	}
}
