package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"io"
	"strings"
)

const prefix = "sbk_"

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New returns a new key, its id and the hash to store.
func New() (key, id string, hash []byte) {
	var b [6 + 32]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		panic("apikey: no randomness: " + err.Error())
	}
	id = idEncoding.EncodeToString(b[:6])[:10]
	key = prefix + id + "_" + base64.RawURLEncoding.EncodeToString(b[6:])
	return key, id, Hash(key)
}

// ErrMalformed is returned by ID for text that is not a soapbridge key.
var ErrMalformed = errors.New("apikey: not a soapbridge API key (sbk_...)")

// ID returns the id part of a presented key.
func ID(key string) (string, error) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", ErrMalformed
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 10 || len(secret) != 43 {
		return "", ErrMalformed
	}
	return id, nil
}

// Hash returns the SHA-256 hash of a key.
func Hash(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// Match reports, in constant time, whether key hashes to hash.
func Match(key string, hash []byte) bool {
	return subtle.ConstantTimeCompare(Hash(key), hash) == 1
}
