package fetch

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

const (
	// maxReadsAhead bounds the documents read at once on other
	// goroutines: remote imports are fetched side by side, a WCF service's
	// ?xsd=xsd0..xsdN in about the time of the slowest.
	maxReadsAhead = 6
	// maxParseAhead is the largest document parsed ahead; a larger one is
	// only read ahead and parsed by Load, so that the trees being built at
	// once stay small (a tree takes tens of bytes per byte of markup).
	maxParseAhead = 4 << 20
)

// readAhead holds what the Loader reads ahead on other goroutines until
// Load claims it.
type readAhead struct {
	refs   func(*xmltree.Document) []string // nil: nothing is read ahead
	stop   context.Context                  // done once the Loader is closed
	cancel context.CancelFunc
	reads  chan struct{} // a token per read in progress
	parses chan struct{} // a token per parse in progress

	mu      sync.Mutex
	stopped bool
	known   map[string]bool // loaded or read ahead: not read ahead again
	pending map[string]*ahead
	bytes   int64 // read ahead and not claimed yet
}

// ahead is one document read ahead. Its fields are written before done is
// closed and read after.
type ahead struct {
	done chan struct{}
	// skip leaves the document to Load: it was not read (the Loader was
	// closed, or the limits left no room for it).
	skip bool
	data []byte            // the document, when it was not parsed
	doc  *xmltree.Document // or its tree (data dropped)
	size int64             // its length in bytes
	err  error
}

func (a *readAhead) init() {
	a.stop, a.cancel = context.WithCancel(context.Background())
	a.reads = make(chan struct{}, maxReadsAhead)
	a.parses = make(chan struct{}, runtime.GOMAXPROCS(0))
	a.known = make(map[string]bool)
	a.pending = make(map[string]*ahead)
}

// ReadAhead has the Loader read documents before they are asked for. From
// then on, refs lists for each document the Loader parses the URIs of the
// documents it references (its imports and includes, resolved with
// Resolve), and the Loader reads them on other goroutines, side by side,
// and parses the small ones, so that a later Load finds them ready:
// remote imports are fetched together instead of one round trip after the
// other, and local ones parsed while the compile goes on. refs is called
// from several goroutines at once; it must only read the document.
//
// What is read ahead counts against the Loader's limits; a document there
// is no room for is left to Load, which reads it itself and says why it
// fails. Load returns what a document read ahead failed with exactly as if
// it had read it itself. ReadAhead is called before the first Load; Close
// stops reading ahead.
func (l *Loader) ReadAhead(refs func(doc *xmltree.Document) []string) {
	l.ahead.refs = refs
}

// Close stops reading ahead and drops what was read ahead and not loaded.
// The Loader's documents stay; Load still works, reading what it needs
// itself.
func (l *Loader) Close() {
	a := &l.ahead
	a.mu.Lock()
	a.stopped = true
	clear(a.pending)
	a.mu.Unlock()
	a.cancel()
}

// loaded records that Load has the document at uri, and reads ahead what
// it references.
func (l *Loader) loaded(ctx context.Context, doc *xmltree.Document) {
	a := &l.ahead
	a.mu.Lock()
	a.known[doc.URI] = true
	a.mu.Unlock()
	l.follow(ctx, doc, l.entry())
}

// follow starts reading ahead the documents doc references that are not
// loaded or being read already. entry is the entry document's URI, which
// names documents in messages.
func (l *Loader) follow(ctx context.Context, doc *xmltree.Document, entry string) {
	a := &l.ahead
	if a.refs == nil {
		return
	}
	refs := a.refs(doc)
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, uri := range refs {
		if a.stopped || len(a.known) >= l.opts.Limits.MaxDocuments {
			return
		}
		if a.known[uri] {
			continue
		}
		a.known[uri] = true
		r := &ahead{done: make(chan struct{})}
		a.pending[uri] = r
		go l.readAhead(ctx, uri, entry, r)
	}
}

// readAhead reads (and parses) one document ahead; parent is the context
// of the Load that led to it.
func (l *Loader) readAhead(parent context.Context, uri, entry string, r *ahead) {
	defer close(r.done)
	a := &l.ahead
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	defer context.AfterFunc(a.stop, cancel)()

	select {
	case a.reads <- struct{}{}:
	case <-ctx.Done():
		r.skip = true
		return
	}
	data, err := l.read(ctx, uri)
	<-a.reads
	if err != nil {
		// Closed, the read failed only for that, and nobody will ask.
		r.err, r.skip = err, a.stop.Err() != nil
		return
	}

	r.size = int64(len(data))
	a.mu.Lock()
	room := a.bytes+r.size+l.total.Load() <= l.opts.Limits.MaxTotalSize
	if room {
		a.bytes += r.size
	}
	a.mu.Unlock()
	if !room {
		r.skip, r.size = true, 0
		return
	}
	if len(data) > maxParseAhead {
		r.data = data
		return
	}
	select {
	case a.parses <- struct{}{}:
	case <-ctx.Done():
		r.data = data
		return
	}
	name := shortName(entry, uri)
	// Load counts the nodes when it takes the document, and refuses it
	// then if they are too many: parsed with what is left now, which is
	// at least as much, the document fails here only if Load would.
	doc, err := xmltree.Parse(data, name, l.nodesLeft())
	<-a.parses
	if err != nil {
		r.err = err
		if errors.Is(err, xmltree.ErrTooManyNodes) {
			r.err = l.tooManyNodes(name)
		}
		return
	}
	doc.URI, doc.Name = uri, name
	r.doc = doc
	l.follow(parent, doc, entry)
}

// claim takes what was read ahead of uri, waiting for it to be read: nil
// when it was not read ahead.
func (a *readAhead) claim(ctx context.Context, uri string) (*ahead, error) {
	a.mu.Lock()
	r := a.pending[uri]
	delete(a.pending, uri)
	a.mu.Unlock()
	if r == nil {
		return nil, nil
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	a.mu.Lock()
	a.bytes -= r.size
	a.mu.Unlock()
	if r.skip {
		return nil, nil
	}
	return r, nil
}
