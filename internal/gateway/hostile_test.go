package gateway

import (
	"context"
	"net/http"
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
