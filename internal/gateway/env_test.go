package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// env is a gateway on a real SQLite file in a temp directory, served by
// httptest, with its log and every response body kept for inspection.
type env struct {
	t      *testing.T
	dir    string
	st     *store.Store
	g      *Gateway
	srv    *httptest.Server
	logs   *syncBuffer
	bodies *syncBuffer // every response body, for the secrets check
	admin  string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), logs: &syncBuffer{}, bodies: &syncBuffer{}}
	e.start()
	info, err := NewKey(context.Background(), e.st, KeyRequest{Name: "root", Admin: true}, e.g.cfg.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.admin = info.Key
	t.Cleanup(e.stop)
	return e
}

func (e *env) start() {
	e.t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(e.dir, "soapbridge.db"))
	if err != nil {
		e.t.Fatal(err)
	}
	g, err := New(ctx, Config{
		Store:  st,
		Keys:   secret.Source{File: filepath.Join(e.dir, "master.key")},
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.st, e.g, e.srv = st, g, httptest.NewServer(g.Handler())
}

func (e *env) stop() {
	if e.srv == nil {
		return
	}
	e.srv.Close()
	e.g.Close()
	e.st.Close()
	e.srv = nil
}

// restart stops the gateway and starts a new one on the same data.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

// resp is an answer of the gateway.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body, numbers as json.Number.
func (r *resp) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	d := json.NewDecoder(bytes.NewReader(r.body))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("answer is not a JSON object (HTTP %d): %v\n%s", r.status, err, r.body)
	}
	return v
}

// do sends a request; body is sent as JSON unless it is a []byte, which
// is sent as is with contentType.
func (e *env) do(method, path, key string, body any, contentType ...string) *resp {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	if len(contentType) > 0 {
		ct = contentType[0]
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	e.bodies.Write(data)
	e.bodies.Write([]byte("\n"))
	return &resp{status: res.StatusCode, header: res.Header, body: data}
}

// must checks the status of an answer.
func (r *resp) must(t *testing.T, status int) *resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("HTTP %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// upload is a multipart body of files (name -> path under the repository)
// and fields.
func upload(t testing.TB, fields map[string]string, files ...string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	root := testpeer.RepoRoot(t)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		w, err := mw.CreateFormFile("files", filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// jsonOf parses JSON with numbers as json.Number.
func jsonOf(t testing.TB, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func wantJSON(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if !reflect.DeepEqual(jsonOf(t, string(got)), jsonOf(t, want)) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// registerInventory registers examples/inventory as name, with its
// endpoint set to endpoint, and returns the summary.
func (e *env) registerInventory(name, endpoint string) map[string]any {
	e.t.Helper()
	body, ct := upload(e.t, map[string]string{"name": name}, "examples/inventory/inventory.wsdl", "examples/inventory/inventory.xsd")
	sum := e.do("POST", "/v1/admin/services", e.admin, body, ct).must(e.t, http.StatusCreated).json(e.t)
	if endpoint != "" {
		e.do("PUT", "/v1/admin/services/"+name+"/auth", e.admin, map[string]any{"type": "none", "endpoint": endpoint}).must(e.t, http.StatusOK)
	}
	return sum
}

func jsonEncoder(w io.Writer) *json.Encoder { return json.NewEncoder(w) }

// storeFiles stops the env (closing the database) and returns the content
// of each of its database files by name: soapbridge.db, and its -wal and
// -shm as they are after the close. It fails the test when there is no
// database file.
func (e *env) storeFiles() map[string][]byte {
	e.t.Helper()
	e.stop()
	files, _ := filepath.Glob(filepath.Join(e.dir, "soapbridge.db*"))
	if !slices.Contains(files, filepath.Join(e.dir, "soapbridge.db")) {
		e.t.Fatalf("no database file soapbridge.db in %v", files)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			e.t.Fatal(err)
		}
		out[filepath.Base(f)] = data
	}
	return out
}

// checkSecretsNowhere stops the env (flushing its log and closing the
// database) and checks that none of the secrets appears in plaintext in
// the database files (WAL and SHM included), the log, or any API answer
// the env received. Empty secrets are passed over; a secret may be binary
// (a keytab). Failures name the secret by its index and first bytes.
func checkSecretsNowhere(t *testing.T, e *env, secrets ...string) {
	t.Helper()
	places := e.storeFiles()
	places["log"] = []byte(e.logs.String())
	places["responses"] = []byte(e.bodies.String())
	for where, data := range places {
		for i, s := range secrets {
			if s != "" && bytes.Contains(data, []byte(s)) {
				t.Errorf("secret %d (%.12q...) appears in %s", i, s, where)
			}
		}
	}
}
