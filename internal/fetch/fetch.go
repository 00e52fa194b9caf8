package fetch

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/soapbridge/soapbridge/internal/wwwauth"
	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// Limits bound what a Loader reads. Zero fields take the defaults.
type Limits struct {
	MaxDocumentSize int64 // bytes of one document; default 64 MiB
	MaxTotalSize    int64 // bytes of all documents together; default 256 MiB
	MaxDocuments    int   // default 2000
	// MaxNodes bounds the elements, attributes and namespace
	// declarations of all documents together (their trees' memory:
	// about 130 bytes an element); default 2,000,000, 25 times those of
	// the largest WSDL of the shared corpus (Workday's, 4 MB: 77,000).
	MaxNodes int
	Timeout  time.Duration // per remote fetch; default 30s
}

// WithDefaults returns l with its zero fields set to the defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxDocumentSize <= 0 {
		l.MaxDocumentSize = 64 << 20
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = 256 << 20
	}
	if l.MaxDocuments <= 0 {
		l.MaxDocuments = 2000
	}
	if l.MaxNodes <= 0 {
		l.MaxNodes = 2_000_000
	}
	if l.Timeout <= 0 {
		l.Timeout = 30 * time.Second
	}
	return l
}

// Options configure a Loader.
type Options struct {
	Limits Limits
	// Remote allows http(s) fetches. When false, a remote reference is an
	// error saying so.
	Remote bool
	// Client is used for remote fetches; nil means a client with the
	// Limits' timeout.
	Client *http.Client
	// ClientFor, when set, may give another client for a document's URL
	// (nil: Client): the gateway fetches the documents on a service's
	// server the way it calls it, with its upstream authentication.
	ClientFor func(u *url.URL) *http.Client
}

// Loader reads and caches documents. Its methods are not safe for
// concurrent use: a compile uses one Loader from one goroutine, which
// ReadAhead lets read documents on others (see ReadAhead).
type Loader struct {
	opts   Options
	bundle fs.FS // for bundle:/// URIs; nil when the input is not a bundle
	docs   map[string]*xmltree.Document
	order  []string
	total  atomic.Int64 // bytes of the documents loaded
	nodes  atomic.Int64 // their Document.Nodes
	ahead  readAhead
	// creds are the credentials of an input URL (user:password@), by
	// scheme and host: sent as HTTP Basic to that origin, kept out of
	// every URI the Loader gives out.
	creds map[string]*url.Userinfo
}

func newLoader(opts Options) *Loader {
	opts.Limits = opts.Limits.WithDefaults()
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: opts.Limits.Timeout}
	}
	l := &Loader{opts: opts, docs: make(map[string]*xmltree.Document)}
	l.ahead.init()
	return l
}

// Open prepares a Loader for input, which is an http(s) URL, a WSDL file, a
// directory holding one WSDL (its entry), or a .zip bundle. It returns the
// URI of the entry document.
func Open(input string, opts Options) (*Loader, string, error) {
	if u, err := url.Parse(input); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		if !opts.Remote {
			return nil, "", fmt.Errorf("fetch: %s: remote fetching is disabled", u.Redacted())
		}
		l := newLoader(opts)
		if u.User != nil {
			// The documents' URIs name them in messages, logs and the
			// model: they carry no password.
			l.creds = map[string]*url.Userinfo{origin(u): u.User}
			u.User = nil
		}
		return l, u.String(), nil
	}
	fi, err := os.Stat(input)
	if err != nil {
		return nil, "", fmt.Errorf("fetch: %w", err)
	}
	abs, err := filepath.Abs(input)
	if err != nil {
		return nil, "", fmt.Errorf("fetch: %w", err)
	}
	if fi.IsDir() {
		entry, err := findEntry(os.DirFS(abs), input)
		if err != nil {
			return nil, "", err
		}
		return newLoader(opts), fileURI(filepath.Join(abs, filepath.FromSlash(entry))), nil
	}
	if strings.EqualFold(filepath.Ext(input), ".zip") {
		data, err := os.ReadFile(input)
		if err != nil {
			return nil, "", fmt.Errorf("fetch: %w", err)
		}
		return OpenZip(data, filepath.Base(input), opts)
	}
	return newLoader(opts), fileURI(abs), nil
}

// origin is the scheme and host of u, the key of Loader.creds.
func origin(u *url.URL) string { return strings.ToLower(u.Scheme + "://" + u.Host) }

// OpenZip prepares a Loader for a zip bundle held in memory; name is used
// in messages. The entry is the bundle's one WSDL (the shallowest, when
// files at several depths have a .wsdl extension).
func OpenZip(data []byte, name string, opts Options) (*Loader, string, error) {
	zr, err := ZipReader(data, name, opts.Limits)
	if err != nil {
		return nil, "", err
	}
	return openBundle(zr, name, opts)
}

// ZipReader opens a zip bundle held in memory; name is used in messages.
// Two entries of one name are refused; an entry that expands more than 200 times (past 1 MiB) is refused, and
// a bundle of more than limits.MaxDocuments files before its directory is
// read: archive/zip keeps a record of a few hundred bytes
// for each entry (45 MB of empty entries took 400 MB), whatever count
// the archive's end record claims.
func ZipReader(data []byte, name string, limits Limits) (*zip.Reader, error) {
	limits = limits.WithDefaults()
	// Every entry of the central directory starts with this signature:
	// counting them bounds the entries archive/zip can read.
	if n := bytes.Count(data, []byte("PK\x01\x02")); n > limits.MaxDocuments {
		return nil, fmt.Errorf("fetch: %s: a bundle of more than %d files (it has about %d)", name, limits.MaxDocuments, n)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: not a zip bundle: %w", name, err)
	}
	// archive/zip refuses to read past an entry's declared size, so the
	// declared sizes can be trusted.
	seen := make(map[string]bool, len(zr.File))
	for _, f := range zr.File {
		// Which of two entries of one name is read is up to the reader:
		// refused, like a file uploaded twice.
		if n := path.Clean(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/")); !strings.HasSuffix(f.Name, "/") {
			if seen[n] {
				return nil, fmt.Errorf("fetch: %s: %s is in the bundle twice", name, n)
			}
			seen[n] = true
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64/maxZipRatio > f.CompressedSize64 {
			return nil, fmt.Errorf("fetch: %s: %s expands %d bytes into %d, more than %d times: refused as a zip bomb",
				name, f.Name, f.CompressedSize64, f.UncompressedSize64, maxZipRatio)
		}
	}
	return zr, nil
}

// maxZipRatio bounds how many times a zip entry of more than 1 MiB may
// expand. XML deflates 5 to 50 times; a bomb of repeated markup, a
// thousand times, and parsing markup takes tens of bytes of memory per
// byte of it.
const maxZipRatio = 200

// OpenFiles prepares a Loader for a set of uploaded files, keyed by their
// slash-separated path inside the bundle. entry names the WSDL; when empty,
// the one WSDL among the files is the entry.
func OpenFiles(files map[string][]byte, entry string, opts Options) (*Loader, string, error) {
	m := make(mapFS, len(files))
	for p, b := range files {
		m[path.Clean(strings.TrimPrefix(p, "/"))] = b
	}
	if entry != "" {
		entry = path.Clean(strings.TrimPrefix(entry, "/"))
		if _, ok := m[entry]; !ok {
			return nil, "", fmt.Errorf("fetch: entry %q is not among the uploaded files", entry)
		}
		l := newLoader(opts)
		l.bundle = m
		return l, "bundle:///" + entry, nil
	}
	return openBundle(m, "upload", opts)
}

func openBundle(fsys fs.FS, name string, opts Options) (*Loader, string, error) {
	entry, err := findEntry(fsys, name)
	if err != nil {
		return nil, "", err
	}
	l := newLoader(opts)
	l.bundle = fsys
	return l, "bundle:///" + entry, nil
}

// findEntry picks the WSDL of a directory or bundle: the only *.wsdl (or
// *?wsdl-style) file, preferring the shallowest when several depths have one.
func findEntry(fsys fs.FS, name string) (string, error) {
	var found []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != "." || d.IsDir() && d.Name() == "__MACOSX" {
			return fs.SkipDir
		}
		// Uploaded files are listed flat, their folders never walked:
		// look at every folder of the path.
		if !d.IsDir() && strings.EqualFold(path.Ext(p), ".wsdl") && !skippedFolder(p) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("fetch: %s: %w", name, err)
	}
	if len(found) == 0 {
		return "", fmt.Errorf("fetch: %s: no .wsdl file found", name)
	}
	sort.Slice(found, func(i, j int) bool {
		di, dj := strings.Count(found[i], "/"), strings.Count(found[j], "/")
		if di != dj {
			return di < dj
		}
		return found[i] < found[j]
	})
	if len(found) > 1 && strings.Count(found[0], "/") == strings.Count(found[1], "/") {
		return "", fmt.Errorf("fetch: %s: several WSDL files (%s); name the entry", name, strings.Join(found, ", "))
	}
	return found[0], nil
}

// skippedFolder reports whether a file is in a hidden or __MACOSX folder.
func skippedFolder(p string) bool {
	dirs := strings.Split(p, "/")
	for _, d := range dirs[:len(dirs)-1] {
		if strings.HasPrefix(d, ".") && d != "." || d == "__MACOSX" {
			return true
		}
	}
	return false
}

func fileURI(abs string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// Resolve resolves ref relative to the document base, and refuses a
// reference that would leave the base's origin for a local file.
func (l *Loader) Resolve(base, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("bad base URI %q: %w", base, err)
	}
	// Windows-style separators appear in hand-made bundles.
	r, err := url.Parse(strings.ReplaceAll(ref, `\`, "/"))
	if err != nil {
		return "", fmt.Errorf("bad location %q: %w", ref, err)
	}
	u := b.ResolveReference(r)
	if u.Scheme == "file" || u.Scheme == "bundle" {
		// "xsd//a.xsd" is "xsd/a.xsd": one document, read once. (An
		// http(s) server may tell such paths apart.)
		u.Path = path.Clean(u.Path)
	}
	switch u.Scheme {
	case "http", "https":
		return u.String(), nil
	case b.Scheme:
		// ResolveReference drops the ".." segments that climb above the
		// root, so look at the relative path before it does.
		if u.Scheme == "bundle" && r.Scheme == "" && r.Host == "" && !strings.HasPrefix(r.Path, "/") {
			if rel := path.Join(strings.TrimPrefix(path.Dir(b.Path), "/"), r.Path); rel == ".." || strings.HasPrefix(rel, "../") {
				return "", fmt.Errorf("location %q leaves the bundle", ref)
			}
		}
		return u.String(), nil
	case "":
		return "", fmt.Errorf("location %q has no scheme", ref)
	default:
		return "", fmt.Errorf("location %q: a %s document cannot reference a %s one", ref, b.Scheme, u.Scheme)
	}
}

// Load returns the parsed document at uri, reading it on first use (or
// taking what ReadAhead read of it).
func (l *Loader) Load(ctx context.Context, uri string) (*xmltree.Document, error) {
	if d, ok := l.docs[uri]; ok {
		return d, nil
	}
	r, err := l.ahead.claim(ctx, uri)
	if err != nil {
		return nil, err
	}
	if len(l.docs) >= l.opts.Limits.MaxDocuments {
		return nil, fmt.Errorf("more than %d documents", l.opts.Limits.MaxDocuments)
	}
	var data []byte
	var doc *xmltree.Document
	var size int64
	var parseErr error // of a document parsed ahead
	if r == nil {
		if data, err = l.read(ctx, uri); err != nil {
			return nil, err
		}
		size = int64(len(data))
	} else if data, doc, size, parseErr = r.data, r.doc, r.size, r.err; size == 0 && parseErr != nil {
		return nil, parseErr // a read error
	}
	// A document that does not parse counts too, as when Load parses it.
	if l.total.Add(size) > l.opts.Limits.MaxTotalSize {
		return nil, fmt.Errorf("documents larger than %d bytes in all", l.opts.Limits.MaxTotalSize)
	}
	if parseErr != nil {
		return nil, parseErr
	}
	if doc == nil {
		name := shortName(l.entry(), uri)
		if doc, err = xmltree.Parse(data, name, l.nodesLeft()); err != nil {
			if errors.Is(err, xmltree.ErrTooManyNodes) {
				return nil, l.tooManyNodes(name)
			}
			return nil, err
		}
		doc.URI, doc.Name = uri, name
	}
	if l.nodes.Add(int64(doc.Nodes)) > int64(l.opts.Limits.MaxNodes) {
		return nil, l.tooManyNodes(doc.Name)
	}
	l.docs[uri] = doc
	l.order = append(l.order, uri)
	l.loaded(ctx, doc)
	return doc, nil
}

// nodesLeft is how many nodes (see xmltree.Document.Nodes) the documents
// still to load may have.
func (l *Loader) nodesLeft() int {
	return max(0, l.opts.Limits.MaxNodes-int(l.nodes.Load()))
}

func (l *Loader) tooManyNodes(name string) error {
	return fmt.Errorf("%s: the documents have more than %d elements and attributes in all", name, l.opts.Limits.MaxNodes)
}

// entry is the URI of the first document loaded, or "".
func (l *Loader) entry() string {
	if len(l.order) == 0 {
		return ""
	}
	return l.order[0]
}

// shortName names a document for messages: its path relative to the
// directory of the entry document, or its URI.
func shortName(entry, uri string) string {
	if entry == "" {
		return path.Base(strings.TrimRight(xmltree.DisplayName(uri), "/"))
	}
	e, err1 := url.Parse(entry)
	u, err2 := url.Parse(uri)
	if err1 != nil || err2 != nil || e.Scheme != u.Scheme || e.Host != u.Host || u.RawQuery != "" {
		return xmltree.DisplayName(uri)
	}
	rel, err := filepath.Rel(path.Dir(e.Path), u.Path)
	if err != nil {
		return xmltree.DisplayName(uri)
	}
	return filepath.ToSlash(rel)
}

// Documents lists the URIs of the documents loaded so far, in load order.
func (l *Loader) Documents() []string { return append([]string(nil), l.order...) }

// Warnings lists what the parser recovered from in the documents loaded so
// far (see xmltree.Document.Warnings).
func (l *Loader) Warnings() []string {
	var w []string
	for _, u := range l.order {
		w = append(w, l.docs[u].Warnings...)
	}
	return w
}

// DocumentNames lists the short names (see xmltree.Document.Name) of the
// documents loaded so far, in load order.
func (l *Loader) DocumentNames() []string {
	names := make([]string, len(l.order))
	for i, u := range l.order {
		names[i] = l.docs[u].Name
	}
	return names
}

// ErrNotFound is wrapped by Load's error when a document does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnauthorized is wrapped by Load's error when a server (or a proxy)
// answers a fetch with 401 or 407: it wants credentials, or refused the
// ones in the URL.
var ErrUnauthorized = errors.New("the server asks for credentials")

// offeredSchemes names the authentication schemes a 401 or 407 answer
// offers: " (it offers NTLM, Negotiate)", or "".
func offeredSchemes(h http.Header) string {
	schemes := slices.Concat(wwwauth.Schemes(h, "WWW-Authenticate"), wwwauth.Schemes(h, "Proxy-Authenticate"))
	if len(schemes) == 0 {
		return ""
	}
	return " (it offers " + strings.Join(schemes, ", ") + ")"
}

func (l *Loader) read(ctx context.Context, uri string) ([]byte, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, err
	}
	max := l.opts.Limits.MaxDocumentSize
	switch u.Scheme {
	case "file":
		f, err := os.Open(filepath.FromSlash(u.Path))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: %w", filepath.FromSlash(u.Path), ErrNotFound)
			}
			return nil, err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err == nil && fi.Size() > max {
			return nil, fmt.Errorf("%s: document larger than %d bytes: %w", filepath.FromSlash(u.Path), max, errTooLarge)
		}
		if err == nil && fi.Mode().IsRegular() {
			// Read in one go into a buffer of the right size.
			data := make([]byte, fi.Size())
			if _, err := io.ReadFull(f, data); err != nil {
				return nil, err
			}
			return data, nil
		}
		return readLimited(f, max, filepath.FromSlash(u.Path))
	case "bundle":
		if l.bundle == nil {
			return nil, fmt.Errorf("%s: no bundle", uri)
		}
		p := strings.TrimPrefix(path.Clean(u.Path), "/")
		f, err := l.bundle.Open(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: %w in the bundle", p, ErrNotFound)
			}
			return nil, err
		}
		defer f.Close()
		// Refuse what is too large before reading it (a zip entry's size
		// may lie; readLimited holds anyway).
		if fi, err := f.Stat(); err == nil && fi.Size() > max {
			return nil, fmt.Errorf("%s: document larger than %d bytes: %w", p, max, errTooLarge)
		}
		return readLimited(f, max, p)
	case "http", "https":
		if !l.opts.Remote {
			return nil, fmt.Errorf("%s: remote fetching is disabled", uri)
		}
		ctx, cancel := context.WithTimeout(ctx, l.opts.Limits.Timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "text/xml, application/xml, application/wsdl+xml, */*;q=0.5")
		if ui, ok := l.creds[origin(u)]; ok && u.User == nil {
			pw, _ := ui.Password()
			req.SetBasicAuth(ui.Username(), pw)
		}
		client := l.opts.Client
		if l.opts.ClientFor != nil {
			if c := l.opts.ClientFor(u); c != nil {
				client = c
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, l.remoteErr(ctx, uri, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			return nil, fmt.Errorf("%s: HTTP %s: %w", uri, resp.Status, ErrNotFound)
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusProxyAuthRequired {
			return nil, fmt.Errorf("%s: HTTP %s: %w%s", uri, resp.Status, ErrUnauthorized, offeredSchemes(resp.Header))
		}
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("%s: HTTP %s", uri, resp.Status)
		}
		if resp.ContentLength > max {
			return nil, fmt.Errorf("%s: document larger than %d bytes: %w", uri, max, errTooLarge)
		}
		data, err := readLimited(resp.Body, max, uri)
		if err != nil && !errors.Is(err, errTooLarge) {
			return nil, l.remoteErr(ctx, uri, err)
		}
		return data, err
	default:
		return nil, fmt.Errorf("%s: unsupported scheme %q", uri, u.Scheme)
	}
}

// remoteErr names the document of a failed remote fetch and says plainly
// when it took too long.
func (l *Loader) remoteErr(ctx context.Context, uri string, err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%s: timed out after %v: %w", uri, l.opts.Limits.Timeout, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return err // names the URL already
	}
	return fmt.Errorf("%s: %w", uri, err)
}

var errTooLarge = errors.New("document too large")

func readLimited(r io.Reader, max int64, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: document larger than %d bytes: %w", name, max, errTooLarge)
	}
	return data, nil
}

// mapFS is an fs.FS over uploaded files.
type mapFS map[string][]byte

func (m mapFS) Open(name string) (fs.File, error) {
	if b, ok := m[name]; ok {
		return &memFile{name: name, Reader: bytes.NewReader(b), size: int64(len(b))}, nil
	}
	if name == "." {
		return &memDir{m: m}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type memFile struct {
	name string
	*bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{path.Base(f.name), f.size, false}, nil }
func (f *memFile) Close() error               { return nil }

// memDir lists every file flat under "."; WalkDir then finds them all.
type memDir struct {
	m    mapFS
	read bool
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{".", 0, true}, nil }
func (d *memDir) Read([]byte) (int, error)   { return 0, io.EOF }
func (d *memDir) Close() error               { return nil }
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.read {
		return nil, io.EOF
	}
	d.read = true
	names := make([]string, 0, len(d.m))
	for p := range d.m {
		names = append(names, p)
	}
	sort.Strings(names)
	var out []fs.DirEntry
	for _, p := range names {
		out = append(out, fs.FileInfoToDirEntry(memInfo{p, int64(len(d.m[p])), false}))
	}
	return out, nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	return map[bool]fs.FileMode{true: fs.ModeDir | 0o555, false: 0o444}[i.dir]
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
