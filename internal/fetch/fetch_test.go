package fetch_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// bundle is a WSDL spread over five documents in three folders. Every
// reference is relative to the document that makes it, there are two
// import cycles (svc.wsdl <-> defs/msgs.wsdl and xsd/a.xsd <-> xsd/b.xsd),
// and a.xsd is imported from two documents. Decoys at the root would be
// read if references were resolved against the entry instead of the
// referencing document; they do not parse.
var bundle = map[string]string{
	"svc.wsdl": `<?xml version="1.0"?>
<definitions name="Svc" targetNamespace="urn:svc" xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:tns="urn:svc" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">
  <import namespace="urn:svc" location="defs/msgs.wsdl"/>
  <types>
    <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:svc">
      <xs:import namespace="urn:a" schemaLocation="xsd/a.xsd"/>
    </xs:schema>
  </types>
  <binding name="B" type="tns:PT">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Get">
      <soap:operation soapAction="urn:get"/>
      <input><soap:body use="literal"/></input>
      <output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="S">
    <port name="P" binding="tns:B"><soap:address location="http://example.com/s"/></port>
  </service>
</definitions>`,
	"defs/msgs.wsdl": `<definitions targetNamespace="urn:svc" xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:tns="urn:svc" xmlns:a="urn:a">
  <import namespace="urn:svc" location="../svc.wsdl"/>
  <types>
    <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:defs">
      <xs:import namespace="urn:a" schemaLocation="../xsd/a.xsd"/>
    </xs:schema>
  </types>
  <message name="In"><part name="p" element="a:Get"/></message>
  <message name="Out"><part name="p" element="a:GetResponse"/></message>
  <portType name="PT">
    <operation name="Get"><input message="tns:In"/><output message="tns:Out"/></operation>
  </portType>
</definitions>`,
	"xsd/a.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a"
    xmlns:a="urn:a" xmlns:b="urn:b" elementFormDefault="qualified">
  <xs:include schemaLocation="common/inc.xsd"/>
  <xs:import namespace="urn:b" schemaLocation="b.xsd"/>
  <xs:element name="Get" type="a:Common"/>
  <xs:element name="GetResponse" type="b:Res"/>
</xs:schema>`,
	"xsd/b.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:b"
    xmlns:a="urn:a">
  <xs:import namespace="urn:a" schemaLocation="a.xsd"/>
  <xs:complexType name="Res">
    <xs:sequence><xs:element name="c" type="a:Common"/></xs:sequence>
  </xs:complexType>
</xs:schema>`,
	"xsd/common/inc.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:complexType name="Common">
    <xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence>
  </xs:complexType>
</xs:schema>`,
	// Decoys.
	"b.xsd":          `not XML`,
	"common/inc.xsd": `not XML`,
	"a.xsd":          `not XML`,
}

// bundleDocs are the documents a compile of bundle must read, once each.
var bundleDocs = []string{"svc.wsdl", "defs/msgs.wsdl", "xsd/a.xsd", "xsd/b.xsd", "xsd/common/inc.xsd"}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(files[n]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bytesOf(files map[string]string) map[string][]byte {
	m := make(map[string][]byte, len(files))
	for n, b := range files {
		m[n] = []byte(b)
	}
	return m
}

// server serves files and counts the requests for each path.
type server struct {
	*httptest.Server
	mu    sync.Mutex
	count map[string]int
}

func serve(t *testing.T, files map[string]string) *server {
	t.Helper()
	s := &server{count: make(map[string]int)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.count[r.URL.Path]++
		s.mu.Unlock()
		body, ok := files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyCounts(s.count)
}

func copyCounts(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestInputs compiles the same multi-document WSDL from each kind of input
// and checks that every document was read once, relative references were
// resolved against the referencing document, and the model is complete.
func TestInputs(t *testing.T) {
	dir := writeTree(t, bundle)
	zipPath := filepath.Join(t.TempDir(), "svc.zip")
	if err := os.WriteFile(zipPath, zipOf(t, bundle), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, bundle)

	tests := []struct {
		name      string
		open      func() (*fetch.Loader, string, error)
		wantEntry string // suffix of the entry URI
	}{
		{"file", func() (*fetch.Loader, string, error) {
			return fetch.Open(filepath.Join(dir, "svc.wsdl"), fetch.Options{})
		}, "/svc.wsdl"},
		{"directory", func() (*fetch.Loader, string, error) { return fetch.Open(dir, fetch.Options{}) }, "/svc.wsdl"},
		{"zip file", func() (*fetch.Loader, string, error) { return fetch.Open(zipPath, fetch.Options{}) }, "bundle:///svc.wsdl"},
		{"zip bytes", func() (*fetch.Loader, string, error) {
			return fetch.OpenZip(zipOf(t, bundle), "svc.zip", fetch.Options{})
		}, "bundle:///svc.wsdl"},
		{"files", func() (*fetch.Loader, string, error) {
			return fetch.OpenFiles(bytesOf(bundle), "", fetch.Options{})
		}, "bundle:///svc.wsdl"},
		{"files with entry", func() (*fetch.Loader, string, error) {
			return fetch.OpenFiles(bytesOf(bundle), "/svc.wsdl", fetch.Options{})
		}, "bundle:///svc.wsdl"},
		{"http", func() (*fetch.Loader, string, error) {
			return fetch.Open(srv.URL+"/svc.wsdl", fetch.Options{Remote: true})
		}, srv.URL + "/svc.wsdl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, entry, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(entry, tc.wantEntry) {
				t.Fatalf("entry %q, want ...%s", entry, tc.wantEntry)
			}
			m, err := wsdl.Compile(context.Background(), l, entry, wsdl.Strict)
			if err != nil {
				t.Fatal(err)
			}
			got := l.DocumentNames()
			if want := bundleDocs; !sameSet(got, want) {
				t.Errorf("documents read %q, want each of %q once", got, want)
			}
			if len(l.Documents()) != len(bundleDocs) {
				t.Errorf("Documents() = %q", l.Documents())
			}
			if _, ok := m.Schema.TypeByName(xsd.QName{Space: "urn:a", Local: "Common"}); !ok {
				t.Error("chameleon-included type {urn:a}Common missing")
			}
			if len(m.Services) != 1 || len(m.Services[0].Ports) != 1 || len(m.Bindings[0].Operations) != 1 {
				t.Fatalf("incomplete model: %+v", m.Services)
			}
		})
	}
	want := map[string]int{}
	for _, d := range bundleDocs {
		want["/"+d] = 1
	}
	if got := srv.requests(); !equalCounts(got, want) {
		t.Errorf("HTTP requests %v, want %v", got, want)
	}
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestLoadOnce loads the same URI several times: one read, one tree.
func TestLoadOnce(t *testing.T) {
	srv := serve(t, map[string]string{"a.xsd": `<a/>`})
	l, entry, err := fetch.Open(srv.URL+"/a.xsd", fetch.Options{Remote: true})
	if err != nil {
		t.Fatal(err)
	}
	d1, err := l.Load(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		d2, err := l.Load(context.Background(), entry)
		if err != nil || d2 != d1 {
			t.Fatalf("second load: %p %v, want the first tree %p", d2, err, d1)
		}
	}
	if n := srv.requests()["/a.xsd"]; n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

func TestFindEntry(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		entry   string // want, or "" for an error
		wantErr string
	}{
		{"one wsdl", map[string]string{"x/y.xsd": "<a/>", "svc.WSDL": "<a/>"}, "svc.WSDL", ""},
		{"shallowest wins", map[string]string{"a/b/deep.wsdl": "<a/>", "a/top.wsdl": "<a/>"}, "a/top.wsdl", ""},
		{"hidden and __MACOSX skipped", map[string]string{"__MACOSX/._s.wsdl": "x", ".git/x.wsdl": "x", "sub/s.wsdl": "<a/>"}, "sub/s.wsdl", ""},
		{"none", map[string]string{"a.xsd": "<a/>"}, "", "no .wsdl file found"},
		{"several", map[string]string{"a.wsdl": "<a/>", "b.wsdl": "<a/>"}, "", "several WSDL files (a.wsdl, b.wsdl)"},
	}
	for _, tc := range tests {
		for _, kind := range []string{"dir", "zip", "files"} {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				var entry string
				var err error
				switch kind {
				case "dir":
					var abs string
					dir := writeTree(t, tc.files)
					abs, err = filepath.Abs(filepath.Join(dir, filepath.FromSlash(tc.entry)))
					if err != nil {
						t.Fatal(err)
					}
					_, entry, err = fetch.Open(dir, fetch.Options{})
					if err == nil && entry != "file://"+filepath.ToSlash(abs) {
						t.Errorf("entry %q, want %s", entry, abs)
					}
				case "zip":
					_, entry, err = fetch.OpenZip(zipOf(t, tc.files), "b.zip", fetch.Options{})
				case "files":
					_, entry, err = fetch.OpenFiles(bytesOf(tc.files), "", fetch.Options{})
				}
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("got %q, %v; want error %q", entry, err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if kind != "dir" && entry != "bundle:///"+tc.entry {
					t.Errorf("entry %q, want bundle:///%s", entry, tc.entry)
				}
			})
		}
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		open func() error
		want string
	}{
		{"missing file", func() error {
			_, _, err := fetch.Open(filepath.Join(t.TempDir(), "nope.wsdl"), fetch.Options{})
			return err
		}, "nope.wsdl"},
		{"remote disabled", func() error {
			_, _, err := fetch.Open("http://example.invalid/x?wsdl", fetch.Options{})
			return err
		}, "remote fetching is disabled"},
		{"not a zip", func() error {
			_, _, err := fetch.OpenZip([]byte("PK garbage"), "up.zip", fetch.Options{})
			return err
		}, "up.zip: not a zip bundle"},
		{"entry not uploaded", func() error {
			_, _, err := fetch.OpenFiles(map[string][]byte{"a.wsdl": []byte("<a/>")}, "b.wsdl", fetch.Options{})
			return err
		}, `entry "b.wsdl" is not among the uploaded files`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.open()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestRemoteLimits: a slow server and an oversized document give clear
// errors, in time, naming the document.
func TestRemoteLimits(t *testing.T) {
	release := make(chan struct{})
	big := strings.Repeat("<a>x</a>", 1<<16) // 512 KiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow.wsdl":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/trickle.wsdl":
			w.Write([]byte("<definitions>"))
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/big.wsdl":
			w.Write([]byte("<r>" + big + "</r>"))
		case "/endless.wsdl":
			w.Write([]byte("<r>"))
			for r.Context().Err() == nil {
				if _, err := w.Write([]byte(big)); err != nil {
					return
				}
			}
		case "/error.wsdl":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/windows.wsdl":
			w.Header().Add("WWW-Authenticate", "Negotiate")
			w.Header().Add("WWW-Authenticate", "NTLM")
			w.Header().Add("WWW-Authenticate", `Basic realm="a, b\"c", charset="UTF-8"`)
			http.Error(w, "no", http.StatusUnauthorized)
		case "/proxy.wsdl":
			w.Header().Set("Proxy-Authenticate", "Basic realm=proxy")
			http.Error(w, "no", http.StatusProxyAuthRequired)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	defer close(release)

	lim := fetch.Limits{Timeout: 300 * time.Millisecond, MaxDocumentSize: 256 << 10}
	tests := []struct {
		path     string
		want     []string
		notFound bool
	}{
		{"/slow.wsdl", []string{"slow.wsdl", "timed out after 300ms"}, false},
		{"/trickle.wsdl", []string{"trickle.wsdl", "timed out after 300ms"}, false},
		{"/big.wsdl", []string{"big.wsdl", "larger than 262144 bytes"}, false},
		{"/endless.wsdl", []string{"endless.wsdl", "larger than 262144 bytes"}, false},
		{"/error.wsdl", []string{"error.wsdl", "HTTP 500"}, false},
		{"/missing.wsdl", []string{"missing.wsdl", "404"}, true},
		{"/windows.wsdl", []string{"windows.wsdl: HTTP 401 Unauthorized: the server asks for credentials (it offers Negotiate, NTLM, Basic)"}, false},
		{"/proxy.wsdl", []string{"proxy.wsdl: HTTP 407 Proxy Authentication Required: the server asks for credentials (it offers Basic)"}, false},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			l, entry, err := fetch.Open(srv.URL+tc.path, fetch.Options{Remote: true, Limits: lim})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = l.Load(context.Background(), entry)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if errors.Is(err, fetch.ErrNotFound) != tc.notFound {
				t.Errorf("errors.Is(%v, ErrNotFound) = %v", err, !tc.notFound)
			}
			if unauth := strings.Contains(tc.want[0], "credentials"); errors.Is(err, fetch.ErrUnauthorized) != unauth {
				t.Errorf("errors.Is(%v, ErrUnauthorized) = %v", err, !unauth)
			}
		})
	}
}

// TestLocalLimits: the size limits hold for files and bundles too, and for
// the documents together.
func TestLocalLimits(t *testing.T) {
	files := map[string]string{
		"svc.wsdl": `<r>` + strings.Repeat("x", 3000) + `</r>`,
		"a.xsd":    `<r>` + strings.Repeat("y", 600) + `</r>`,
		"b.xsd":    `<r>` + strings.Repeat("z", 600) + `</r>`,
		"c.xsd":    `<r/>`,
	}
	dir := writeTree(t, files)
	ctx := context.Background()

	t.Run("document size/file", func(t *testing.T) {
		l, entry, err := fetch.Open(filepath.Join(dir, "svc.wsdl"), fetch.Options{Limits: fetch.Limits{MaxDocumentSize: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Load(ctx, entry)
		if err == nil || !strings.Contains(err.Error(), "larger than 1000 bytes") || !strings.Contains(err.Error(), "svc.wsdl") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("document size/bundle", func(t *testing.T) {
		l, entry, err := fetch.OpenFiles(bytesOf(files), "", fetch.Options{Limits: fetch.Limits{MaxDocumentSize: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.Load(ctx, entry)
		if err == nil || !strings.Contains(err.Error(), "larger than 1000 bytes") || !strings.Contains(err.Error(), "svc.wsdl") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("total size", func(t *testing.T) {
		l, entry, err := fetch.OpenFiles(bytesOf(files), "", fetch.Options{Limits: fetch.Limits{MaxTotalSize: 4000}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Load(ctx, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Load(ctx, "bundle:///a.xsd"); err != nil {
			t.Fatal(err)
		}
		_, err = l.Load(ctx, "bundle:///b.xsd")
		if err == nil || !strings.Contains(err.Error(), "larger than 4000 bytes in all") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("node count", func(t *testing.T) {
		// A document of a million small elements (4 MB) would make a
		// tree of 130 MB: the count stops it, with memory to match.
		files := map[string]string{"svc.wsdl": "<r>" + strings.Repeat("<a/>", 1_000_000) + "</r>"}
		l, entry, err := fetch.OpenFiles(bytesOf(files), "", fetch.Options{Limits: fetch.Limits{MaxNodes: 100_000}})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = l.Load(ctx, entry)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "svc.wsdl: the documents have more than 100000 elements and attributes in all") {
			t.Fatalf("got %v", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 60<<20 {
			t.Errorf("refusing it allocated %d MB", n>>20)
		}
	})
	t.Run("document count", func(t *testing.T) {
		l, entry, err := fetch.OpenFiles(bytesOf(files), "", fetch.Options{Limits: fetch.Limits{MaxDocuments: 2}})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{entry, "bundle:///a.xsd", entry} {
			if _, err := l.Load(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		_, err = l.Load(ctx, "bundle:///c.xsd")
		if err == nil || !strings.Contains(err.Error(), "more than 2 documents") {
			t.Fatalf("got %v", err)
		}
	})
}

// TestOrigin: a remote or bundled document cannot make the loader read a
// local file, nor a bundled one leave its bundle.
func TestOrigin(t *testing.T) {
	secretDir := writeTree(t, map[string]string{"secret.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>`})
	secret := filepath.ToSlash(filepath.Join(secretDir, "secret.xsd"))
	l, _, err := fetch.OpenFiles(map[string][]byte{"a.wsdl": []byte("<a/>")}, "", fetch.Options{Remote: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, base, ref string
		want            string // resolved URI, or
		wantErr         string
	}{
		{"bundle relative", "bundle:///wsdl/a.wsdl", "../xsd/b.xsd", "bundle:///xsd/b.xsd", ""},
		{"bundle absolute path stays in bundle", "bundle:///a.wsdl", secret, "bundle://" + secret, ""},
		{"bundle backslashes", "bundle:///a.wsdl", `xsd\b.xsd`, "bundle:///xsd/b.xsd", ""},
		{"bundle to file", "bundle:///a.wsdl", "file://" + secret, "", "a bundle document cannot reference a file one"},
		{"bundle escapes", "bundle:///a.wsdl", "../../etc/passwd", "", "leaves the bundle"},
		{"bundle escapes from folder", "bundle:///x/a.wsdl", "../../../etc/passwd", "", "leaves the bundle"},
		{"bundle to remote", "bundle:///a.wsdl", "http://example.com/x.xsd", "http://example.com/x.xsd", ""},
		{"http to file", "http://example.com/a.wsdl", "file://" + secret, "", "a http document cannot reference a file one"},
		{"https to file", "https://example.com/a.wsdl", "file:///etc/passwd", "", "a https document cannot reference a file one"},
		{"http absolute path stays remote", "http://example.com/w/a.wsdl", "/etc/passwd", "http://example.com/etc/passwd", ""},
		{"http relative", "http://example.com/w/a.wsdl?wsdl", "x.xsd", "http://example.com/w/x.xsd", ""},
		{"http to bundle", "http://example.com/a.wsdl", "bundle:///a.wsdl", "", "cannot reference a bundle one"},
		{"file relative", "file:///srv/w/a.wsdl", "../x/b.xsd", "file:///srv/x/b.xsd", ""},
		{"file to remote", "file:///srv/a.wsdl", "https://example.com/b.xsd", "https://example.com/b.xsd", ""},
		{"unknown scheme", "file:///srv/a.wsdl", "ftp://example.com/b.xsd", "", "a file document cannot reference a ftp one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := l.Resolve(tc.base, tc.ref)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Resolve = %q, %v; want error %q", got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Resolve = %q, %v; want %q", got, err, tc.want)
			}
		})
	}

	// End to end: uploaded and remote WSDLs that import a local file.
	imp := func(loc string) string {
		return `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x">
  <types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">
    <xs:include schemaLocation="` + loc + `"/>
  </xs:schema></types>
</definitions>`
	}
	srv := serve(t, map[string]string{"a.wsdl": imp("file://" + secret)})
	for _, tc := range []struct {
		name string
		open func() (*fetch.Loader, string, error)
	}{
		{"upload", func() (*fetch.Loader, string, error) {
			return fetch.OpenFiles(map[string][]byte{"a.wsdl": []byte(imp("file://" + secret))}, "", fetch.Options{})
		}},
		{"upload ..", func() (*fetch.Loader, string, error) {
			return fetch.OpenFiles(map[string][]byte{"a.wsdl": []byte(imp(strings.Repeat("../", 20) + secret))}, "", fetch.Options{})
		}},
		{"zip", func() (*fetch.Loader, string, error) {
			return fetch.OpenZip(zipOf(t, map[string]string{"a.wsdl": imp("file://" + secret)}), "a.zip", fetch.Options{})
		}},
		{"remote", func() (*fetch.Loader, string, error) {
			return fetch.Open(srv.URL+"/a.wsdl", fetch.Options{Remote: true})
		}},
	} {
		t.Run("compile/"+tc.name, func(t *testing.T) {
			l, entry, err := tc.open()
			if err != nil {
				t.Fatal(err)
			}
			_, err = wsdl.Compile(context.Background(), l, entry, wsdl.Lenient)
			if err == nil {
				t.Fatal("compiled, reading a local file")
			}
			if !strings.Contains(err.Error(), `include "`) || !strings.Contains(err.Error(), "a.wsdl:3") {
				t.Errorf("error %q does not name the include and its position", err)
			}
			for _, d := range l.Documents() {
				if strings.HasPrefix(d, "file:") {
					t.Errorf("read local file %s", d)
				}
			}
		})
	}
}

// TestMissingImportChain: a missing document is an error naming the chain
// of references that led to it, each with its document and line.
func TestMissingImportChain(t *testing.T) {
	files := map[string]string{
		"a.wsdl": `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:a">
  <types>
    <xs:schema targetNamespace="urn:a">
      <xs:import namespace="urn:b" schemaLocation="b.xsd"/>
    </xs:schema>
  </types>
</definitions>`,
		"b.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="urn:b">
  <xs:include schemaLocation="c.xsd"/>
</xs:schema>`,
		"w.wsdl": `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:w">
  <import namespace="urn:a" location="a.wsdl"/>
</definitions>`,
		"v.wsdl": `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:w">

  <import namespace="urn:a" location="nope.wsdl"/>
</definitions>`,
	}
	dir := writeTree(t, files)
	srv := serve(t, files)
	tests := []struct {
		entry string
		want  string
	}{
		{"a.wsdl", `import "b.xsd" from a.wsdl:7: include "c.xsd" from b.xsd:3: `},
		{"w.wsdl", `import "a.wsdl" from w.wsdl:2: import "b.xsd" from a.wsdl:7: include "c.xsd" from b.xsd:3: `},
		{"v.wsdl", `import "nope.wsdl" from v.wsdl:3: `},
	}
	for _, tc := range tests {
		for _, kind := range []string{"file", "bundle", "http"} {
			t.Run(tc.entry+"/"+kind, func(t *testing.T) {
				var l *fetch.Loader
				var entry string
				var err error
				switch kind {
				case "file":
					l, entry, err = fetch.Open(filepath.Join(dir, tc.entry), fetch.Options{})
				case "bundle":
					l, entry, err = fetch.OpenFiles(bytesOf(files), tc.entry, fetch.Options{})
				case "http":
					l, entry, err = fetch.Open(srv.URL+"/"+tc.entry, fetch.Options{Remote: true})
				}
				if err != nil {
					t.Fatal(err)
				}
				for _, mode := range []wsdl.Mode{wsdl.Lenient, wsdl.Strict} {
					_, err = wsdl.Compile(context.Background(), l, entry, mode)
					if err == nil {
						t.Fatal("compiled with a missing document")
					}
					if !strings.Contains(err.Error(), tc.want) {
						t.Errorf("error %q\nwant it to contain %q", err, tc.want)
					}
					if !errors.Is(err, fetch.ErrNotFound) {
						t.Errorf("error %q does not wrap ErrNotFound", err)
					}
				}
			})
		}
	}
}

// TestOneDocumentTwoSpellings: "xsd//c.xsd" and "xsd/./c.xsd" are the
// file "xsd/c.xsd", read once (netsuite's schemas import each other as
// ".//platform.core.xsd": read under every spelling, the compile parsed
// 76 documents instead of 47).
func TestOneDocumentTwoSpellings(t *testing.T) {
	files := map[string]string{
		"svc.wsdl": `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:s">
  <types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:s">
    <xs:import namespace="urn:a" schemaLocation="xsd//a.xsd"/>
    <xs:import namespace="urn:c" schemaLocation="xsd/./c.xsd"/>
  </xs:schema></types>
</definitions>`,
		"xsd/a.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a">
  <xs:import namespace="urn:c" schemaLocation=".//c.xsd"/>
</xs:schema>`,
		"xsd/c.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:c"/>`,
	}
	dir := writeTree(t, files)
	for name, open := range map[string]func() (*fetch.Loader, string, error){
		"file": func() (*fetch.Loader, string, error) {
			return fetch.Open(filepath.Join(dir, "svc.wsdl"), fetch.Options{})
		},
		"bundle": func() (*fetch.Loader, string, error) { return fetch.OpenFiles(bytesOf(files), "", fetch.Options{}) },
	} {
		t.Run(name, func(t *testing.T) {
			l, entry, err := open()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := wsdl.Compile(context.Background(), l, entry, wsdl.Lenient); err != nil {
				t.Fatal(err)
			}
			if got, want := l.DocumentNames(), []string{"svc.wsdl", "xsd/a.xsd", "xsd/c.xsd"}; !slices.Equal(got, want) {
				t.Errorf("documents %q, want %q", got, want)
			}
		})
	}
}
