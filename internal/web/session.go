package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// session is one logged-in browser. key is the admin API key it acts
// with; it never leaves the server.
type session struct {
	key      string
	csrf     string
	created  time.Time
	lastSeen time.Time
}

// sessions is an in-memory session store. Sessions are found by the
// SHA-256 of their id, so the map never holds a usable id and a lookup
// does not compare secrets byte by byte.
type sessions struct {
	idle, maxAge time.Duration
	max          int
	now          func() time.Time

	mu   sync.Mutex
	byID map[[32]byte]*session
}

func newSessions(idle, maxAge time.Duration, max int, now func() time.Time) *sessions {
	return &sessions{idle: idle, maxAge: maxAge, max: max, now: now, byID: map[[32]byte]*session{}}
}

// randomToken returns 256 random bits, base64url without padding.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionHash(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// create starts a session for key and returns its id. Expired sessions are
// dropped first; when the store is still full, the least recently used
// session is ended.
func (s *sessions) create(key string) (string, *session) {
	id := randomToken()
	now := s.now()
	ss := &session{key: key, csrf: randomToken(), created: now, lastSeen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
	if len(s.byID) >= s.max {
		var oldest [32]byte
		var at time.Time
		for h, v := range s.byID {
			if at.IsZero() || v.lastSeen.Before(at) {
				oldest, at = h, v.lastSeen
			}
		}
		delete(s.byID, oldest)
	}
	s.byID[sessionHash(id)] = ss
	return id, ss
}

// get returns the live session of id and marks it used, or nil.
func (s *sessions) get(id string) *session {
	if id == "" {
		return nil
	}
	now := s.now()
	h := sessionHash(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.byID[h]
	if ss == nil {
		return nil
	}
	if s.expired(ss, now) {
		delete(s.byID, h)
		return nil
	}
	ss.lastSeen = now
	return ss
}

// end removes the session of id, if any.
func (s *sessions) end(id string) {
	s.mu.Lock()
	delete(s.byID, sessionHash(id))
	s.mu.Unlock()
}

// len counts the stored sessions, expired ones included until pruned.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

func (s *sessions) expired(ss *session, now time.Time) bool {
	return now.Sub(ss.lastSeen) > s.idle || now.Sub(ss.created) > s.maxAge
}

func (s *sessions) pruneLocked(now time.Time) {
	for h, ss := range s.byID {
		if s.expired(ss, now) {
			delete(s.byID, h)
		}
	}
}

// validCSRF reports, in constant time, whether token is the session's.
func (ss *session) validCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(ss.csrf)) == 1
}
