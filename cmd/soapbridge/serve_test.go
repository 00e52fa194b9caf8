package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// server is soapbridge serve running in this process.
type server struct {
	url    string
	data   string
	cancel context.CancelFunc
	done   chan int
	mu     sync.Mutex
	log    bytes.Buffer
}

func (s *server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.Write(p)
}

func (s *server) logs() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// startServe runs soapbridge serve on a free port with its data in data.
func startServe(t *testing.T, data string, args ...string) *server {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{url: "http://" + addr, data: data, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve", "--addr", addr, "--data", data}, args...), io.Discard, s)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			break
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited %d:\n%s", code, s.logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", s.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *server) stop(t *testing.T) {
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited %d:\n%s", code, s.logs())
		}
	case <-time.After(20 * time.Second):
		t.Error("serve did not stop")
	}
}

func request(t *testing.T, method, url, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-API-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	data, _ := io.ReadAll(res.Body)
	if len(data) > 0 {
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s %s: not JSON: %s", method, url, data)
		}
	}
	return res.StatusCode, v
}

func TestServeKeysAndRotateKey(t *testing.T) {
	t.Setenv("SOAPBRIDGE_MASTER_KEY", "")
	php := testpeer.PHPServer(t)
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)

	// A fresh gateway is not open: its first admin key is in a 0600 file,
	// not in the log.
	fi, err := os.Stat(filepath.Join(data, "admin.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin.key: %v %v", err, fi)
	}
	adminKey, _ := os.ReadFile(filepath.Join(data, "admin.key"))
	admin := strings.TrimSpace(string(adminKey))
	if strings.Contains(s.logs(), admin) {
		t.Fatal("the admin key is in the log")
	}
	if code, _ := request(t, "GET", s.url+"/v1/admin/services", "", ""); code != 401 {
		t.Fatalf("no key: %d", code)
	}
	for _, p := range []string{"master.key", "soapbridge.db"} {
		if fi, err := os.Stat(filepath.Join(data, p)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v mode %v", p, err, fi.Mode().Perm())
		}
	}

	// Register by URL: the WSDL served over HTTP (the example's XSD next
	// to it).
	files := http.FileServer(http.Dir(filepath.Join(testpeer.RepoRoot(t), "examples", "inventory")))
	fsrv := &http.Server{Handler: files}
	fAddr := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	go func() {
		ln, err := netListen(fAddr)
		if err == nil {
			fsrv.Serve(ln)
		}
	}()
	defer fsrv.Close()
	testpeer.WaitHTTP(t, "http://"+fAddr+"/inventory.wsdl", 5*time.Second)
	if code, v := request(t, "POST", s.url+"/v1/admin/services", admin, `{"name": "inventory", "wsdl_url": "http://`+fAddr+`/inventory.wsdl"}`); code != 201 {
		t.Fatalf("register: %d %v", code, v)
	}
	if code, v := request(t, "PUT", s.url+"/v1/admin/services/inventory/auth", admin,
		`{"type": "basic", "username": "alice", "password": "s3cret", "endpoint": "`+php+`/secure/inventory"}`); code != 200 {
		t.Fatalf("auth: %d %v", code, v)
	}

	// keys create from the command line while the gateway runs.
	out, errs, code := runCmd(t, "keys", "create", "--data", data, "--name", "app", "--service", "inventory", "--expires", "30d")
	if code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, errs)
	}
	app := strings.TrimSpace(out)
	if !strings.HasPrefix(app, "sbk_") || !strings.Contains(errs, "shown only this once") {
		t.Fatalf("keys create printed %q / %q", out, errs)
	}
	reserve := func() int {
		code, v := request(t, "POST", s.url+"/v1/services/inventory/Reserve", app, `{"sku": "A-1", "quantity": 3}`)
		if code == 200 && v["reservationId"] != "R-A-1-3" {
			t.Errorf("Reserve answered %v", v)
		}
		return code
	}
	if c := reserve(); c != 200 {
		t.Fatalf("call with the new key: %d", c)
	}
	out, _, _ = runCmd(t, "keys", "list", "--data", data)
	if !strings.Contains(out, "app") || !strings.Contains(out, "services: inventory") || strings.Contains(out, app) {
		t.Errorf("keys list:\n%s", out)
	}

	// rotate-key while serving: calls keep working, the old key is gone.
	oldKey, _ := os.ReadFile(filepath.Join(data, "master.key"))
	out, errs, code = runCmd(t, "rotate-key", "--data", data)
	if code != 0 || !strings.Contains(out, "1 values re-encrypted") {
		t.Fatalf("rotate-key: exit %d: %s %s", code, out, errs)
	}
	newKey, _ := os.ReadFile(filepath.Join(data, "master.key"))
	if bytes.Equal(oldKey, newKey) || bytes.Contains(newKey, bytes.TrimSpace(oldKey)) {
		t.Fatal("the key file still holds the old key")
	}
	if c := reserve(); c != 200 {
		t.Fatalf("call after rotation: %d", c)
	}

	// diagnose reads the service from the store and checks its endpoint.
	out, errs, code = runCmd(t, "diagnose", "inventory", "--data", data)
	if code != 1 || !strings.Contains(out, "auth          the endpoint asks for Basic and accepted the Basic credentials of alice") ||
		!strings.Contains(out, "soap_version  the endpoint answers SOAP 1.1") ||
		!strings.Contains(out, "the policy asks for a WS-Security UsernameToken, but the configured auth is basic") {
		t.Errorf("diagnose: exit %d\n%s%s", code, out, errs)
	}
	out, _, _ = runCmd(t, "diagnose", "inventory", "--data", data, "--json", "--port", "InventorySoap12")
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep["port"] != "InventorySoap12" || len(rep["findings"].([]any)) < 6 {
		t.Errorf("diagnose --json: %v\n%s", err, out)
	}

	// keys revoke, from another process, takes effect within a second
	// (the gateway trusts a key it read for one second).
	if _, errs, code := runCmd(t, "keys", "revoke", "--data", data, "app"); code != 0 {
		t.Fatalf("keys revoke: %s", errs)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		c := reserve()
		if c == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("revoked key still accepted: %d", c)
		}
	}

	// A restart with the rotated key still opens the credentials.
	s.stop(t)
	s = startServe(t, data, "--log-format", "json")
	if code, v := request(t, "POST", s.url+"/v1/services/inventory/Reserve", admin, `{"sku": "A-1", "quantity": 1}`); code != 200 {
		t.Fatalf("after restart: %d %v", code, v)
	}
	if !strings.Contains(s.logs(), `"msg":"call"`) || strings.Contains(s.logs(), "s3cret") {
		t.Errorf("json log:\n%s", s.logs())
	}
}

func TestServeRefusesReadableKeyFile(t *testing.T) {
	t.Setenv("SOAPBRIDGE_MASTER_KEY", "")
	data := t.TempDir()
	os.WriteFile(filepath.Join(data, "master.key"), []byte("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o644)
	_, errs, code := runCmd(t, "serve", "--addr", "127.0.0.1:0", "--data", data)
	if code != 1 || !strings.Contains(errs, "chmod 600") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

func TestServeSettingsFromEnvironment(t *testing.T) {
	t.Setenv("SOAPBRIDGE_MASTER_KEY", "not base64")
	t.Setenv("SOAPBRIDGE_LOG_FORMAT", "yaml")
	_, errs, code := runCmd(t, "serve", "--data", t.TempDir())
	if code != 2 || !strings.Contains(errs, "yaml") {
		t.Fatalf("SOAPBRIDGE_LOG_FORMAT: exit %d: %s", code, errs)
	}
	t.Setenv("SOAPBRIDGE_LOG_FORMAT", "")
	_, errs, code = runCmd(t, "serve", "--data", t.TempDir(), "--log-format", "text", "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "SOAPBRIDGE_MASTER_KEY") {
		t.Fatalf("bad SOAPBRIDGE_MASTER_KEY: exit %d: %s", code, errs)
	}
}

func netListen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }

// TestServePublicURL checks that --public-url is the server URL of the
// OpenAPI documents, whatever X-Forwarded-Host says, and that a URL that
// is not absolute http(s) is a usage error.
func TestServePublicURL(t *testing.T) {
	t.Setenv("SOAPBRIDGE_MASTER_KEY", "")
	for _, bad := range []string{"api.example.com", "ftp://api.example.com", "https://", "https://u:p@api.example.com"} {
		if _, errs, code := runCmd(t, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--public-url", bad); code != 2 || !strings.Contains(errs, "--public-url") {
			t.Errorf("--public-url %q: exit %d: %s", bad, code, errs)
		}
	}
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data, "--public-url", "https://api.example.com/soap/")
	adminKey, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(adminKey))
	files := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(testpeer.RepoRoot(t), "examples", "inventory"))))
	defer files.Close()
	if code, body := request(t, "POST", s.url+"/v1/admin/services", admin, `{"name": "inventory", "wsdl_url": "`+files.URL+`/inventory.wsdl"}`); code != http.StatusCreated {
		t.Fatalf("registering: %d %v", code, body)
	}
	req, _ := http.NewRequest("GET", s.url+"/v1/services/inventory/openapi.json", nil)
	req.Header.Set("X-API-Key", admin)
	req.Header.Set("X-Forwarded-Host", "evil.example.com")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("openapi.json: HTTP %d: %v", res.StatusCode, err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "https://api.example.com/soap" {
		t.Errorf("servers %+v, want https://api.example.com/soap", doc.Servers)
	}
}
