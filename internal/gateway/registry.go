package gateway

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// service is a registered service ready for calls. It is immutable: a
// change builds a new one.
type service struct {
	name      string
	sourceURL string
	// sourceCreds: credentials for sourceURL are stored.
	sourceCreds bool
	files       []string // the uploaded documents, for an upload
	model       *wsdl.Model
	codec       *codec.Codec
	auth        *upstreamAuth
	clock       *clockState
	created     time.Time
	updated     time.Time
}

// binding is one port's operation.
type binding struct {
	port *wsdl.Port
	op   *wsdl.Operation
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// validName checks a service or key name: 1-64 letters, digits, '.', '_'
// and '-', starting with a letter or digit, so it is safe in a URL path.
func validName(s string) bool { return nameRE.MatchString(s) }

// operation finds an operation by name, on the named port or else on the
// first port (in document order) that has it and an address.
func (s *service) operation(name, port string) (binding, error) {
	var fallback binding
	for si := range s.model.Services {
		for pi := range s.model.Services[si].Ports {
			p := &s.model.Services[si].Ports[pi]
			if port != "" && p.Name != port {
				continue
			}
			b := &s.model.Bindings[p.Binding]
			for oi := range b.Operations {
				op := &b.Operations[oi]
				if op.Name != name || op.Input == nil {
					continue
				}
				if p.Address != "" || s.auth.cfg.Endpoint != "" {
					return binding{p, op}, nil
				}
				if fallback.op == nil {
					fallback = binding{p, op}
				}
			}
		}
	}
	if fallback.op != nil {
		return fallback, nil
	}
	if port != "" && !s.hasPort(port) {
		return binding{}, fmt.Errorf("service %s has no SOAP port %s; it has %s", s.name, codec.QuoteCut(port), strings.Join(s.portNames(), ", "))
	}
	return binding{}, fmt.Errorf("service %s has no operation %s", s.name, codec.QuoteCut(name))
}

func (s *service) hasPort(name string) bool {
	for _, n := range s.portNames() {
		if n == name {
			return true
		}
	}
	return false
}

func (s *service) portNames() []string {
	var out []string
	for _, sv := range s.model.Services {
		for _, p := range sv.Ports {
			out = append(out, p.Name)
		}
	}
	return out
}

// operationNames lists the callable operations (those with an input).
func (s *service) operationNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range s.model.Bindings {
		for _, op := range b.Operations {
			if op.Input != nil && !seen[op.Name] {
				seen[op.Name] = true
				out = append(out, op.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// source is what a service is compiled from: a URL, or uploaded documents.
type source struct {
	url string // without credentials
	// creds are url's user:password, sent to its origin as HTTP Basic.
	creds  *url.Userinfo
	bundle []byte // a zip
	entry  string // the entry document in the bundle, "" to find it
	// clientFor fetches the documents on the service's server with its
	// upstream auth (see Gateway.fetchWith); nil fetches without.
	clientFor func(*url.URL) *http.Client
}

// urlSource splits a wsdl_url into a source: the URL and its credentials.
func urlSource(s string) source {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return source{url: s}
	}
	creds := u.User
	u.User = nil
	return source{url: u.String(), creds: creds}
}

// compile fetches and compiles a source. Remote imports are allowed (over
// http(s) only; an upload cannot make soapbridge read its local files).
func compile(ctx context.Context, src source, limits fetch.Limits) (*wsdl.Model, error) {
	opts := fetch.Options{Remote: true, Limits: limits, ClientFor: src.clientFor}
	if src.url != "" {
		// wsdl.Open reads a local path too: only a URL goes there.
		u, err := url.Parse(src.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, fmt.Errorf("wsdl_url %s is not an http(s) URL", codec.QuoteCut(redactURL(src.url)))
		}
		// fetch sends the credentials to the URL's origin and keeps them
		// out of every URI and message it gives out.
		u.User = src.creds
		return wsdl.Open(ctx, u.String(), opts, wsdl.Lenient)
	}
	var l *fetch.Loader
	var entry string
	var err error
	if src.entry == "" {
		l, entry, err = fetch.OpenZip(src.bundle, "the upload", opts)
	} else {
		var files map[string][]byte
		if files, err = unzip(src.bundle, limits); err == nil {
			l, entry, err = fetch.OpenFiles(files, src.entry, opts)
		}
	}
	if err != nil {
		return nil, err
	}
	return wsdl.Compile(ctx, l, entry, wsdl.Lenient)
}

// unzip reads a bundle's files, bounded by the fetch limits.
func unzip(bundle []byte, limits fetch.Limits) (map[string][]byte, error) {
	zr, err := fetch.ZipReader(bundle, "the upload", limits)
	if err != nil {
		return nil, err
	}
	max := limits.MaxTotalSize
	if max <= 0 {
		max = 256 << 20
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s in the bundle: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, max+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s in the bundle: %w", f.Name, err)
		}
		if max -= int64(len(b)); max < 0 {
			return nil, fmt.Errorf("the bundle unpacks to more than %d bytes", limits.MaxTotalSize)
		}
		files[f.Name] = b
	}
	return files, nil
}

// zipFiles bundles uploaded files in a zip, the form an upload is stored in.
func zipFiles(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// zipNames lists the files of a bundle, refusing one of more files than
// limits allow.
func zipNames(bundle []byte, limits fetch.Limits) ([]string, error) {
	zr, err := fetch.ZipReader(bundle, "the upload", limits)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, "/") {
			out = append(out, path.Clean(f.Name))
		}
	}
	return out, nil
}

// newService builds a service from its stored record: the cached model
// when it loads, else a recompile of the stored source.
func newService(ctx context.Context, rec *store.Service, src source, auth *upstreamAuth, limits fetch.Limits) (*service, bool, error) {
	m := new(wsdl.Model)
	recompiled := false
	if err := m.UnmarshalBinary(rec.Model); err != nil {
		if m, err = compile(ctx, src, limits); err != nil {
			return nil, false, fmt.Errorf("service %s: the cached model is stale and recompiling failed: %w", rec.Name, err)
		}
		recompiled = true
	}
	s := &service{
		name: rec.Name, sourceURL: rec.SourceURL, sourceCreds: rec.SourceCredentials != nil, model: m, codec: codec.New(m), auth: auth, clock: &clockState{},
		created: rec.Created, updated: rec.Updated,
	}
	if rec.Bundle != nil {
		s.files, _ = zipNames(rec.Bundle, limits) // the bundle was checked when it was stored
	}
	return s, recompiled, nil
}

// addressing reports whether calls of b must carry WS-Addressing headers
// (the WSDL's policy or wsaw:UsingAddressing asks for them, not as an
// option), and in which namespace.
func (s *service) addressing(b binding) (string, bool) {
	bd := &s.model.Bindings[b.port.Binding]
	lists := [...][]wsdl.Assertion{b.port.Policies, bd.Policies, b.op.Policies, nil}
	if b.op.Input != nil {
		lists[3] = b.op.Input.Policies
	}
	for _, as := range lists {
		for _, a := range as {
			if a.Kind == "Addressing" && !a.Optional {
				return soap.AddressingNamespace(a.Namespace), true
			}
		}
	}
	return "", false
}

// action is the WS-Addressing action of b's input: the WSDL's wsam:Action,
// else its soapAction, else the default the WS-Addressing WSDL binding
// defines (namespace/port type/operation + "Request").
func (s *service) action(b binding) string {
	if b.op.Input != nil && b.op.Input.Action != "" {
		return b.op.Input.Action
	}
	if b.op.SOAPAction != "" {
		return b.op.SOAPAction
	}
	pt := s.model.Bindings[b.port.Binding].PortType
	sep := "/"
	if strings.HasPrefix(pt.Space, "urn:") {
		sep = ":"
	}
	return strings.TrimSuffix(pt.Space, sep) + sep + pt.Local + sep + b.op.Name + "Request"
}
