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
//
// Calls queue records under a mutex; the writer is woken once per batch
// (or by its ticker), not once per call: a goroutine wake-up per call
// costs the scheduler more than queuing the record does.
type callLog struct {
	store   *store.Store
	log     *slog.Logger
	keep    int
	wake    chan struct{} // a batch is queued (buffered: one pending signal)
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	mu      sync.Mutex
	queued  []store.Call // added, not yet taken by the writer
	spare   []store.Call // the writer's last batch, reused as the next queue
	dropped int
	closed  bool
}

// Batch sizes of the call log's writes, and how many records may wait.
const (
	// Small batches: a long write delays the calls that wait for the CPU
	// meanwhile (the p99 of scripts/load.sh). But a write costs the
	// store about as much as 25 records (BenchmarkRecordCalls): 64
	// records cost about 40% less a record than 16, in a write of about
	// half a millisecond. When more records wait already (the writer
	// fell behind) they go in the same write, up to maxBatch.
	minBatch  = 64
	maxBatch  = 256
	maxQueued = 4096
)

func newCallLog(s *store.Store, log *slog.Logger, keep int) *callLog {
	c := &callLog{store: s, log: log, keep: keep, wake: make(chan struct{}, 1), flushes: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

// add queues a record without waiting; it is dropped (and counted) when
// maxQueued records wait already, or after close.
func (c *callLog) add(call store.Call) {
	c.mu.Lock()
	if c.closed || len(c.queued) >= maxQueued {
		c.dropped++
		c.mu.Unlock()
		return
	}
	c.queued = append(c.queued, call)
	n := len(c.queued)
	c.mu.Unlock()
	if n == minBatch {
		select {
		case c.wake <- struct{}{}:
		default: // the writer has a signal pending already
		}
	}
}

func (c *callLog) run() {
	defer close(c.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.wake:
			c.write(false)
		case <-tick.C:
			c.write(true)
		case reply := <-c.flushes:
			// Everything queued, so the caller reads every call
			// answered before it asked.
			c.write(true)
			close(reply)
		case <-c.stop:
			c.write(true)
			return
		}
	}
}

// write writes the queued records in batches of at most maxBatch: all of
// them, or with all unset, while at least minBatch wait.
func (c *callLog) write(all bool) {
	for {
		c.mu.Lock()
		n := len(c.queued)
		if n == 0 || !all && n < minBatch {
			c.mu.Unlock()
			return
		}
		var batch []store.Call
		if n <= maxBatch {
			batch, c.queued, c.spare = c.queued, c.spare[:0], nil
		} else {
			batch = append(c.spare[:0], c.queued[:maxBatch]...)
			c.queued = append(c.queued[:0], c.queued[maxBatch:]...)
			c.spare = nil
		}
		c.mu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := c.store.RecordCalls(ctx, batch, c.keep); err != nil {
			c.log.Warn("writing the call log failed", "calls", len(batch), "error", err)
		}
		cancel()
		clear(batch) // the records' strings can go
		c.mu.Lock()
		c.spare = batch[:0]
		dropped := c.dropped
		c.dropped = 0
		c.mu.Unlock()
		if dropped > 0 {
			c.log.Warn("call log entries dropped: the store is too slow", "dropped", dropped)
		}
	}
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

// close writes what is queued and stops the writer. Records added later
// are dropped.
func (c *callLog) close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		close(c.stop)
	})
	<-c.done
}
