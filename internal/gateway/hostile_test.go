package gateway

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestLongNamesBounded: a call naming a service or operation a hundred
// kilobytes long is answered, logged and kept in the call log with the
// name cut, not copied whole into each (a 900 KB path added 2.7 MB to the
// database and 1.8 MB to the log per call).
func TestLongNamesBounded(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("inv", "")
	long := strings.Repeat("n", 100<<10)
	for _, path := range []string{"/v1/services/" + long + "/op", "/v1/services/inv/" + long, "/v1/services/inv/GetItems?port=" + long} {
		res := e.do("POST", path, e.admin, "{}")
		if res.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.status)
		}
		if d := res.json(t)["detail"].(string); len(d) > 1024 || !strings.Contains(d, "nnnn") {
			t.Errorf("a detail of %d bytes: %.200s", len(d), d)
		}
	}
	e.g.calls.flush(context.Background())
	calls, err := e.st.Calls(context.Background(), "", 10)
	if err != nil || len(calls) != 3 {
		t.Fatalf("calls %d, %v", len(calls), err)
	}
	for _, c := range calls {
		if n := len(c.Service) + len(c.Operation) + len(c.Port) + len(c.Error); n > maxLoggedName*3+maxLoggedError {
			t.Errorf("a call log record of %d bytes", n)
		}
	}
	if n := len(e.logs.String()); n > 64<<10 {
		t.Errorf("the log grew by %d bytes", n)
	}
}

// TestAuthRefusesWhatCannotBeSent: an auth configuration is refused when
// a header value or SOAP header block could not go out as given (it used
// to be stored, and every call then failed or sent a malformed
// envelope), or when it has more headers than the bound; the problems
// never quote the secret values.
func TestAuthRefusesWhatCannotBeSent(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("inv", "")
	many := map[string]string{}
	for i := range maxHTTPHeaders + 1 {
		many["X-H"+strconv.Itoa(i)] = "v"
	}
	for _, in := range []map[string]any{
		{"type": "none", "http_headers": map[string]string{"X-Token": "s3cr3t\x01"}},
		{"type": "none", "http_headers": map[string]string{"X-Token": "s3cr3t\x7f"}},
		{"type": "none", "http_headers": map[string]string{"X-Token": "s3cr3t\r\nX-Evil: 1"}},
		{"type": "none", "http_headers": many},
		{"type": "none", "soap_headers": []string{`<?xml version="1.0"?><h:T xmlns:h="urn:h">s3cr3t</h:T>`}},
		{"type": "none", "soap_headers": []string{`<!DOCTYPE h:T><h:T xmlns:h="urn:h">s3cr3t</h:T>`}},
		{"type": "none", "soap_headers": []string{"<h:T xmlns:h=\"urn:h\">s3cr3t\x01</h:T>"}},
		{"type": "none", "soap_headers": []string{`<h:T xmlns:h="urn:h" a="1" a="2">s3cr3t</h:T>`}},
		{"type": "none", "soap_headers": []string{`<h:T xmlns:h="urn:h">s3cr3t</h:T><?xml version="1.0"?>`}},
		{"type": "none", "soap_headers": []string{`<h:T xmlns:h="urn:h">s3cr3t&s3cr3t;</h:T>`}},
		{"type": "none", "soap_headers": make([]string, maxSOAPHeaders+1)},
	} {
		res := e.do("PUT", "/v1/admin/services/inv/auth", e.admin, in)
		if res.status != http.StatusBadRequest || bytes.Contains(res.body, []byte("s3cr3t")) {
			t.Errorf("%.100v: %d %.300s", in, res.status, res.body)
		}
	}
	ok := map[string]any{"type": "none", "http_headers": map[string]string{"X-Token": "a\tb"},
		"soap_headers": []string{`<h:T xmlns:h="urn:h" soapenv:mustUnderstand="1"><!-- c -->s&amp;</h:T>`}}
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, ok).must(t, http.StatusOK)
}
