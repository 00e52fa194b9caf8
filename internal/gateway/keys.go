package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/apikey"
	"github.com/soapbridge/soapbridge/internal/store"
)

// KeyRequest asks for a new API key: the body of POST /v1/admin/keys and
// the flags of soapbridge keys create.
type KeyRequest struct {
	Name  string `json:"name"`
	Admin bool   `json:"admin,omitempty"`
	// Services the key may call; "*" means all. An admin key may call
	// every service.
	Services []string `json:"services,omitempty"`
	// ExpiresIn is a duration such as "720h" or "30d"; "" never expires.
	ExpiresIn string `json:"expires_in,omitempty"`
}

// KeyInfo describes a key. The key itself is only in NewKey's answer.
type KeyInfo struct {
	Name      string     `json:"name"`
	Key       string     `json:"key,omitempty"`
	ID        string     `json:"id"`
	Admin     bool       `json:"admin"`
	Services  []string   `json:"services"`
	State     string     `json:"state"` // active, expired or revoked
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	LastUsed  *time.Time `json:"last_used_at,omitempty"`
}

func keyInfo(k *store.Key, now time.Time) KeyInfo {
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	state := "active"
	switch {
	case !k.Revoked.IsZero():
		state = "revoked"
	case !k.Active(now):
		state = "expired"
	}
	services := append([]string{}, k.Services...)
	return KeyInfo{Name: k.Name, ID: k.ID, Admin: k.Admin, Services: services, State: state, CreatedAt: k.Created,
		ExpiresAt: opt(k.Expires), RevokedAt: opt(k.Revoked), LastUsed: opt(k.LastUsed)}
}

// ParseExpiry reads a key lifetime: a Go duration ("720h", "90m") or a
// number of days ("30d").
func ParseExpiry(s string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n <= 0 || n > 36500 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 720h or 30d", s)
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration", s)
	}
	return d, nil
}

// ErrInvalidKeyRequest wraps what is wrong with a KeyRequest.
var ErrInvalidKeyRequest = errors.New("invalid key request")

// NewKey creates an API key in s and returns it; the key is in the answer
// only, never stored.
func NewKey(ctx context.Context, s *store.Store, req KeyRequest, now time.Time) (KeyInfo, error) {
	bad := func(format string, args ...any) (KeyInfo, error) {
		return KeyInfo{}, fmt.Errorf("%w: %s", ErrInvalidKeyRequest, fmt.Sprintf(format, args...))
	}
	if !validName(req.Name) {
		return bad("name %q: use 1-64 letters, digits, '.', '_' or '-'", req.Name)
	}
	for _, sv := range req.Services {
		if sv != "*" && !validName(sv) {
			return bad("service %q is not a service name", sv)
		}
	}
	if !req.Admin && len(req.Services) == 0 {
		return bad("a key needs the admin scope or at least one service (\"*\" for all)")
	}
	k := &store.Key{Name: req.Name, Admin: req.Admin, Services: req.Services, Created: now.UTC()}
	if req.ExpiresIn != "" {
		d, err := ParseExpiry(req.ExpiresIn)
		if err != nil {
			return bad("expires_in: %v", err)
		}
		k.Expires = now.Add(d).UTC()
	}
	key, id, hash := apikey.New()
	k.ID, k.Hash = id, hash
	if err := s.CreateKey(ctx, k); err != nil {
		return KeyInfo{}, err
	}
	info := keyInfo(k, now)
	info.Key = key
	return info, nil
}

// ListKeys describes every key, revoked ones too.
func ListKeys(ctx context.Context, s *store.Store, now time.Time) ([]KeyInfo, error) {
	keys, err := s.Keys(ctx)
	if err != nil {
		return nil, err
	}
	out := []KeyInfo{}
	for _, k := range keys {
		out = append(out, keyInfo(k, now))
	}
	return out, nil
}

func (g *Gateway) createKey(w http.ResponseWriter, r *http.Request) {
	body, p := readJSONBody(w, r, 64<<10)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	var req KeyRequest
	if p := decodeStrict(body, &req); p != nil {
		writeProblem(w, r, p)
		return
	}
	info, err := NewKey(r.Context(), g.store, req, g.cfg.Now())
	switch {
	case errors.Is(err, ErrInvalidKeyRequest):
		writeProblem(w, r, invalid("", strings.TrimPrefix(err.Error(), ErrInvalidKeyRequest.Error()+": ")))
		return
	case errors.Is(err, store.ErrExists):
		writeProblem(w, r, problem(http.StatusConflict, "conflict", "Conflict", fmt.Sprintf("an active key is named %q", req.Name)))
		return
	case err != nil:
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	g.log.Info("api key created", "name", info.Name, "id", info.ID, "admin", info.Admin, "by", keyOf(r).Name)
	w.Header().Set("Location", "/v1/admin/keys/"+info.Name)
	writeJSON(w, http.StatusCreated, info)
}

func (g *Gateway) listKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := ListKeys(r.Context(), g.store, g.cfg.Now())
	if err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": keys})
}

func (g *Gateway) revokeKey(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := g.store.RevokeKey(r.Context(), name, g.cfg.Now()); errors.Is(err, store.ErrNotFound) {
		writeProblem(w, r, problem(http.StatusNotFound, "unknown-key", "Unknown Key", fmt.Sprintf("no active key is named %q", name)))
		return
	} else if err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	g.keys.forget()
	g.log.Info("api key revoked", "name", name, "by", keyOf(r).Name)
	w.WriteHeader(http.StatusNoContent)
}
