package store

import (
	"context"
	"time"
)

// Call is one entry of the call log. It holds no request or response body.
type Call struct {
	At        time.Time
	Service   string
	Operation string
	Port      string
	Key       string // the key's name
	Status    int    // the HTTP status soapbridge answered
	Latency   time.Duration
	// Outcome is "ok", "fault", "invalid", "upstream" (a transport or
	// upstream HTTP problem) or "error".
	Outcome string
	// Error is a short description of what went wrong; never a secret.
	Error string
}

// RecordCalls appends calls to the log and notes when each key was last
// used, in one transaction, then trims the log to the newest keep entries.
func (s *Store) RecordCalls(ctx context.Context, calls []Call, keep int) error {
	if len(calls) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	insert := tx.StmtContext(ctx, s.insertCall)
	defer insert.Close()
	used := map[string]int64{}
	for _, c := range calls {
		if _, err := insert.ExecContext(ctx, millis(c.At), c.Service, c.Operation, c.Port, c.Key, c.Status, c.Latency.Microseconds(), c.Outcome, c.Error); err != nil {
			return err
		}
		if c.Key != "" && millis(c.At) > used[c.Key] {
			used[c.Key] = millis(c.At)
		}
	}
	for name, at := range used {
		if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ? WHERE name = ? AND revoked_at IS NULL`, at, name); err != nil {
			return err
		}
	}
	if keep > 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE id <= (SELECT max(id) FROM calls) - ?`, keep); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Calls returns the newest calls, newest first; service "" means all.
func (s *Store) Calls(ctx context.Context, service string, limit int) ([]Call, error) {
	q := `SELECT at, service, operation, port, key_name, status, latency_us, outcome, error FROM calls`
	args := []any{}
	if service != "" {
		q += ` WHERE service = ?`
		args = append(args, service)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Call
	for rows.Next() {
		var c Call
		var at, lat int64
		if err := rows.Scan(&at, &c.Service, &c.Operation, &c.Port, &c.Key, &c.Status, &lat, &c.Outcome, &c.Error); err != nil {
			return nil, err
		}
		c.At, c.Latency = fromMillis(at), time.Duration(lat)*time.Microsecond
		out = append(out, c)
	}
	return out, rows.Err()
}
