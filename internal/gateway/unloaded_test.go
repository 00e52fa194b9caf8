package gateway

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestUnloadableServiceDoesNotStopStart: a stored service whose cached
// model is stale and whose WSDL URL does not answer is left unloaded when
// the gateway starts (it used to refuse to start); the other services
// serve, calls to it get 503 service-unavailable, administrators see why,
// and a re-import brings it back.
func TestUnloadableServiceDoesNotStopStart(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("good", "")
	e.registerInventory("broken", "")
	ctx := context.Background()
	rec, err := e.st.Service(ctx, "broken")
	if err != nil {
		t.Fatal(err)
	}
	// As a service registered by URL whose cache a new version made stale.
	rec.Model, rec.Bundle, rec.Entry = []byte("soapbridge-model/0\n"), nil, ""
	rec.SourceURL = "http://127.0.0.1:1/gone.wsdl"
	if err := e.st.ReplaceSource(ctx, rec); err != nil {
		t.Fatal(err)
	}
	app, err := NewKey(ctx, e.st, KeyRequest{Name: "app", Services: []string{"*"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}

	e.restart()
	if !strings.Contains(e.logs.String(), "service not loaded") {
		t.Errorf("the log does not say the service was not loaded:\n%s", e.logs.String())
	}
	e.do("GET", "/v1/services/good", app.Key, nil).must(t, http.StatusOK)
	call := e.do("POST", "/v1/services/broken/GetItems", app.Key, `{"skuPrefix": "A", "limit": 1}`).must(t, http.StatusServiceUnavailable).json(t)
	if call["type"] != problemBase+"service-unavailable" || strings.Contains(call["detail"].(string), "127.0.0.1:1") {
		t.Errorf("a caller's answer: %v", call)
	}
	admin := e.do("GET", "/v1/admin/services/broken", e.admin, nil).must(t, http.StatusServiceUnavailable).json(t)
	if !strings.Contains(admin["detail"].(string), "127.0.0.1:1") {
		t.Errorf("the administrator is not told why: %v", admin)
	}

	body, ct := upload(t, nil, "examples/inventory/inventory.wsdl", "examples/inventory/inventory.xsd")
	e.do("PUT", "/v1/admin/services/broken", e.admin, body, ct).must(t, http.StatusOK)
	e.do("GET", "/v1/admin/services/broken", e.admin, nil).must(t, http.StatusOK)
	e.do("GET", "/v1/services/broken", app.Key, nil).must(t, http.StatusOK)
}
