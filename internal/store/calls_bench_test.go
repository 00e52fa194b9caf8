package store

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkRecordCalls writes batches of call records, as the gateway's
// call log does (64 at a time, more when the store falls behind), into a
// table already at its size limit.
func BenchmarkRecordCalls(b *testing.B) {
	for _, n := range []int{16, 64, 256} {
		b.Run("batch="+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			s, err := Open(ctx, filepath.Join(b.TempDir(), "db"))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			batch := make([]Call, n)
			for i := range batch {
				batch[i] = Call{At: time.Now(), Service: "inventory", Operation: "GetItems", Port: "InventorySoap11", Key: "shop", Status: 200, Latency: 300 * time.Microsecond, Outcome: "ok"}
			}
			for range 10240 / n {
				if err := s.RecordCalls(ctx, batch, 10000); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for range b.N {
				// The context of the gateway's call log, with a deadline.
				ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				if err := s.RecordCalls(ctx, batch, 10000); err != nil {
					b.Fatal(err)
				}
				cancel()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e3/float64(b.N*len(batch)), "µs/call")
		})
	}
}
