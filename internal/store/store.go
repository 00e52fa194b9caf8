package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is returned for a service or key that does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when creating what already exists.
var ErrExists = errors.New("already exists")

// Store is the database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	// keyByID is prepared once: it runs on every API request.
	keyByID *sql.Stmt
	// The statements of RecordCalls are prepared once: they run for
	// every batch of calls logged. insertCalls writes callsPerInsert rows.
	insertCall, insertCalls, keyUsed, trimCalls *sql.Stmt
}

// Open opens (creating when needed) the SQLite database at path and brings
// its schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	// Create the file ourselves so it is 0600 from the start; SQLite
	// creates the -wal and -shm files with the database's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &Store{db: db, path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.insertCall, insertCallsSQL(1)},
		{&s.insertCalls, insertCallsSQL(callsPerInsert)},
		{&s.keyUsed, `UPDATE api_keys SET last_used_at = ? WHERE name = ? AND revoked_at IS NULL`},
		{&s.trimCalls, `DELETE FROM calls WHERE id <= (SELECT max(id) FROM calls) - ?`},
		{&s.keyByID, `SELECT ` + keyColumns + ` FROM api_keys WHERE id = ?`},
	} {
		if *p.stmt, err = db.PrepareContext(ctx, p.sql); err != nil {
			s.closeStatements()
			db.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.closeStatements()
	return s.db.Close()
}

// closeStatements closes the prepared statements that are open.
func (s *Store) closeStatements() {
	for _, st := range []*sql.Stmt{s.keyByID, s.insertCall, s.insertCalls, s.keyUsed, s.trimCalls} {
		if st != nil {
			st.Close()
		}
	}
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

var migrations = []string{
	`CREATE TABLE services (
		name TEXT PRIMARY KEY,
		source_url TEXT NOT NULL DEFAULT '',
		bundle BLOB,
		entry TEXT NOT NULL DEFAULT '',
		model BLOB NOT NULL,
		auth TEXT NOT NULL DEFAULT '{"type":"none"}',
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	);
	CREATE TABLE credentials (
		service TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
		field TEXT NOT NULL,
		key_id TEXT NOT NULL,
		data BLOB NOT NULL,
		PRIMARY KEY (service, field)
	);
	CREATE TABLE api_keys (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		hash BLOB NOT NULL,
		admin INTEGER NOT NULL,
		services TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		expires_at INTEGER,
		revoked_at INTEGER,
		last_used_at INTEGER
	);
	CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
	CREATE TABLE calls (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		at INTEGER NOT NULL,
		service TEXT NOT NULL,
		operation TEXT NOT NULL,
		port TEXT NOT NULL,
		key_name TEXT NOT NULL,
		status INTEGER NOT NULL,
		latency_us INTEGER NOT NULL,
		outcome TEXT NOT NULL,
		error TEXT NOT NULL
	);
	CREATE INDEX calls_service_at ON calls(service, at);`,
}

func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("the database has schema version %d; this soapbridge knows up to %d: upgrade soapbridge", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMillis(n.Int64)
}
