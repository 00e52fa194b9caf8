package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// Config configures a Gateway. Zero limits take the defaults.
type Config struct {
	Store *store.Store
	// Keys is where the master keys come from. The gateway notices a
	// rotation (a changed key file) by itself.
	Keys   secret.Source
	Logger *slog.Logger
	// MaxRequest bounds a request body (default 10 MiB).
	MaxRequest int64
	// MaxResponse bounds an upstream response (default 256 MiB).
	MaxResponse int64
	// BodyTimeout bounds the time a request's body takes to arrive
	// (default 60 seconds; an upload gets 10 minutes), so that a client
	// trickling it cannot hold a handler and its buffer for ever.
	BodyTimeout time.Duration
	// Fetch bounds what registering a WSDL may read.
	Fetch fetch.Limits
	// CallLogSize is how many calls the call log keeps (default 10000).
	CallLogSize int
	// PublicURL is the gateway's base URL as clients reach it, for the
	// servers of the OpenAPI documents; empty takes it from each request.
	PublicURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Gateway serves the admin and data APIs. Create it with New and stop it
// with Close.
type Gateway struct {
	cfg    Config
	store  *store.Store
	log    *slog.Logger
	client *upstream.Client

	mu       sync.RWMutex
	services map[string]*service
	// unloaded are the stored services whose model could not be loaded
	// when the gateway started (a stale cache whose WSDL URL did not
	// answer, say), by name, with why: calls get 503 until an
	// administrator re-imports them.
	unloaded map[string]string

	keysMu    sync.Mutex
	ring      *secret.Keyring
	ringStamp string

	calls *callLog
	keys  keyCache
	// answerBufs recycles the buffers that hold the start of a call's
	// answer (*[]byte).
	answerBufs sync.Pool
	// compiling holds a token while a registration compiles: one at a
	// time, since a compile's memory is tens of times its documents'
	// size.
	compiling chan struct{}

	openapi openapiCache
}

// New loads every registered service (its cached model and opened
// credentials) and returns a Gateway ready to serve.
func New(ctx context.Context, cfg Config) (*Gateway, error) {
	if cfg.Store == nil {
		return nil, errors.New("gateway: no store")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxRequest <= 0 {
		cfg.MaxRequest = 10 << 20
	}
	if cfg.MaxResponse <= 0 {
		cfg.MaxResponse = 256 << 20
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = 60 * time.Second
	}
	if cfg.CallLogSize <= 0 {
		cfg.CallLogSize = 10000
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Fetch.MaxTotalSize <= 0 {
		cfg.Fetch.MaxTotalSize = 256 << 20
	}
	g := &Gateway{
		cfg: cfg, store: cfg.Store, log: cfg.Logger,
		client: upstream.NewClient(0), compiling: make(chan struct{}, 1),
		services: map[string]*service{}, unloaded: map[string]string{},
	}
	ring, err := cfg.Keys.Load()
	if err != nil {
		return nil, err
	}
	g.ring, g.ringStamp = ring, cfg.Keys.Stamp()
	recs, err := g.store.Services(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: loading services: %w", err)
	}
	for _, rec := range recs {
		s, err := g.load(ctx, rec)
		var me *modelError
		if errors.As(err, &me) {
			// One service's WSDL must not keep the others from serving.
			g.log.Error("service not loaded: its calls get 503 until it is re-imported", "service", rec.Name, "error", me.err)
			g.unloaded[rec.Name] = me.err.Error()
			continue
		}
		if err != nil {
			return nil, err
		}
		g.services[s.name] = s
	}
	g.calls = newCallLog(g.store, g.log, cfg.CallLogSize)
	g.log.Info("gateway ready", "services", len(g.services), "master_key", ring.Current().ID)
	return g, nil
}

// Close flushes the call log and closes idle upstream connections. It does
// not close the store.
func (g *Gateway) Close() {
	g.calls.close()
	g.client.CloseIdle()
	g.closeAuths()
}

// load builds a service from its record, opening its credentials.
func (g *Gateway) load(ctx context.Context, rec *store.Service) (*service, error) {
	sealed, err := g.store.Credentials(ctx, rec.Name)
	if err != nil {
		return nil, fmt.Errorf("gateway: service %s: %w", rec.Name, err)
	}
	auth, err := g.openAuth(rec.Name, rec.Auth, sealed)
	if err != nil {
		return nil, fmt.Errorf("gateway: service %s: %w", rec.Name, err)
	}
	migrated, err := g.sealLegacyURLCredentials(ctx, rec)
	if err != nil {
		auth.close()
		return nil, fmt.Errorf("gateway: service %s: %w", rec.Name, err)
	}
	src, err := g.sourceOf(rec)
	if err != nil {
		auth.close()
		return nil, fmt.Errorf("gateway: service %s: %w", rec.Name, err)
	}
	// (A stale model names no port: its addresses are not known here.)
	src.clientFor = g.fetchWith(auth, fetchOrigins(auth, rec.SourceURL, nil))
	s, recompiled, err := newService(ctx, rec, src, auth, g.cfg.Fetch)
	if err != nil {
		auth.close()
		return nil, &modelError{fmt.Errorf("gateway: %w", err)}
	}
	if migrated {
		g.log.Info("the credentials of the service's WSDL URL are now stored sealed, apart from it", "service", rec.Name)
	}
	if recompiled {
		if data, err := s.model.MarshalBinary(); err == nil {
			rec.Model = data
			if err := g.store.ReplaceSource(ctx, rec); err != nil {
				g.log.Warn("caching the recompiled model failed", "service", rec.Name, "error", err)
			}
		}
	}
	return s, nil
}

// sourceOf is what rec was compiled from, its URL's credentials opened.
func (g *Gateway) sourceOf(rec *store.Service) (source, error) {
	src := source{url: rec.SourceURL, bundle: rec.Bundle, entry: rec.Entry}
	if rec.SourceCredentials == nil {
		return src, nil
	}
	p, err := g.open(*rec.SourceCredentials, sealContext(rec.Name, store.SourceCredentials))
	if err != nil {
		return source{}, fmt.Errorf("the credentials of the WSDL URL: %w", err)
	}
	user, password, hasPassword := strings.Cut(string(p), "\x00")
	src.creds = url.User(user)
	if hasPassword {
		src.creds = url.UserPassword(user, password)
	}
	return src, nil
}

// sealSourceCredentials seals the credentials of a service's WSDL URL.
func (g *Gateway) sealSourceCredentials(service string, creds *url.Userinfo) (*secret.Sealed, error) {
	if creds == nil {
		return nil, nil
	}
	ring, err := g.keyring()
	if err != nil {
		return nil, err
	}
	p := creds.Username()
	if password, ok := creds.Password(); ok {
		p += "\x00" + password
	}
	sealed := ring.Seal([]byte(p), sealContext(service, store.SourceCredentials))
	return &sealed, nil
}

// sealLegacyURLCredentials moves credentials a gateway before sealed ones
// kept inside a stored WSDL URL into sealed storage, reporting whether it
// did.
func (g *Gateway) sealLegacyURLCredentials(ctx context.Context, rec *store.Service) (bool, error) {
	src := urlSource(rec.SourceURL)
	if src.creds == nil {
		return false, nil
	}
	sealed, err := g.sealSourceCredentials(rec.Name, src.creds)
	if err != nil {
		return false, err
	}
	rec.SourceURL, rec.SourceCredentials = src.url, sealed
	return true, g.store.ReplaceSource(ctx, rec)
}

// open opens a sealed credential (see withKeyring).
func (g *Gateway) open(s secret.Sealed, context string) ([]byte, error) {
	return withKeyring(g, func(ring *secret.Keyring) ([]byte, error) { return ring.Open(s, context) })
}

// withKeyring calls open with the current keyring, and again with the
// key file read anew when open met a value sealed under a key the
// keyring does not hold yet (sealed by rotate-key meanwhile).
func withKeyring[T any](g *Gateway, open func(*secret.Keyring) (T, error)) (T, error) {
	ring, err := g.keyring()
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := open(ring)
	if errors.Is(err, secret.ErrUnknownKey) {
		g.keysMu.Lock()
		g.ringStamp = "" // force a reload
		g.keysMu.Unlock()
		if ring, err = g.keyring(); err != nil {
			return v, err
		}
		v, err = open(ring)
	}
	return v, err
}

// keyring returns the current keyring, re-reading the key file when it
// changed (a rotation).
func (g *Gateway) keyring() (*secret.Keyring, error) {
	g.keysMu.Lock()
	defer g.keysMu.Unlock()
	if stamp := g.cfg.Keys.Stamp(); stamp != g.ringStamp {
		ring, err := g.cfg.Keys.Load()
		if err != nil {
			return nil, err
		}
		g.ring, g.ringStamp = ring, stamp
		g.log.Info("master keys reloaded", "current", ring.Current().ID)
	}
	return g.ring, nil
}

// openAuth opens stored credentials (see withKeyring).
func (g *Gateway) openAuth(service string, raw []byte, sealed map[string]secret.Sealed) (*upstreamAuth, error) {
	return withKeyring(g, func(ring *secret.Keyring) (*upstreamAuth, error) { return openAuth(service, raw, sealed, ring) })
}

func (g *Gateway) service(name string) *service {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.services[name]
}

// unloadedService returns why a stored service could not be loaded, or
// "" when it was (or does not exist).
func (g *Gateway) unloadedService(name string) string {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.unloaded[name]
}

func (g *Gateway) setService(s *service) {
	g.mu.Lock()
	g.services[s.name] = s
	delete(g.unloaded, s.name)
	g.mu.Unlock()
}

// modelError is a service's model failing to load: a stale cache that
// could not be recompiled.
type modelError struct{ err error }

func (e *modelError) Error() string { return e.err.Error() }
func (e *modelError) Unwrap() error { return e.err }

// unavailable is the problem of a stored service that could not be
// loaded; only administrators see why.
func unavailable(name, why string) *Problem {
	detail := "service " + codec.QuoteCut(name) + " is registered but could not be loaded when the gateway started; an administrator must re-import it"
	if why != "" {
		detail = "service " + codec.QuoteCut(name) + " could not be loaded when the gateway started (" + why + "); re-import it: PUT /v1/admin/services/" + name
	}
	return problem(http.StatusServiceUnavailable, "service-unavailable", "Service Unavailable", detail)
}

// Handler returns the gateway's HTTP handler.
func (g *Gateway) Handler() http.Handler {
	mux := http.NewServeMux()
	admin := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, g.requireKey(true, h)) }
	admin("POST /v1/admin/services", g.createService)
	admin("GET /v1/admin/services", g.listServices)
	admin("GET /v1/admin/services/{service}", g.getService)
	admin("PUT /v1/admin/services/{service}", g.reimportService)
	admin("DELETE /v1/admin/services/{service}", g.deleteService)
	admin("GET /v1/admin/services/{service}/describe", g.describeService)
	admin("GET /v1/admin/services/{service}/auth", g.getAuth)
	admin("PUT /v1/admin/services/{service}/auth", g.putAuth)
	admin("GET /v1/admin/services/{service}/calls", g.serviceCalls)
	admin("POST /v1/admin/services/{service}/try/{operation}", g.try)
	admin("POST /v1/admin/services/{service}/diagnose", g.diagnose)
	admin("POST /v1/admin/keys", g.createKey)
	admin("GET /v1/admin/keys", g.listKeys)
	admin("DELETE /v1/admin/keys/{name}", g.revokeKey)
	admin("GET /v1/admin/calls", g.allCalls)

	data := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, g.requireKey(false, h)) }
	data("GET /v1/services", g.listCallable)
	data("GET /v1/services/{service}", g.describeCallable)
	data("POST /v1/services/{service}/{operation}", g.call)
	data("GET /v1/services/{service}/openapi.json", g.serveOpenAPI(formatJSON))
	data("GET /v1/services/{service}/openapi.yaml", g.serveOpenAPI(formatYAML))
	data("GET /v1/services/{service}/docs", g.serveOpenAPI(formatHTML))

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		closeUnreadBody(w, r)
		writeProblem(w, r, problem(http.StatusNotFound, "not-found", "Not Found", fmt.Sprintf("no API endpoint %s %s", r.Method, r.URL.Path)))
	})
	return g.withRequestID(mux)
}
