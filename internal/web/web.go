package web

import (
	"embed"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	pathpkg "path"
	"strings"
	"time"
)

//go:embed assets
var assetFS embed.FS // read-only: the embedded files

// CookieName is the name of the dashboard's session cookie.
const CookieName = "soapbridge_session"

// CSRFHeader carries the session's synchronizer token on every
// state-changing request.
const CSRFHeader = "X-CSRF-Token"

// ContentSecurityPolicy is sent with every answer of the dashboard: the
// page loads scripts, styles and data from its own origin only, runs no
// inline script and cannot be framed.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Options configures the dashboard. Zero values take the defaults.
type Options struct {
	Logger *slog.Logger
	// IdleTimeout ends a session unused this long (default 30 minutes).
	IdleTimeout time.Duration
	// MaxAge ends a session this long after login (default 12 hours).
	MaxAge time.Duration
	// MaxSessions bounds the sessions kept (default 1000); past it the
	// least recently used one ends.
	MaxSessions int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PublicURL is the gateway's base URL as browsers reach it
	// (gateway.Config.PublicURL). When it is https, the session cookie is
	// Secure even on requests that reach soapbridge over plain HTTP, as
	// behind a TLS-terminating proxy. Empty: the cookie is Secure when the
	// request came over TLS or with X-Forwarded-Proto: https.
	PublicURL string
}

// Handler serves the dashboard. Create it with New.
type Handler struct {
	api      http.Handler
	log      *slog.Logger
	sessions *sessions
	origin   *http.CrossOriginProtection
	mux      *http.ServeMux
	// public is the scheme of Options.PublicURL ("https", "http" or "").
	public string
}

// New returns the dashboard's handler. api is the gateway's HTTP handler
// (gateway.Gateway.Handler): the page's API calls are forwarded to it in
// process, with the session's admin key. The handler answers the paths
// listed in the package documentation and 404 for any other.
func New(api http.Handler, opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Minute
	}
	if opts.MaxAge <= 0 {
		opts.MaxAge = 12 * time.Hour
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 1000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &Handler{
		api: api, log: opts.Logger,
		sessions: newSessions(opts.IdleTimeout, opts.MaxAge, opts.MaxSessions, opts.Now),
		origin:   http.NewCrossOriginProtection(),
		mux:      http.NewServeMux(),
		public:   publicScheme(opts.PublicURL),
	}
	assets, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // the embedded tree always has assets/
	}
	files := http.FileServerFS(assets)
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, assets, "index.html")
	})
	h.mux.Handle("GET /assets/", http.StripPrefix("/assets", files))
	h.mux.HandleFunc("GET /ui/session", h.getSession)
	h.mux.HandleFunc("POST /ui/login", h.login)
	h.mux.HandleFunc("POST /ui/logout", h.logout)
	h.mux.HandleFunc("/ui/api/", h.forward)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not-found", "Not Found", "no dashboard page "+r.URL.Path+"; the dashboard is at /")
	})
	return h
}

// ServeHTTP sets the security headers, refuses cross-origin state changes
// and dispatches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", ContentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	if r.ContentLength != 0 {
		// The server's own deadline is for headers only; forwarded API
		// calls get the gateway's.
		http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyTimeout))
	}
	if !safeMethod(r.Method) {
		if err := h.origin.Check(r); err != nil {
			writeError(w, http.StatusForbidden, "forbidden", "Forbidden", "cross-origin request refused: "+err.Error())
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// current returns the request's live session and its id, or nil.
func (h *Handler) current(r *http.Request) (string, *session) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return "", nil
	}
	return c.Value, h.sessions.get(c.Value)
}

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secure(r),
	})
}

// secure reports whether the browser reaches the dashboard over HTTPS: the
// request came over TLS, or the public URL is https, or (no public URL
// configured) a proxy says so with X-Forwarded-Proto, as the gateway reads
// it for the OpenAPI documents' server URL. A forged X-Forwarded-Proto can
// only make the forger's own cookie Secure.
func (h *Handler) secure(r *http.Request) bool {
	switch {
	case r.TLS != nil || h.public == "https":
		return true
	case h.public != "":
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// publicScheme is the lower-case scheme of an absolute http(s) URL, or "".
func publicScheme(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return ""
	}
	if s := strings.ToLower(u.Scheme); s == "http" || s == "https" {
		return s
	}
	return ""
}

// getSession tells the page whether it is logged in and gives it the CSRF
// token of its session.
func (h *Handler) getSession(w http.ResponseWriter, r *http.Request) {
	_, ss := h.current(r)
	if ss == nil {
		writeJSON(w, http.StatusOK, map[string]any{"authenticated": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"authenticated": true, "csrf": ss.csrf})
}

// login checks an admin key through the API and starts a session with it.
// A session the browser had is ended first (no session fixation).
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Key string `json:"key"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4096))
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil || strings.TrimSpace(in.Key) == "" {
		writeError(w, http.StatusBadRequest, "invalid-request", "Bad Request", `send {"key": "sbk_..."}: an admin API key`)
		return
	}
	key := strings.TrimSpace(in.Key)
	if c, err := r.Cookie(CookieName); err == nil {
		h.sessions.end(c.Value)
	}
	probe, err := http.NewRequestWithContext(r.Context(), http.MethodGet, "/v1/admin/services", http.NoBody)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "Internal Server Error", err.Error())
		return
	}
	probe.Host, probe.RemoteAddr = r.Host, r.RemoteAddr
	probe.Header.Set("X-API-Key", key)
	sw := &statusOnly{header: http.Header{}}
	h.api.ServeHTTP(sw, probe)
	switch sw.status {
	case http.StatusOK:
	case http.StatusUnauthorized:
		h.log.Warn("dashboard login refused: unknown key", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "unauthorized", "Unauthorized",
			"That key is unknown, revoked or expired. Use an admin key (soapbridge keys create --admin, or the admin.key file of a first start).")
		return
	case http.StatusForbidden:
		h.log.Warn("dashboard login refused: key without admin scope", "remote", r.RemoteAddr)
		writeError(w, http.StatusForbidden, "forbidden", "Forbidden",
			"That key is valid but has no admin scope. The dashboard needs an admin key (soapbridge keys create --admin).")
		return
	default:
		writeError(w, http.StatusBadGateway, "internal", "Login Failed",
			"the API answered HTTP "+http.StatusText(sw.status)+" while checking the key; see the server's log")
		return
	}
	id, ss := h.sessions.create(key)
	h.setCookie(w, r, id, 0)
	h.log.Info("dashboard login", "remote", r.RemoteAddr)
	writeJSON(w, http.StatusOK, map[string]any{"authenticated": true, "csrf": ss.csrf})
}

// logout ends the session. It needs the session's CSRF token, so another
// site cannot log a user out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	id, ss := h.current(r)
	if ss != nil {
		if !ss.validCSRF(r.Header.Get(CSRFHeader)) {
			writeError(w, http.StatusForbidden, "forbidden", "Forbidden", "missing or wrong "+CSRFHeader+"; reload the page")
			return
		}
		h.sessions.end(id)
	}
	h.setCookie(w, r, "", -1)
	w.WriteHeader(http.StatusNoContent)
}

// forward sends a page's API call to the gateway with the session's key.
// Only the admin API and reads of the data API's service descriptions are
// reachable.
func (h *Handler) forward(w http.ResponseWriter, r *http.Request) {
	id, ss := h.current(r)
	if ss == nil {
		if r.Method == http.MethodGet && r.Header.Get("Sec-Fetch-Mode") == "navigate" {
			// A followed link (an OpenAPI document, the API docs) with no
			// session: to the login, then back to the service's page.
			http.Redirect(w, r, loginTarget(r.URL.Path), http.StatusSeeOther)
			return
		}
		writeError(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", "not logged in, or the session expired; log in again")
		return
	}
	if !safeMethod(r.Method) && !ss.validCSRF(r.Header.Get(CSRFHeader)) {
		writeError(w, http.StatusForbidden, "forbidden", "Forbidden", "missing or wrong "+CSRFHeader+"; reload the page")
		return
	}
	// Checked as the API's router will see it: clean, its escaped
	// slashes decoded ("/v1/admin/..%2Fservices/..." is a data API call).
	path := pathpkg.Clean("/" + strings.TrimPrefix(r.URL.Path, "/ui/api"))
	if !strings.HasPrefix(path, "/v1/admin/") && !(strings.HasPrefix(path, "/v1/services") && safeMethod(r.Method)) {
		writeError(w, http.StatusNotFound, "not-found", "Not Found", "the dashboard forwards /v1/admin/ and reads of /v1/services only")
		return
	}
	out := r.Clone(r.Context())
	out.URL.Path = path
	out.URL.RawPath = ""
	out.RequestURI = out.URL.RequestURI()
	for _, name := range []string{"Cookie", CSRFHeader, "Authorization", "X-Api-Key", "Origin", "Referer"} {
		out.Header.Del(name)
	}
	out.Header.Set("X-API-Key", ss.key)
	w.Header().Set("Cache-Control", "no-store")
	h.api.ServeHTTP(&watchWriter{ResponseWriter: w, on401: func() {
		// The key was revoked or expired: the session is over.
		h.sessions.end(id)
		h.setCookie(w, r, "", -1)
	}}, out)
}

// loginTarget is the page a followed /ui/api link without a session goes
// to: the dashboard's page of the service it names, else the dashboard.
func loginTarget(path string) string {
	rest, ok := strings.CutPrefix(path, "/ui/api/v1/services/")
	name, _, _ := strings.Cut(rest, "/")
	if !ok || name == "" {
		return "/"
	}
	return "/#/services/" + url.PathEscape(name)
}

// watchWriter calls on401 before a 401 answer's header is written.
type watchWriter struct {
	http.ResponseWriter
	on401 func()
	wrote bool
}

func (w *watchWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		if code == http.StatusUnauthorized {
			w.on401()
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *watchWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (flushes).
func (w *watchWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusOnly is a ResponseWriter that keeps the status and drops the body.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header { return s.header }
func (s *statusOnly) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}
func (s *statusOnly) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return len(p), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// bodyTimeout bounds the time the body of a request to the dashboard
// takes to arrive.
const bodyTimeout = time.Minute

// writeError answers a problem (docs/problems.md) of the dashboard itself.
// The connection is closed after it: the server would otherwise wait for
// the rest of a body the dashboard did not read (a login's, a refused
// request's), which a client could trickle.
func writeError(w http.ResponseWriter, status int, kind, title, detail string) {
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type":   "https://github.com/soapbridge/soapbridge/blob/main/docs/problems.md#" + kind,
		"title":  title,
		"status": status,
		"detail": detail,
	})
}
