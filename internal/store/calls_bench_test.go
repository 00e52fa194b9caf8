package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkRecordCalls writes batches of 256 call records, as the
// gateway's call log does under load, into a table already at its size
// limit.
func BenchmarkRecordCalls(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	batch := make([]Call, 256)
	for i := range batch {
		batch[i] = Call{At: time.Now(), Service: "inventory", Operation: "GetItems", Port: "InventorySoap11", Key: "shop", Status: 200, Latency: 300 * time.Microsecond, Outcome: "ok"}
	}
	for range 40 {
		if err := s.RecordCalls(ctx, batch, 10000); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		if err := s.RecordCalls(ctx, batch, 10000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(batch)), "µs/call")
}
