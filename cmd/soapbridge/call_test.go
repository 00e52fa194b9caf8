package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

func TestCallAgainstPHP(t *testing.T) {
	php := testpeer.Require(t, testpeer.PHP)
	root := testpeer.RepoRoot(t)
	addr := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	p := testpeer.StartProcess(t, context.Background(), filepath.Join(root, "test", "peers", "php"), php, "-S", addr, "router.php")
	p.WaitHTTP(t, "http://"+addr+"/", 10*time.Second)
	endpoint := "--endpoint=http://" + addr + "/inventory"

	out, errs, code := runCmd(t, "call", example, "Reserve", `{"sku": "A-1", "quantity": 2}`, endpoint, "--soap-version", "1.2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil || res["reservationId"] != "R-A-1-2" {
		t.Errorf("output %q: %v", out, err)
	}

	out, errs, code = runCmd(t, "call", example, "Reserve", `{"sku": "A-1", "quantity": 99}`, endpoint, "--dump")
	if code != 3 {
		t.Fatalf("fault: exit %d, want 3: %s", code, errs)
	}
	if !strings.Contains(out, `"code": "Sender"`) || !strings.Contains(out, `"available": 10`) {
		t.Errorf("fault output %s", out)
	}
	if !strings.Contains(errs, "<soapenv:Envelope") || !strings.Contains(errs, "faultstring") {
		t.Errorf("--dump did not print the exchange: %s", errs)
	}

	out, _, code = runCmd(t, "call", example, "Reserve", `{"sku": "lower", "quantity": 1, "x": 1}`, endpoint)
	if code != 2 || !strings.Contains(out, `"pointer": "/sku"`) || !strings.Contains(out, `"pointer": "/x"`) {
		t.Errorf("validation: exit %d, output %s", code, out)
	}

	_, errs, code = runCmd(t, "call", example, "NoSuchOperation", "{}", endpoint)
	if code != 2 || !strings.Contains(errs, "GetItems") {
		t.Errorf("unknown operation: exit %d, %s", code, errs)
	}

	_, errs, code = runCmd(t, "call", example, "Reserve", `{"sku": "A-1", "quantity": 1}`, "--endpoint=http://"+addr+"/secure/inventory")
	if code != 1 || !strings.Contains(errs, "401") || !strings.Contains(errs, "Basic") {
		t.Errorf("auth: exit %d, %s", code, errs)
	}
	_, errs, code = runCmd(t, "call", example, "Reserve", `{"sku": "A-1", "quantity": 1}`, "--endpoint=http://"+addr+"/secure/inventory", "--basic", "alice:s3cret")
	if code != 0 {
		t.Errorf("with --basic: exit %d, %s", code, errs)
	}
}
