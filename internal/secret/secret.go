package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// KeySize is the size of a master key in bytes (AES-256).
const KeySize = 32

// Key is one master key. Its ID is derived from the key, so it names the key
// without revealing it.
type Key struct {
	ID   string
	aead cipher.AEAD
}

// NewKey makes a Key of 32 bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("secret: a master key is %d bytes, not %d", KeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("soapbridge master key id\x00"), raw...))
	return &Key{ID: hex.EncodeToString(sum[:6]), aead: aead}, nil
}

// GenerateKey returns the base64 text of a new random master key.
func GenerateKey() string {
	raw := make([]byte, KeySize)
	if _, err := io.ReadFull(rand.Reader, raw); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// ParseKey reads the base64 text of a master key.
func ParseKey(text string) (*Key, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil {
		return nil, errors.New("secret: a master key is the base64 of 32 bytes; this is not base64")
	}
	return NewKey(raw)
}

// Sealed is an encrypted value and the id of the key that sealed it.
type Sealed struct {
	KeyID string
	// Data is the nonce followed by the ciphertext and tag.
	Data []byte
}

// Keyring is the current key and older keys kept for opening values not yet
// re-encrypted. A Keyring is immutable and safe for concurrent use.
type Keyring struct {
	keys []*Key // keys[0] is current
}

// NewKeyring returns a Keyring whose current key is current.
func NewKeyring(current *Key, older ...*Key) *Keyring {
	return &Keyring{keys: append([]*Key{current}, older...)}
}

// Current returns the key that seals.
func (r *Keyring) Current() *Key { return r.keys[0] }

// IDs lists the ids of the ring's keys, the current first.
func (r *Keyring) IDs() []string {
	ids := make([]string, len(r.keys))
	for i, k := range r.keys {
		ids[i] = k.ID
	}
	return ids
}

// Has reports whether the ring holds the key with that id.
func (r *Keyring) Has(id string) bool { return r.key(id) != nil }

func (r *Keyring) key(id string) *Key {
	for _, k := range r.keys {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// Seal encrypts plaintext under the current key. context is the associated
// data: the same context must be given to Open.
func (r *Keyring) Seal(plaintext []byte, context string) Sealed {
	k := r.keys[0]
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	return Sealed{KeyID: k.ID, Data: k.aead.Seal(nonce, nonce, plaintext, []byte(context))}
}

// ErrUnknownKey is returned by Open for a value sealed under a key the ring
// does not hold.
var ErrUnknownKey = errors.New("secret: sealed under a master key this keyring does not hold")

// Open decrypts s, checking that it was sealed for context. Its errors never
// contain the plaintext.
func (r *Keyring) Open(s Sealed, context string) ([]byte, error) {
	k := r.key(s.KeyID)
	if k == nil {
		return nil, fmt.Errorf("%w (key id %s)", ErrUnknownKey, s.KeyID)
	}
	n := k.aead.NonceSize()
	if len(s.Data) < n+k.aead.Overhead() {
		return nil, errors.New("secret: sealed value is truncated")
	}
	p, err := k.aead.Open(nil, s.Data[:n], s.Data[n:], []byte(context))
	if err != nil {
		return nil, fmt.Errorf("secret: cannot open the value for %q: wrong key or tampered data", context)
	}
	return p, nil
}
