package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// clientTSConfig compiles the program next to the generated types with
// the peer's compiler settings (strict); tsc then type-checks client.ts
// against schema.d.ts and emits client.js only when there is no error.
const clientTSConfig = `{
  "extends": "../../tsconfig.json",
  "compilerOptions": { "outDir": "js", "rootDir": "." },
  "files": ["client.ts", "schema.d.ts"]
}
`

// TestGeneratedClient generates a TypeScript client from the inventory
// document the gateway serves (openapi-typescript types, openapi-fetch
// calls), type-checks test/peers/openapi-client/client.ts against it with
// tsc and runs it with node against the live gateway and PHP's SoapServer.
// client.ts's @ts-expect-error lines make tsc fail unless the generated
// types require skuPrefix and restrict warehouse to its enumeration; the
// values it prints prove the calls, the nil as null and the typed 422
// fault detail work through the generated client.
func TestGeneratedClient(t *testing.T) {
	node := testpeer.Require(t, testpeer.OpenAPIClient)
	php := testpeer.PHPServer(t)
	e := newEnv(t)
	e.registerInventory("inventory", php+"/inventory")
	app, err := NewKey(context.Background(), e.st, KeyRequest{Name: "client", Services: []string{"inventory"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	doc := e.do("GET", "/v1/services/inventory/openapi.json", app.Key, nil).must(t, http.StatusOK).body

	peer := testpeer.OpenAPIClientDir(t)
	// The generated client lives under the peer's out/ (ignored by git) so
	// that tsc and node find the peer's node_modules.
	if err := os.MkdirAll(filepath.Join(peer, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(filepath.Join(peer, "out"), "client-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	program, err := os.ReadFile(filepath.Join(peer, "client.ts"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"openapi.json": doc, "client.ts": program, "tsconfig.json": []byte(clientTSConfig)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(peer, "node_modules", ".bin")
	run := func(what string, env []string, args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s%s", what, err, stdout.Bytes(), stderr.Bytes())
		}
		return stdout.Bytes()
	}
	run("openapi-typescript", nil, filepath.Join(bin, "openapi-typescript"), "openapi.json", "--output", "schema.d.ts")
	types, err := os.ReadFile(filepath.Join(dir, "schema.d.ts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"/v1/services/inventory/GetItems"`, `"/v1/services/inventory/Reserve"`, `Item: {`} {
		if !bytes.Contains(types, []byte(want)) {
			t.Errorf("schema.d.ts lacks %s", want)
		}
	}
	run("tsc (a type error in client.ts against the generated types)", nil, filepath.Join(bin, "tsc"), "-p", "tsconfig.json")
	out := run("node client.js", []string{"SOAPBRIDGE_URL=" + e.srv.URL, "SOAPBRIDGE_KEY=" + app.Key}, filepath.Join("js", "client.js"))

	var got struct {
		Skus         []string `json:"skus"`
		Tags         int      `json:"tags"`
		Discontinued []*bool  `json:"discontinued"`
		Reservation  string   `json:"reservation"`
		Status       int      `json:"status"`
		Fault        string   `json:"fault"`
		Available    *int     `json:"available"`
	}
	line := strings.TrimSpace(string(out))
	d := json.NewDecoder(strings.NewReader(line))
	d.DisallowUnknownFields()
	if err := d.Decode(&got); err != nil {
		t.Fatalf("client.js printed %q: %v", line, err)
	}
	// PHP's Inventory service (test/peers/php/router.php): item i has SKU
	// prefix+i, i-1 tags (none, red, red and big), discontinued
	// i%2==0 except item 2, which is nil.
	f := false
	if want := []string{"A-1", "A-2", "A-3"}; !reflect.DeepEqual(got.Skus, want) {
		t.Errorf("skus %v, want %v", got.Skus, want)
	}
	if got.Tags != 3 {
		t.Errorf("tags %d, want 3", got.Tags)
	}
	if want := []*bool{&f, nil, &f}; !reflect.DeepEqual(got.Discontinued, want) {
		t.Errorf("discontinued %s, want [false, null, false]", line)
	}
	if got.Reservation != "R-A-7-2" {
		t.Errorf("reservation %q, want R-A-7-2", got.Reservation)
	}
	if got.Status != http.StatusUnprocessableEntity || got.Fault != "OutOfStock" || got.Available == nil || *got.Available != 10 {
		t.Errorf("refused reservation: %s, want status 422, fault OutOfStock, available 10", line)
	}
}
