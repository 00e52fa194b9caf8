package gateway

import (
	"context"
	"sync"
	"time"

	"github.com/soapbridge/soapbridge/internal/store"
)

// keyTTL is how long a key read from the store is trusted without reading
// it again. A key revoked through the admin API (or the dashboard) stops
// working at once; one revoked by `soapbridge keys revoke` in another
// process while the gateway runs, within keyTTL.
const keyTTL = time.Second

// keyCache holds recently read API keys by id, so that a busy client does
// not cost a store read per request. Every request still compares the
// presented secret with the key's hash and checks its expiry.
type keyCache struct {
	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	key  *store.Key
	read time.Time
}

// maxCachedKeys bounds the cache: presented ids are attacker-chosen only
// once they exist in the store, but the bound keeps memory flat anyway.
const maxCachedKeys = 4096

// get returns the key with that id, from the cache when it was read less
// than keyTTL ago, else from the store. The age is measured on this
// machine's monotonic clock, whatever clock decides expiry.
func (c *keyCache) get(ctx context.Context, st *store.Store, id string) (*store.Key, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.keys[id]
	c.mu.Unlock()
	if ok && now.Sub(e.read) < keyTTL {
		return e.key, nil
	}
	k, err := st.KeyByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = make(map[string]cachedKey)
	}
	c.keys[id] = cachedKey{key: k, read: now}
	c.mu.Unlock()
	return k, nil
}

// forget empties the cache: a key was revoked.
func (c *keyCache) forget() {
	c.mu.Lock()
	c.keys = nil
	c.mu.Unlock()
}
