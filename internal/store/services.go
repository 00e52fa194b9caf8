package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/secret"
)

// Service is a registered WSDL.
type Service struct {
	Name string
	// SourceURL is the WSDL's URL, "" for an upload.
	SourceURL string
	// Bundle is the zip of uploaded documents and Entry the entry
	// document in it; nil for a URL.
	Bundle []byte
	Entry  string
	// Model is the compiled model (wsdl.Model.MarshalBinary).
	Model []byte
	// SourceCredentials are the sealed credentials of SourceURL (its
	// user:password), nil when it has none. They are stored among the
	// service's credentials under the field SourceCredentials, which
	// SetAuth keeps.
	SourceCredentials *secret.Sealed
	// Auth is the upstream auth configuration without its secrets (JSON).
	Auth    []byte
	Created time.Time
	Updated time.Time
}

// SourceCredentials is the credential field of a service's source URL
// credentials (see Service.SourceCredentials).
const SourceCredentials = "source"

const serviceColumns = `name, source_url, bundle, entry, model, auth, created_at, updated_at`

// serviceSelect reads services with their source credentials.
const serviceSelect = `SELECT s.name, s.source_url, s.bundle, s.entry, s.model, s.auth, s.created_at, s.updated_at, c.key_id, c.data
	FROM services s LEFT JOIN credentials c ON c.service = s.name AND c.field = '` + SourceCredentials + `'`

func scanService(row interface{ Scan(...any) error }) (*Service, error) {
	var sv Service
	var created, updated int64
	var auth string
	var keyID sql.NullString
	var data []byte
	if err := row.Scan(&sv.Name, &sv.SourceURL, &sv.Bundle, &sv.Entry, &sv.Model, &auth, &created, &updated, &keyID, &data); err != nil {
		return nil, err
	}
	if keyID.Valid {
		sv.SourceCredentials = &secret.Sealed{KeyID: keyID.String, Data: data}
	}
	sv.Auth = []byte(auth)
	sv.Created, sv.Updated = fromMillis(created), fromMillis(updated)
	return &sv, nil
}

// CreateService stores a new service with its source credentials;
// ErrExists when the name is taken.
func (s *Store) CreateService(ctx context.Context, sv *Service) error {
	auth := string(sv.Auth)
	if auth == "" {
		auth = `{"type":"none"}`
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `INSERT INTO services (`+serviceColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		sv.Name, sv.SourceURL, sv.Bundle, sv.Entry, sv.Model, auth, millis(sv.Created), millis(sv.Updated))
	if err != nil && isUniqueViolation(err) {
		return fmt.Errorf("service %q: %w", sv.Name, ErrExists)
	}
	if err != nil {
		return err
	}
	if err := setSourceCredentials(ctx, tx, sv); err != nil {
		return err
	}
	return tx.Commit()
}

// ReplaceSource stores a re-imported service's source, model and source
// credentials (sv.SourceCredentials: nil removes them), keeping its auth
// configuration and credentials.
func (s *Store) ReplaceSource(ctx context.Context, sv *Service) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE services SET source_url = ?, bundle = ?, entry = ?, model = ?, updated_at = ? WHERE name = ?`,
		sv.SourceURL, sv.Bundle, sv.Entry, sv.Model, millis(sv.Updated), sv.Name)
	if err := affected(res, err, "service", sv.Name); err != nil {
		return err
	}
	if err := setSourceCredentials(ctx, tx, sv); err != nil {
		return err
	}
	return tx.Commit()
}

// setSourceCredentials replaces sv's source credentials with
// sv.SourceCredentials.
func setSourceCredentials(ctx context.Context, tx *sql.Tx, sv *Service) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE service = ? AND field = ?`, sv.Name, SourceCredentials); err != nil {
		return err
	}
	if c := sv.SourceCredentials; c != nil {
		_, err := tx.ExecContext(ctx, `INSERT INTO credentials (service, field, key_id, data) VALUES (?, ?, ?, ?)`, sv.Name, SourceCredentials, c.KeyID, c.Data)
		return err
	}
	return nil
}

// Service returns one service.
func (s *Store) Service(ctx context.Context, name string) (*Service, error) {
	sv, err := scanService(s.db.QueryRowContext(ctx, serviceSelect+` WHERE s.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("service %q: %w", name, ErrNotFound)
	}
	return sv, err
}

// Services returns every service, ordered by name.
func (s *Store) Services(ctx context.Context) ([]*Service, error) {
	rows, err := s.db.QueryContext(ctx, serviceSelect+` ORDER BY s.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Service
	for rows.Next() {
		sv, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sv)
	}
	return out, rows.Err()
}

// DeleteService removes a service with its credentials.
func (s *Store) DeleteService(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM services WHERE name = ?`, name)
	return affected(res, err, "service", name)
}

// SetAuth replaces a service's auth configuration and all its sealed
// credentials but its source's (SourceCredentials) in one transaction.
// Credentials are keyed by field name.
func (s *Store) SetAuth(ctx context.Context, service string, config []byte, creds map[string]secret.Sealed) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE services SET auth = ?, updated_at = ? WHERE name = ?`, string(config), millis(time.Now()), service)
	if err := affected(res, err, "service", service); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM credentials WHERE service = ? AND field <> ?`, service, SourceCredentials); err != nil {
		return err
	}
	for field, sealed := range creds {
		if field == SourceCredentials {
			return fmt.Errorf("store: credential field %q is the source's", field)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO credentials (service, field, key_id, data) VALUES (?, ?, ?, ?)`,
			service, field, sealed.KeyID, sealed.Data); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Credentials returns a service's sealed credentials by field.
func (s *Store) Credentials(ctx context.Context, service string) (map[string]secret.Sealed, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT field, key_id, data FROM credentials WHERE service = ?`, service)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]secret.Sealed{}
	for rows.Next() {
		var field string
		var sl secret.Sealed
		if err := rows.Scan(&field, &sl.KeyID, &sl.Data); err != nil {
			return nil, err
		}
		out[field] = sl
	}
	return out, rows.Err()
}

// Reseal passes every stored credential not sealed under keepID to reseal
// and stores what it returns, each in its own short transaction so the
// gateway keeps serving. It returns how many it re-sealed.
func (s *Store) Reseal(ctx context.Context, keepID string, reseal func(service, field string, old secret.Sealed) (secret.Sealed, error)) (int, error) {
	type row struct {
		service, field string
		old            secret.Sealed
	}
	rows, err := s.db.QueryContext(ctx, `SELECT service, field, key_id, data FROM credentials WHERE key_id <> ?`, keepID)
	if err != nil {
		return 0, err
	}
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.service, &r.field, &r.old.KeyID, &r.old.Data); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range todo {
		nw, err := reseal(r.service, r.field, r.old)
		if err != nil {
			return n, fmt.Errorf("service %q field %s: %w", r.service, r.field, err)
		}
		// Only replace the value that was read: a concurrent SetAuth wins.
		res, err := s.db.ExecContext(ctx, `UPDATE credentials SET key_id = ?, data = ? WHERE service = ? AND field = ? AND key_id = ? AND data = ?`,
			nw.KeyID, nw.Data, r.service, r.field, r.old.KeyID, r.old.Data)
		if err != nil {
			return n, err
		}
		if c, _ := res.RowsAffected(); c == 1 {
			n++
		}
	}
	return n, nil
}

// KeyIDsInUse lists the master key ids the stored credentials are sealed
// under.
func (s *Store) KeyIDsInUse(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT key_id FROM credentials ORDER BY key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func affected(res sql.Result, err error, what, name string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%s %q: %w", what, name, ErrNotFound)
	}
	return nil
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}
