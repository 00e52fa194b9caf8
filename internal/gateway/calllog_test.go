package gateway

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/store"
)

// TestCallLog: records reach the store in order, in batches or by flush,
// whatever their number; close writes what is queued, and a record added
// afterwards is dropped, not a panic.
func TestCallLog(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c := newCallLog(st, slog.New(slog.NewTextHandler(io.Discard, nil)), 10000)
	now := time.Now().Truncate(time.Millisecond).UTC()
	n := 0
	add := func(count int) {
		for range count {
			c.add(store.Call{At: now, Service: "s", Operation: "op" + strconv.Itoa(n), Status: 200, Outcome: "ok"})
			n++
		}
	}
	check := func(want int) {
		t.Helper()
		calls, err := st.Calls(ctx, "", 10000)
		if err != nil || len(calls) != want {
			t.Fatalf("%d calls logged (%v), want %d", len(calls), err, want)
		}
		for i, call := range calls {
			if op := "op" + strconv.Itoa(want-1-i); call.Operation != op {
				t.Fatalf("call %d is %s, want %s", i, call.Operation, op)
			}
		}
	}
	add(3)
	c.flush(ctx)
	check(3)
	add(minBatch + 1)
	c.flush(ctx)
	check(n)
	add(3*maxBatch + 7)
	c.flush(ctx)
	check(n)
	add(5)
	c.close()
	check(n)
	c.add(store.Call{At: now, Service: "s", Operation: "late"})
	c.close()
	check(n)
}
