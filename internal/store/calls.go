package store

import (
	"context"
	"database/sql"
	"strings"
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

// callsPerInsert is how many call records one INSERT statement writes:
// a statement costs the driver about as much as a row.
const callsPerInsert = 16

// insertCallsSQL is the INSERT of n call records.
func insertCallsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO calls (at, service, operation, port, key_name, status, latency_us, outcome, error) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	}
	return b.String()
}

// RecordCalls appends calls to the log and notes when each key was last
// used, in one transaction, then trims the log to the newest keep entries.
// When ctx ends the transaction is rolled back; a statement under way is
// not interrupted.
func (s *Store) RecordCalls(ctx context.Context, calls []Call, keep int) error {
	if len(calls) == 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// The driver watches a cancellable context with a goroutine per
	// statement; the transaction watches ctx already.
	sctx := context.WithoutCancel(ctx)
	args := make([]any, 0, 9*min(len(calls), callsPerInsert))
	var many, one *sql.Stmt
	used := map[string]int64{}
	for len(calls) > 0 {
		n := min(len(calls), callsPerInsert)
		if n < callsPerInsert {
			n = 1
		}
		args = args[:0]
		for _, c := range calls[:n] {
			at := millis(c.At)
			args = append(args, at, c.Service, c.Operation, c.Port, c.Key, c.Status, c.Latency.Microseconds(), c.Outcome, c.Error)
			if c.Key != "" && at > used[c.Key] {
				used[c.Key] = at
			}
		}
		stmt := &one
		if n > 1 {
			stmt = &many
		}
		if *stmt == nil {
			prepared := s.insertCall
			if n > 1 {
				prepared = s.insertCalls
			}
			*stmt = tx.StmtContext(sctx, prepared) // closed with tx
		}
		if _, err := (*stmt).ExecContext(sctx, args...); err != nil {
			return err
		}
		calls = calls[n:]
	}
	for name, at := range used {
		if _, err := tx.StmtContext(sctx, s.keyUsed).ExecContext(sctx, at, name); err != nil {
			return err
		}
	}
	if keep > 0 {
		if _, err := tx.StmtContext(sctx, s.trimCalls).ExecContext(sctx, keep); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
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
