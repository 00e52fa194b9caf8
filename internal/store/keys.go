package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Key is an API key's record. The key itself is never stored, only its
// hash.
type Key struct {
	ID    string
	Name  string
	Hash  []byte
	Admin bool
	// Services the key may call; "*" means every service.
	Services []string
	Created  time.Time
	Expires  time.Time // zero: never
	Revoked  time.Time // zero: active
	LastUsed time.Time // zero: never used
}

// Active reports whether the key may be used at t.
func (k *Key) Active(t time.Time) bool {
	return k.Revoked.IsZero() && (k.Expires.IsZero() || t.Before(k.Expires))
}

// MayCall reports whether the key may call the service.
func (k *Key) MayCall(service string) bool {
	if k.Admin {
		return true
	}
	for _, s := range k.Services {
		if s == "*" || s == service {
			return true
		}
	}
	return false
}

const keyColumns = `id, name, hash, admin, services, created_at, expires_at, revoked_at, last_used_at`

func scanKey(row interface{ Scan(...any) error }) (*Key, error) {
	var k Key
	var services string
	var created int64
	var expires, revoked, used sql.NullInt64
	if err := row.Scan(&k.ID, &k.Name, &k.Hash, &k.Admin, &services, &created, &expires, &revoked, &used); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(services), &k.Services); err != nil {
		return nil, fmt.Errorf("key %q: services: %w", k.Name, err)
	}
	k.Created, k.Expires, k.Revoked, k.LastUsed = fromMillis(created), fromNull(expires), fromNull(revoked), fromNull(used)
	return &k, nil
}

// CreateKey stores a key record; ErrExists when an active key has the name.
func (s *Store) CreateKey(ctx context.Context, k *Key) error {
	services, err := json.Marshal(append([]string{}, k.Services...))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO api_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
		k.ID, k.Name, k.Hash, k.Admin, string(services), millis(k.Created), nullMillis(k.Expires))
	if isUniqueViolation(err) {
		return fmt.Errorf("key %q: %w", k.Name, ErrExists)
	}
	return err
}

// KeyByID returns the key with the id, active or not.
func (s *Store) KeyByID(ctx context.Context, id string) (*Key, error) {
	k, err := scanKey(s.keyByID.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("key: %w", ErrNotFound)
	}
	return k, err
}

// Keys lists the keys, revoked ones too, by creation.
func (s *Store) Keys(ctx context.Context) ([]*Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+keyColumns+` FROM api_keys ORDER BY created_at, name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Key
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeKey revokes the active key of that name.
func (s *Store) RevokeKey(ctx context.Context, name string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL`, millis(at), name)
	return affected(res, err, "key", name)
}

// HasAdminKey reports whether an active admin key exists.
func (s *Store) HasAdminKey(ctx context.Context, now time.Time) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM api_keys WHERE admin AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, millis(now)).Scan(&n)
	return n > 0, err
}
