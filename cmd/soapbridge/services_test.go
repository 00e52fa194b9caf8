package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServicesCommand registers services with a running gateway from a
// WSDL file (its import found and uploaded with it), a folder whose
// schema sits beside the WSDL's folder, a zip and a URL; lists,
// re-imports and removes them; and says what went wrong when it cannot.
func TestServicesCommand(t *testing.T) {
	data := t.TempDir()
	s := startServe(t, data)
	adminKey, err := os.ReadFile(filepath.Join(data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOAPBRIDGE_ADMIN_KEY", strings.TrimSpace(string(adminKey)))
	t.Setenv("SOAPBRIDGE_SERVER", s.url)
	run := func(want int, args ...string) string {
		t.Helper()
		out, errs, code := runCmd(t, append([]string{"services"}, args...)...)
		if code != want {
			t.Fatalf("services %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out, errs)
		}
		return out + errs
	}

	// A WSDL file: it and the schema it imports are uploaded.
	out := run(0, "add", example, "--name", "inv")
	if !strings.Contains(out, "registered inv: 2 operations, SOAP 1.1 and 1.2") || !strings.Contains(out, "source: upload: inventory.wsdl, inventory.xsd") {
		t.Errorf("add a file:\n%s", out)
	}

	// A folder where the WSDL imports ../xsd/inventory.xsd, and unrelated
	// files that must not be uploaded.
	src, _ := os.ReadFile(example)
	xsd, _ := os.ReadFile(filepath.Join(filepath.Dir(example), "inventory.xsd"))
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "wsdl"), 0o755)
	os.MkdirAll(filepath.Join(dir, "xsd"), 0o755)
	os.WriteFile(filepath.Join(dir, "wsdl", "svc.wsdl"), []byte(strings.Replace(string(src), `schemaLocation="inventory.xsd"`, `schemaLocation="../xsd/inventory.xsd"`, 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "xsd", "inventory.xsd"), xsd, 0o644)
	os.WriteFile(filepath.Join(dir, "wsdl", "notes.txt"), []byte("not uploaded"), 0o644)
	out = run(0, "add", filepath.Join(dir, "wsdl"), "--name", "nested", "--json")
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if files, _ := json.Marshal(sum["files"]); string(files) != `["wsdl/svc.wsdl","xsd/inventory.xsd"]` {
		t.Errorf("uploaded %s", files)
	}

	// A URL.
	files := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(example))))
	defer files.Close()
	out = run(0, "add", files.URL+"/inventory.wsdl", "--name", "byurl")
	if !strings.Contains(out, "source: "+files.URL+"/inventory.wsdl") {
		t.Errorf("add a URL:\n%s", out)
	}

	// A URL with the service's auth, given in a file: stored as the
	// service's (the WSDL server needs none; the auth must still be valid).
	authFile := filepath.Join(t.TempDir(), "auth.json")
	os.WriteFile(authFile, []byte(`{"type": "basic", "username": "u", "password": "p", "endpoint": "`+files.URL+`/soap"}`), 0o600)
	out = run(0, "add", files.URL+"/inventory.wsdl", "--name", "withauth", "--auth", authFile, "--json")
	if !strings.Contains(out, `"type": "basic"`) || !strings.Contains(out, `"password_set": true`) {
		t.Errorf("add with --auth:\n%s", out)
	}
	os.WriteFile(authFile, []byte(`{"type": "basic"}`), 0o600)
	if out = run(1, "add", files.URL+"/inventory.wsdl", "--name", "badauth", "--auth", authFile); !strings.Contains(out, "HTTP 400") {
		t.Errorf("an invalid --auth:\n%s", out)
	}
	run(2, "add", example, "--auth", authFile)

	out = run(0, "list")
	for _, want := range []string{"NAME", "byurl", "inv", "nested", files.URL + "/inventory.wsdl"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	out = run(0, "reimport", "byurl")
	if !strings.Contains(out, "re-imported byurl") {
		t.Errorf("reimport:\n%s", out)
	}
	out = run(0, "reimport", "inv", filepath.Join(dir, "wsdl", "svc.wsdl"))
	if !strings.Contains(out, "upload: wsdl/svc.wsdl, xsd/inventory.xsd") {
		t.Errorf("reimport from a file:\n%s", out)
	}
	if out = run(0, "remove", "nested"); out != "removed nested\n" {
		t.Errorf("remove: %q", out)
	}

	// What cannot be done is said: a WSDL that does not compile (before
	// anything is sent), an unknown service, a wrong key, no key.
	bad := filepath.Join(t.TempDir(), "bad.wsdl")
	os.WriteFile(bad, []byte("<definitions xmlns='http://schemas.xmlsoap.org/wsdl/'>\n<types>\n</definitions>"), 0o644)
	if out = run(1, "add", bad); !strings.Contains(out, "bad.wsdl") || !strings.Contains(out, "line 3") {
		t.Errorf("a WSDL that does not compile:\n%s", out)
	}
	if out = run(1, "remove", "nested"); !strings.Contains(out, "HTTP 404") {
		t.Errorf("an unknown service:\n%s", out)
	}
	if out = run(1, "list", "--admin-key", "sbk_wrong"); !strings.Contains(out, "HTTP 401") {
		t.Errorf("a wrong key:\n%s", out)
	}
	t.Setenv("SOAPBRIDGE_ADMIN_KEY", "")
	if out = run(2, "list"); !strings.Contains(out, "admin API key") {
		t.Errorf("no key:\n%s", out)
	}
}
