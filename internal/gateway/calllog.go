package gateway

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/soapbridge/soapbridge/internal/store"
)

// callLog writes call records to the store in batches, off the request
// path. When the store falls behind, records are dropped (and counted)
// rather than slowing calls down.
type callLog struct {
	store   *store.Store
	log     *slog.Logger
	keep    int
	ch      chan store.Call
	flushes chan chan struct{}
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	dropped int
}

func newCallLog(s *store.Store, log *slog.Logger, keep int) *callLog {
	c := &callLog{store: s, log: log, keep: keep, ch: make(chan store.Call, 4096), flushes: make(chan chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *callLog) add(call store.Call) {
	select {
	case c.ch <- call:
	default:
		c.mu.Lock()
		c.dropped++
		c.mu.Unlock()
	}
}

func (c *callLog) run() {
	defer close(c.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	var batch []store.Call
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := c.store.RecordCalls(ctx, batch, c.keep); err != nil {
			c.log.Warn("writing the call log failed", "calls", len(batch), "error", err)
		}
		cancel()
		batch = batch[:0]
		c.mu.Lock()
		if c.dropped > 0 {
			c.log.Warn("call log entries dropped: the store is too slow", "dropped", c.dropped)
			c.dropped = 0
		}
		c.mu.Unlock()
	}
	for {
		select {
		case call, ok := <-c.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, call)
			// Small batches: a long write delays the calls that wait
			// for the CPU meanwhile (the p99 of scripts/load.sh). But
			// a write costs the store about as much as 25 records
			// (BenchmarkRecordCalls): 64 records cost about 40% less
			// a record than 16, in a write of about half a
			// millisecond. When more records wait already (the
			// writer falls behind) they go in the same write.
			if len(batch) >= minBatch {
				batch = drain(c.ch, batch, maxBatch)
				flush()
			}
		case <-tick.C:
			flush()
		case reply := <-c.flushes:
			// Take what is queued, so the caller reads every call
			// answered before it asked.
			batch = drain(c.ch, batch, -1)
			flush()
			close(reply)
		}
	}
}

// Batch sizes of the call log's writes: minBatch records, or up to
// maxBatch when more are queued.
const (
	minBatch = 64
	maxBatch = 256
)

// drain appends the calls queued in ch to batch without waiting, until
// batch holds max calls (max < 0: all of them).
func drain(ch <-chan store.Call, batch []store.Call, max int) []store.Call {
	for max < 0 || len(batch) < max {
		select {
		case call, ok := <-ch:
			if !ok {
				return batch
			}
			batch = append(batch, call)
		default:
			return batch
		}
	}
	return batch
}

// flush writes every call added so far before it returns (or when ctx
// ends).
func (c *callLog) flush(ctx context.Context) {
	reply := make(chan struct{})
	select {
	case c.flushes <- reply:
	case <-c.done:
		return
	case <-ctx.Done():
		return
	}
	select {
	case <-reply:
	case <-ctx.Done():
	}
}

// close writes what is queued and stops the writer.
func (c *callLog) close() {
	c.once.Do(func() { close(c.ch) })
	<-c.done
}
