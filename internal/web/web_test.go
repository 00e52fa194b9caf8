package web

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI stands in for the gateway: "sbk_admin" is an admin key,
// "sbk_user" a key without admin scope, "sbk_revoked" was admin until
// revoked, anything else is unknown. It records what it was sent.
type fakeAPI struct {
	mu      sync.Mutex
	revoked bool
	last    *http.Request
	body    string
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.last, f.body = r, string(b)
	revoked := f.revoked
	f.mu.Unlock()
	key := r.Header.Get("X-API-Key")
	switch {
	case key == "sbk_admin", key == "sbk_revoked" && !revoked:
	case key == "sbk_user" && strings.HasPrefix(r.URL.Path, "/v1/admin/"):
		w.WriteHeader(http.StatusForbidden)
		return
	default:
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"path": r.URL.Path, "query": r.URL.RawQuery, "method": r.Method})
}

func (f *fakeAPI) lastRequest() (*http.Request, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.body
}

type client struct {
	t      *testing.T
	h      http.Handler
	cookie string
	csrf   string
	tls    bool
}

func newClient(t *testing.T, h http.Handler) *client { return &client{t: t, h: h} }

// do sends a request as a same-origin page would (Sec-Fetch-Site:
// same-origin, the session cookie, the CSRF token on state changes).
func (c *client) do(method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	c.t.Helper()
	r := httptest.NewRequest(method, "http://dash.example"+path, strings.NewReader(body))
	if c.tls {
		r.TLS = &tls.ConnectionState{}
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if c.cookie != "" {
		r.AddCookie(&http.Cookie{Name: CookieName, Value: c.cookie})
	}
	if c.csrf != "" && method != "GET" {
		r.Header.Set(CSRFHeader, c.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			r.Header.Del(hdr[i])
		} else {
			r.Header.Set(hdr[i], hdr[i+1])
		}
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	for _, ck := range w.Result().Cookies() {
		if ck.Name == CookieName {
			c.cookie = ck.Value
		}
	}
	return w
}

func (c *client) login(key string) *httptest.ResponseRecorder {
	c.t.Helper()
	w := c.do("POST", "/ui/login", `{"key":"`+key+`"}`)
	if w.Code == http.StatusOK {
		var v struct{ CSRF string }
		json.Unmarshal(w.Body.Bytes(), &v)
		c.csrf = v.CSRF
	}
	return w
}

func quietOptions() Options {
	return Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestLoginSetsAStrictCookieAndHidesTheKey(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	w := c.login("sbk_admin")
	if w.Code != http.StatusOK {
		t.Fatalf("login: HTTP %d %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "sbk_admin") {
		t.Fatalf("the login answer contains the key: %s", w.Body)
	}
	req, _ := api.lastRequest()
	if req.URL.Path != "/v1/admin/services" || req.Method != "GET" {
		t.Errorf("the key was checked with %s %s, want GET /v1/admin/services", req.Method, req.URL.Path)
	}
	ck := w.Result().Cookies()
	if len(ck) != 1 {
		t.Fatalf("cookies %v", ck)
	}
	k := ck[0]
	if !k.HttpOnly || k.SameSite != http.SameSiteStrictMode || k.Secure || k.Path != "/" {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not Secure over plain HTTP", k)
	}
	if len(k.Value) < 43 || strings.Contains(k.Value, "sbk_") {
		t.Errorf("session id %q: want 256 random bits, not the key", k.Value)
	}
	if c.csrf == "" || c.csrf == k.Value {
		t.Errorf("csrf token %q must be set and differ from the session id", c.csrf)
	}
	s := c.do("GET", "/ui/session", "")
	if !strings.Contains(s.Body.String(), `"authenticated":true`) || !strings.Contains(s.Body.String(), c.csrf) || strings.Contains(s.Body.String(), "sbk_") {
		t.Errorf("/ui/session: %s", s.Body)
	}
}

func TestCookieIsSecureOverTLS(t *testing.T) {
	c := newClient(t, New(&fakeAPI{}, quietOptions()))
	c.tls = true
	w := c.login("sbk_admin")
	if ck := w.Result().Cookies(); len(ck) != 1 || !ck[0].Secure {
		t.Fatalf("cookie over TLS %+v: want Secure", ck)
	}
}

// TestCookieIsSecureBehindAnHTTPSProxy: behind a TLS-terminating proxy the
// request reaches soapbridge over plain HTTP; an https public URL (or, with
// none configured, X-Forwarded-Proto: https) makes the cookie Secure, on
// login and on logout alike.
func TestCookieIsSecureBehindAnHTTPSProxy(t *testing.T) {
	for _, tc := range []struct {
		name, public, proto string
		secure              bool
	}{
		{"https public URL", "https://soap.example.com/", "", true},
		{"https public URL, upper case", "HTTPS://soap.example.com", "", true},
		{"http public URL", "http://soap.example.com", "", false},
		{"http public URL wins over the header", "http://soap.example.com", "https", false},
		{"no public URL, X-Forwarded-Proto https", "", "https", true},
		{"no public URL, X-Forwarded-Proto list", "", "https, http", true},
		{"no public URL, X-Forwarded-Proto http", "", "http", false},
		{"no public URL, no header", "", "", false},
		{"malformed public URL is ignored", "soap.example.com", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := quietOptions()
			opts.PublicURL = tc.public
			c := newClient(t, New(&fakeAPI{}, opts))
			w := c.do("POST", "/ui/login", `{"key":"sbk_admin"}`, "X-Forwarded-Proto", tc.proto)
			ck := w.Result().Cookies()
			if w.Code != http.StatusOK || len(ck) != 1 {
				t.Fatalf("login: HTTP %d, cookies %v", w.Code, ck)
			}
			if ck[0].Secure != tc.secure || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode {
				t.Errorf("cookie %+v: want Secure=%v, HttpOnly, SameSite=Strict", ck[0], tc.secure)
			}
			var v struct{ CSRF string }
			json.Unmarshal(w.Body.Bytes(), &v)
			c.csrf = v.CSRF
			w = c.do("POST", "/ui/logout", "", "X-Forwarded-Proto", tc.proto)
			if ck := w.Result().Cookies(); w.Code != http.StatusNoContent || len(ck) != 1 || ck[0].Secure != tc.secure || ck[0].MaxAge >= 0 {
				t.Errorf("logout: HTTP %d, cookies %+v: want the cookie removed with Secure=%v", w.Code, ck, tc.secure)
			}
		})
	}
}

// TestFollowedLinkWithoutSessionGoesToTheLogin: a browser following a link
// to a service's OpenAPI document with no session is sent to the login and
// the service's page; a script's fetch still gets 401.
func TestFollowedLinkWithoutSessionGoesToTheLogin(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	w := c.do("GET", "/ui/api/v1/services/inventory/openapi.json", "", "Sec-Fetch-Mode", "navigate")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/#/services/inventory" {
		t.Errorf("followed link: HTTP %d to %q, want 303 to /#/services/inventory", w.Code, w.Header().Get("Location"))
	}
	w = c.do("GET", "/ui/api/v1/admin/keys", "", "Sec-Fetch-Mode", "navigate")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
		t.Errorf("followed link to the admin API: HTTP %d to %q, want 303 to /", w.Code, w.Header().Get("Location"))
	}
	if w := c.do("GET", "/ui/api/v1/services/inventory/openapi.json", "", "Sec-Fetch-Mode", "cors"); w.Code != http.StatusUnauthorized {
		t.Errorf("fetch without a session: HTTP %d, want 401", w.Code)
	}
	if req, _ := api.lastRequest(); req != nil {
		t.Errorf("a request without session reached the API: %s", req.URL)
	}
	// With a session, the link is forwarded with the session's key.
	c.login("sbk_admin")
	w = c.do("GET", "/ui/api/v1/services/inventory/docs", "", "Sec-Fetch-Mode", "navigate")
	if req, _ := api.lastRequest(); w.Code != http.StatusOK || req.URL.Path != "/v1/services/inventory/docs" || req.Header.Get("X-API-Key") != "sbk_admin" {
		t.Errorf("followed link with a session: HTTP %d, forwarded %s", w.Code, req.URL)
	}
}

func TestLoginRefusals(t *testing.T) {
	h := New(&fakeAPI{}, quietOptions())
	for _, tc := range []struct {
		key    string
		status int
		says   string
	}{
		{"sbk_unknown", http.StatusUnauthorized, "unknown, revoked or expired"},
		{"sbk_user", http.StatusForbidden, "no admin scope"},
		{"", http.StatusBadRequest, "admin API key"},
	} {
		c := newClient(t, h)
		w := c.login(tc.key)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.says) {
			t.Errorf("login %q: HTTP %d %s, want %d saying %q", tc.key, w.Code, w.Body, tc.status, tc.says)
		}
		if c.cookie != "" {
			t.Errorf("login %q set a session cookie", tc.key)
		}
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("login %q: Content-Type %q", tc.key, ct)
		}
	}
}

func TestForwardAddsTheSessionKey(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	c.login("sbk_admin")
	w := c.do("POST", "/ui/api/v1/admin/keys?x=1", `{"name":"shop"}`, "Authorization", "Bearer sbk_evil", "X-API-Key", "sbk_evil")
	if w.Code != http.StatusOK {
		t.Fatalf("HTTP %d %s", w.Code, w.Body)
	}
	req, body := api.lastRequest()
	if req.URL.Path != "/v1/admin/keys" || req.URL.RawQuery != "x=1" || body != `{"name":"shop"}` {
		t.Errorf("forwarded %s %s?%s %q", req.Method, req.URL.Path, req.URL.RawQuery, body)
	}
	if got := req.Header.Get("X-API-Key"); got != "sbk_admin" {
		t.Errorf("forwarded X-API-Key %q, want the session's key", got)
	}
	for _, h := range []string{"Cookie", CSRFHeader, "Authorization"} {
		if v := req.Header.Get(h); v != "" {
			t.Errorf("forwarded %s: %q, want it dropped", h, v)
		}
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	// Only the admin API and reads of the data API are reachable.
	if w := c.do("POST", "/ui/api/v1/services/inventory/GetItems", `{}`); w.Code != http.StatusNotFound {
		t.Errorf("POST to the data API through the dashboard: HTTP %d, want 404", w.Code)
	}
	for _, p := range []string{"/ui/api/v1/admin/..%2Fservices%2Finventory%2FGetItems", "/ui/api/v1/admin/%2e%2e/services/inventory/GetItems"} {
		if w := c.do("POST", p, `{}`); w.Code != http.StatusNotFound {
			t.Errorf("POST %s: HTTP %d, want 404", p, w.Code)
		}
	}
	if w := c.do("GET", "/ui/api/v1/services/inventory/openapi.json", ""); w.Code != http.StatusOK {
		t.Errorf("GET of an OpenAPI document: HTTP %d", w.Code)
	}
	if w := c.do("GET", "/ui/api/healthz", ""); w.Code != http.StatusNotFound {
		t.Errorf("GET /ui/api/healthz: HTTP %d, want 404", w.Code)
	}
}

func TestForwardNeedsASession(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	w := c.do("GET", "/ui/api/v1/admin/services", "")
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("no session: HTTP %d", w.Code)
	}
	c.cookie = "forged"
	if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("forged session: HTTP %d", w.Code)
	}
	if req, _ := api.lastRequest(); req != nil {
		t.Errorf("a request without session reached the API: %s", req.URL)
	}
}

func TestCSRFTokenRequiredOnStateChanges(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	c.login("sbk_admin")
	good := c.csrf
	wrong := "x" + good[1:]
	if wrong == good {
		wrong = "y" + good[1:]
	}
	for _, tc := range []struct{ name, token string }{{"missing", ""}, {"wrong", wrong}, {"short", good[:10]}} {
		c.csrf = tc.token
		for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
			w := c.do(m, "/ui/api/v1/admin/keys/shop", `{}`)
			if w.Code != http.StatusForbidden {
				t.Errorf("%s token, %s: HTTP %d, want 403", tc.name, m, w.Code)
			}
		}
		if w := c.do("POST", "/ui/logout", ""); w.Code != http.StatusForbidden {
			t.Errorf("%s token, logout: HTTP %d, want 403", tc.name, w.Code)
		}
	}
	if req, _ := api.lastRequest(); req.Method != "GET" {
		t.Errorf("a state change without the token reached the API: %s %s", req.Method, req.URL)
	}
	c.csrf = good
	if w := c.do("DELETE", "/ui/api/v1/admin/keys/shop", ""); w.Code != http.StatusOK {
		t.Errorf("with the token: HTTP %d", w.Code)
	}
	// Reads need no token.
	c.csrf = ""
	if w := c.do("GET", "/ui/api/v1/admin/keys", ""); w.Code != http.StatusOK {
		t.Errorf("GET without token: HTTP %d", w.Code)
	}
}

func TestCrossOriginStateChangesRefused(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	c.login("sbk_admin")
	for _, hdr := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "", "Origin", "https://evil.example"},
	} {
		w := c.do("POST", "/ui/api/v1/admin/keys", `{}`, hdr...)
		if w.Code != http.StatusForbidden {
			t.Errorf("%v: HTTP %d, want 403", hdr, w.Code)
		}
		if w := c.do("POST", "/ui/login", `{"key":"sbk_admin"}`, hdr...); w.Code != http.StatusForbidden {
			t.Errorf("login %v: HTTP %d, want 403", hdr, w.Code)
		}
	}
	// Same origin by Origin header (no Sec-Fetch-Site) passes.
	if w := c.do("POST", "/ui/api/v1/admin/keys", `{}`, "Sec-Fetch-Site", "", "Origin", "http://dash.example"); w.Code != http.StatusOK {
		t.Errorf("same-origin Origin: HTTP %d", w.Code)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	c := newClient(t, New(&fakeAPI{}, quietOptions()))
	c.login("sbk_admin")
	old := c.cookie
	w := c.do("POST", "/ui/logout", "")
	if w.Code != http.StatusNoContent {
		t.Fatalf("logout: HTTP %d", w.Code)
	}
	if ck := w.Result().Cookies(); len(ck) != 1 || ck[0].MaxAge >= 0 {
		t.Errorf("logout cookies %+v: want the cookie deleted", ck)
	}
	c.cookie = old
	if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("the old session still works after logout: HTTP %d", w.Code)
	}
}

func TestLoginReplacesTheOldSession(t *testing.T) {
	c := newClient(t, New(&fakeAPI{}, quietOptions()))
	c.login("sbk_admin")
	first := c.cookie
	c.login("sbk_admin")
	if c.cookie == first {
		t.Fatal("a second login kept the session id")
	}
	c2 := *c
	c2.cookie = first
	if w := c2.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("the replaced session still works: HTTP %d", w.Code)
	}
}

func TestRevokedKeyEndsTheSession(t *testing.T) {
	api := &fakeAPI{}
	c := newClient(t, New(api, quietOptions()))
	c.login("sbk_revoked")
	if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusOK {
		t.Fatalf("HTTP %d", w.Code)
	}
	api.mu.Lock()
	api.revoked = true
	api.mu.Unlock()
	if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Fatalf("after revocation: HTTP %d", w.Code)
	}
	api.mu.Lock()
	api.revoked = false
	api.mu.Unlock()
	if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("the session outlived a 401 from the API: HTTP %d", w.Code)
	}
}

func TestSessionsExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	opts := quietOptions()
	opts.Now = func() time.Time { return now }
	opts.IdleTimeout = 10 * time.Minute
	opts.MaxAge = time.Hour
	c := newClient(t, New(&fakeAPI{}, opts))
	c.login("sbk_admin")
	for i := 0; i < 6; i++ { // used every 9 minutes: idle never runs out
		now = now.Add(9 * time.Minute)
		if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusOK {
			t.Fatalf("after %d uses: HTTP %d", i, w.Code)
		}
	}
	now = now.Add(7 * time.Minute) // 61 minutes after login
	if w := c.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("past the maximum age: HTTP %d", w.Code)
	}
	c.login("sbk_admin")
	now = now.Add(11 * time.Minute)
	if w := c.do("GET", "/ui/session", ""); !strings.Contains(w.Body.String(), `"authenticated":false`) {
		t.Errorf("idle session still alive: %s", w.Body)
	}
}

func TestSessionStoreIsBounded(t *testing.T) {
	opts := quietOptions()
	opts.MaxSessions = 3
	h := New(&fakeAPI{}, opts)
	first := newClient(t, h)
	first.login("sbk_admin")
	for i := 0; i < 5; i++ {
		newClient(t, h).login("sbk_admin")
	}
	if n := h.sessions.len(); n != 3 {
		t.Errorf("%d sessions kept, want 3", n)
	}
	if w := first.do("GET", "/ui/api/v1/admin/services", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("the least recently used session survived: HTTP %d", w.Code)
	}
}

func TestSecurityHeadersEverywhere(t *testing.T) {
	c := newClient(t, New(&fakeAPI{}, quietOptions()))
	for _, path := range []string{"/", "/assets/app.js", "/assets/app.css", "/ui/session", "/ui/api/v1/admin/services", "/nope"} {
		w := c.do("GET", path, "")
		hd := w.Header()
		csp := hd.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe code: %q", path, csp)
		}
		if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, hd)
		}
	}
}

func TestPageHasNoInlineScriptAndAssetsAreEmbedded(t *testing.T) {
	c := newClient(t, New(&fakeAPI{}, quietOptions()))
	w := c.do("GET", "/", "")
	if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: HTTP %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	page := w.Body.String()
	if strings.Contains(page, "<script>") || strings.Contains(page, " on") && strings.Contains(page, "onclick=") || strings.Contains(page, "style=") {
		t.Errorf("the page has inline script or style:\n%s", page)
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Errorf("the page loads something from another origin:\n%s", page)
	}
	for _, a := range []string{"app.js", "api.js", "dom.js", "form.js", "json.js", "app.css"} {
		w := c.do("GET", "/assets/"+a, "")
		if w.Code != http.StatusOK {
			t.Errorf("%s: HTTP %d", a, w.Code)
		}
		ct := w.Header().Get("Content-Type")
		if strings.HasSuffix(a, ".js") && !strings.Contains(ct, "javascript") {
			t.Errorf("%s served as %q: a module script needs a JavaScript type", a, ct)
		}
		if strings.Contains(w.Body.String(), "innerHTML") {
			t.Errorf("%s uses innerHTML", a)
		}
	}
}

// TestRefusalsDoNotWaitForTheBody: a refused request whose body is still
// arriving is answered at once (the server waited for up to 256 KiB of
// body the dashboard never reads).
func TestRefusalsDoNotWaitForTheBody(t *testing.T) {
	srv := httptest.NewServer(New(&fakeAPI{}, quietOptions()))
	defer srv.Close()
	for _, path := range []string{"/ui/api/v1/admin/keys", "/ui/nowhere"} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(30 * time.Second)) // fail, not hang, without the fix
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", path, strings.TrimPrefix(srv.URL, "http://"))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("POST %s: %v", path, err)
		} else if res.StatusCode < 400 {
			t.Errorf("POST %s: HTTP %d", path, res.StatusCode)
		}
		conn.Close()
	}
}
