package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/apikey"
	"github.com/soapbridge/soapbridge/internal/store"
)

type ctxKey struct{}

// keyOf returns the API key that authenticated the request.
func keyOf(r *http.Request) *store.Key {
	k, _ := r.Context().Value(ctxKey{}).(*store.Key)
	return k
}

// presentedKey reads the key from X-API-Key, or from Authorization: Bearer.
func presentedKey(r *http.Request) string {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return strings.TrimSpace(k)
	}
	if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(tok)
	}
	return ""
}

// authenticate finds the active key the request presents.
func (g *Gateway) authenticate(r *http.Request) (*store.Key, *Problem) {
	presented := presentedKey(r)
	if presented == "" {
		return nil, problem(http.StatusUnauthorized, "unauthorized", "Unauthorized", "send an API key in the X-API-Key header")
	}
	unknown := func() *Problem {
		return problem(http.StatusUnauthorized, "unauthorized", "Unauthorized", "the API key is unknown, revoked or expired")
	}
	id, err := apikey.ID(presented)
	if err != nil {
		return nil, unknown()
	}
	k, err := g.keys.get(r.Context(), g.store, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, unknown()
	}
	if err != nil {
		g.log.Error("looking up an API key failed", "error", err)
		return nil, problem(http.StatusServiceUnavailable, "store-unavailable", "Service Unavailable", "the key store cannot be read; try again")
	}
	if !apikey.Match(presented, k.Hash) || !k.Active(g.cfg.Now()) {
		return nil, unknown()
	}
	return k, nil
}

// requireKey lets through requests with an active key, and with admin set
// only keys with the admin scope.
func (g *Gateway) requireKey(admin bool, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, p := g.authenticate(r)
		if p != nil {
			closeUnreadBody(w, r)
			if p.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="soapbridge"`)
			}
			writeProblem(w, r, p)
			return
		}
		if admin && !k.Admin {
			closeUnreadBody(w, r)
			writeProblem(w, r, problem(http.StatusForbidden, "forbidden", "Forbidden", "this API key lacks the admin scope"))
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, k)))
	})
}

// closeUnreadBody makes the answer to a request whose body is not read
// close the connection: the server would otherwise read (and wait for)
// up to 256 KiB of the body before answering, which a client that is
// not even authenticated could trickle for ever.
func closeUnreadBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
}

// withRequestID gives every request an id, in X-Request-Id and the log.
// A request with a body gets BodyTimeout to send it, whoever reads it
// (the server's own deadline is for headers only); the handlers that read
// a body set their own deadline.
func (g *Gateway) withRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 {
			// The server lifts it once the body is read (its background
			// read of the connection must not time out), and sets its own
			// for the next request. The error is ignored where the writer
			// cannot set one (tests' recorders).
			http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.cfg.BodyTimeout))
		}
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c <= ' ' || c > '~' }) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		h.ServeHTTP(w, r)
	})
}
