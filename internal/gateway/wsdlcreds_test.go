package gateway

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// basicWSDLServer serves the inventory example's documents behind HTTP
// Basic, counting the documents served and the requests refused.
func basicWSDLServer(t *testing.T, user, password string) (srv *httptest.Server, served, refused *atomic.Int32) {
	root := testpeer.RepoRoot(t)
	served, refused = new(atomic.Int32), new(atomic.Int32)
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != password {
			refused.Add(1)
			w.Header().Set("WWW-Authenticate", `Basic realm="wsdl"`)
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		data, err := os.ReadFile(filepath.Join(root, "examples", "inventory", filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		served.Add(1)
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, served, refused
}

// TestWSDLURLCredentials: a WSDL behind HTTP Basic registers from a
// wsdl_url with user:password@. The credentials reach the WSDL's server
// (its imports too), are stored sealed apart from the URL, are never
// shown, logged or stored in the clear, and serve again for a re-import
// from the stored source, after an auth change, and for the recompile of
// a stale cached model at start; a new wsdl_url replaces them.
func TestWSDLURLCredentials(t *testing.T) {
	const user, password = "wsdl-reader", "s3cr3t-wsdl-pw"
	srv, fetched, refused := basicWSDLServer(t, user, password)
	plain := srv.URL + "/inventory.wsdl"
	withCreds := strings.Replace(plain, "://", "://"+user+":"+password+"@", 1)

	e := newEnv(t)
	sum := e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "inv", "wsdl_url": withCreds}).must(t, http.StatusCreated).json(t)
	if sum["wsdl_url"] != plain || sum["wsdl_credentials"] != true {
		t.Errorf("summary: wsdl_url %v, wsdl_credentials %v", sum["wsdl_url"], sum["wsdl_credentials"])
	}
	if n := fetched.Load(); n != 2 {
		t.Errorf("%d documents fetched with the credentials, want the WSDL and its import", n)
	}
	rec, err := e.st.Service(context.Background(), "inv")
	if err != nil || rec.SourceURL != plain || rec.SourceCredentials == nil {
		t.Fatalf("stored: %+v, %v", rec, err)
	}
	if !strings.Contains(e.logs.String(), "in the clear (http, not https)") {
		t.Error("credentials sent over plain http are not warned about")
	}

	// An auth change keeps them; a re-import from the stored source uses them.
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "basic", "username": "caller", "password": "upstream-pw"}).must(t, http.StatusOK)
	e.do("PUT", "/v1/admin/services/inv", e.admin, nil).must(t, http.StatusOK)
	e.do("GET", "/v1/admin/services/inv", e.admin, nil).must(t, http.StatusOK)

	// A stale cached model is recompiled at start with them.
	rec, _ = e.st.Service(context.Background(), "inv")
	rec.Model = []byte("soapbridge-model/0\n")
	if err := e.st.ReplaceSource(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	before := fetched.Load()
	e.restart()
	e.do("GET", "/v1/admin/services/inv", e.admin, nil).must(t, http.StatusOK)
	if fetched.Load() == before {
		t.Error("the stale model was not recompiled from the URL")
	}

	// A new wsdl_url without credentials replaces the source: refused by
	// the server, it changes nothing.
	p := e.do("PUT", "/v1/admin/services/inv", e.admin, map[string]any{"wsdl_url": plain}).must(t, http.StatusUnprocessableEntity).json(t)
	if d, _ := p["detail"].(string); !strings.Contains(d, "HTTP 401") || !strings.Contains(d, "user:password@") {
		t.Errorf("re-import without credentials: %s", d)
	}
	if refused.Load() == 0 {
		t.Error("the server was never asked without credentials")
	}
	e.do("PUT", "/v1/admin/services/inv", e.admin, nil).must(t, http.StatusOK)

	// A master key rotation re-seals them; the old key can go.
	src := secret.Source{File: filepath.Join(e.dir, "master.key")}
	texts, _ := src.Texts()
	if err := src.Write(append([]string{secret.GenerateKey()}, texts...)); err != nil {
		t.Fatal(err)
	}
	ring, _ := src.Load()
	if n, err := Reseal(context.Background(), e.st, ring); err != nil || n != 2 {
		t.Fatalf("Reseal = %d, %v; want the upstream password and the WSDL URL's credentials", n, err)
	}
	newTexts, _ := src.Texts()
	if err := src.Write(newTexts[:1]); err != nil {
		t.Fatal(err)
	}
	e.restart()
	e.do("PUT", "/v1/admin/services/inv", e.admin, nil).must(t, http.StatusOK)
	checkSecretsNowhere(t, e, password)
}

// TestLegacyWSDLURLCredentials: a service a gateway before sealed source
// credentials stored with user:password@ in its URL has them moved into
// sealed storage at start, and still re-imports.
func TestLegacyWSDLURLCredentials(t *testing.T) {
	const password = "0ld-s3cr3t-in-url"
	srv, _, _ := basicWSDLServer(t, "old", password)
	e := newEnv(t)
	e.registerInventory("legacy", "")
	ctx := context.Background()
	rec, err := e.st.Service(ctx, "legacy")
	if err != nil {
		t.Fatal(err)
	}
	rec.Bundle, rec.Entry = nil, ""
	rec.SourceURL = strings.Replace(srv.URL, "://", "://old:"+password+"@", 1) + "/inventory.wsdl"
	if err := e.st.ReplaceSource(ctx, rec); err != nil {
		t.Fatal(err)
	}
	e.restart()
	rec, err = e.st.Service(ctx, "legacy")
	if err != nil || rec.SourceURL != srv.URL+"/inventory.wsdl" || rec.SourceCredentials == nil {
		t.Fatalf("after the start: %+v, %v", rec, err)
	}
	sum := e.do("PUT", "/v1/admin/services/legacy", e.admin, nil).must(t, http.StatusOK).json(t)
	if sum["wsdl_url"] != srv.URL+"/inventory.wsdl" || sum["wsdl_credentials"] != true {
		t.Errorf("summary: %v %v", sum["wsdl_url"], sum["wsdl_credentials"])
	}
	e.restart()
	if !strings.Contains(e.logs.String(), "now stored sealed") {
		t.Error("the move is not logged")
	}
	checkSecretsNowhere(t, e, password)
}

// TestAuthNotLentToOtherServers: a service's upstream auth set after
// registration goes to the servers its calls go to, never to another
// server its WSDL URL names: a re-import from a server that wants those
// very credentials is refused.
func TestAuthNotLentToOtherServers(t *testing.T) {
	const user, password = "caller", "upstream-only-pw"
	wsdlServer, _, refused := basicWSDLServer(t, user, password)
	e := newEnv(t)
	e.registerInventory("inv", "")
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "basic", "username": user, "password": password,
		"endpoint": "https://soap.example.com/inventory"}).must(t, http.StatusOK)
	p := e.do("PUT", "/v1/admin/services/inv", e.admin, map[string]any{"wsdl_url": wsdlServer.URL + "/inventory.wsdl"}).must(t, http.StatusUnprocessableEntity).json(t)
	if d, _ := p["detail"].(string); !strings.Contains(d, "HTTP 401") || refused.Load() == 0 {
		t.Errorf("the WSDL server got the upstream credentials: %s", d)
	}
	if a := e.do("GET", "/v1/admin/services/inv/auth", e.admin, nil).must(t, http.StatusOK).json(t); a["wsdl_fetched_with_auth"] != nil {
		t.Errorf("auth view: %v", a)
	}
}

// TestAuthNotSentOnRedirect: a WSDL server that redirects to another
// server does not make soapbridge send the service's credentials there.
func TestAuthNotSentOnRedirect(t *testing.T) {
	var sawAuth atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" || r.Header.Get("X-Token") != "" {
			sawAuth.Add(1)
		}
		http.NotFound(w, r)
	}))
	defer other.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "u" || p != "redirect-pw" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirecting.Close()
	e := newEnv(t)
	p := e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "r", "wsdl_url": redirecting.URL + "/inventory.wsdl",
		"auth": map[string]any{"type": "basic", "username": "u", "password": "redirect-pw", "http_headers": map[string]string{"X-Token": "tok-secret"}}}).must(t, http.StatusUnprocessableEntity).json(t)
	if d, _ := p["detail"].(string); !strings.Contains(d, "redirected to "+origin(other.URL)) {
		t.Errorf("detail: %s", d)
	}
	if n := sawAuth.Load(); n != 0 {
		t.Errorf("the other server got the credentials %d times", n)
	}
	checkSecretsNowhere(t, e, "redirect-pw", "tok-secret")
}
