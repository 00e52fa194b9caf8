package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// dash is a gateway on a temp SQLite store with the dashboard mounted as
// soapbridge serve mounts it, served by httptest. Every answer the page
// got is kept for the secrets checks.
type dash struct {
	t     *testing.T
	url   string
	admin string
	g     *gateway.Gateway
	pages *recorder
	// puts holds the bodies of the auth PUTs the page sent, in order.
	puts *putLog
}

// putLog records the bodies of PUT /ui/api/v1/admin/services/{s}/auth.
type putLog struct {
	mu     sync.Mutex
	bodies []string
}

// count is how many auth PUTs were sent.
func (l *putLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.bodies)
}

// last is the body of the latest auth PUT, or "".
func (l *putLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bodies) == 0 {
		return ""
	}
	return l.bodies[len(l.bodies)-1]
}

// recorder keeps the bodies and headers of every answer to the browser.
type recorder struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

type teeWriter struct {
	http.ResponseWriter
	rec    *recorder
	header bool
}

func (w *teeWriter) dumpHeader() {
	if !w.header {
		w.header = true
		w.rec.mu.Lock()
		for k, vs := range w.Header() {
			fmt.Fprintf(&w.rec.b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		w.rec.mu.Unlock()
	}
}

func (w *teeWriter) WriteHeader(code int) { w.dumpHeader(); w.ResponseWriter.WriteHeader(code) }
func (w *teeWriter) Write(p []byte) (int, error) {
	w.dumpHeader()
	w.rec.mu.Lock()
	w.rec.b.Write(p)
	w.rec.mu.Unlock()
	return w.ResponseWriter.Write(p)
}

func newDash(t *testing.T) *dash {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "soapbridge.db"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := gateway.New(ctx, gateway.Config{Store: st, Keys: secret.Source{File: filepath.Join(dir, "master.key")}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	info, err := gateway.NewKey(ctx, st, gateway.KeyRequest{Name: "root", Admin: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := &dash{t: t, admin: info.Key, g: g, pages: &recorder{}, puts: &putLog{}}
	api := g.Handler()
	mux := http.NewServeMux() // as cmd/soapbridge/serve.go mounts it
	mux.Handle("/v1/", api)
	mux.Handle("/healthz", api)
	mux.Handle("/", New(api, Options{Logger: log}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/ui/api/") && strings.HasSuffix(r.URL.Path, "/auth") {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			d.puts.mu.Lock()
			d.puts.bodies = append(d.puts.bodies, string(b))
			d.puts.mu.Unlock()
		}
		mux.ServeHTTP(&teeWriter{ResponseWriter: w, rec: d.pages}, r)
	}))
	d.url = srv.URL
	t.Cleanup(func() {
		srv.Close()
		g.Close()
		st.Close()
	})
	return d
}

// call sends a request to the gateway's API with key, as a client would.
func (d *dash) call(method, path, key, body string) (int, string) {
	d.t.Helper()
	req, err := http.NewRequest(method, d.url+path, strings.NewReader(body))
	if err != nil {
		d.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("X-API-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		d.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// browser starts a headless chromium (testpeer.Chromium) for the test and
// returns its tab's context, bounded by timeout.
func browser(t *testing.T, timeout time.Duration, width, height int) context.Context {
	t.Helper()
	path, flags := testpeer.ChromiumFlags(t)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.WindowSize(width, height)}
	for _, f := range flags {
		name, value, ok := strings.Cut(strings.TrimPrefix(f, "--"), "=")
		if ok {
			opts = append(opts, chromedp.Flag(name, value))
		} else {
			opts = append(opts, chromedp.Flag(name, true))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// page drives the browser tab with failures reported on t.
type page struct {
	t   *testing.T
	ctx context.Context
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\npage text:\n%s", what, err, p.bodyText())
	}
}

func (p *page) bodyText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

// eval evaluates a JavaScript expression.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitText waits until the element matching css exists and its text
// contains want.
func (p *page) waitText(css, want string) string {
	p.t.Helper()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && (e.value !== undefined && e.tagName !== 'SELECT' && e.tagName !== 'BUTTON' ? e.value : e.textContent).includes(%q); })()`, css, want)
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(30*time.Second), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		p.t.Fatalf("waiting for %q in %s: %v\npage text:\n%s", want, css, err, p.bodyText())
	}
	return p.text(css)
}

// text is the text of the element matching css.
func (p *page) text(css string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.textContent : ""; })()`, css))
}

// fill types v into the input matching css, replacing its value.
func (p *page) fill(css, v string) {
	p.t.Helper()
	p.do("find "+css, chromedp.WaitVisible(chromedp.CSS(css)))
	eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = ''; return true; })()`, css))
	if v != "" {
		p.do("type into "+css, chromedp.SendKeys(chromedp.CSS(css), v))
	}
}

// choose sets a select's value and fires its change event.
func (p *page) choose(css, v string) {
	p.t.Helper()
	ok := eval[bool](p, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = %q; e.dispatchEvent(new Event('change', {bubbles: true})); return e.value === %q; })()`, css, v, v))
	if !ok {
		p.t.Fatalf("choose %q in %s: no such element or option\npage text:\n%s", v, css, p.bodyText())
	}
}

func (p *page) click(css string) {
	p.t.Helper()
	p.do("click "+css, chromedp.WaitVisible(chromedp.CSS(css)), chromedp.Click(chromedp.CSS(css)))
}

// goTo sets the page's hash route and waits for the heading.
func (p *page) goTo(hash, heading string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(location.hash = %q, true)`, hash))
	p.waitText("h1", heading)
}

// dom is the page's HTML with the current value of every form field.
func (p *page) dom() string {
	p.t.Helper()
	return eval[string](p, `document.documentElement.outerHTML + "\n" + [...document.querySelectorAll('input, textarea, select')].map((e) => e.id + '=' + e.value).join('\n')`)
}

func navigate(url string) chromedp.Action[chromedp.Void] { return chromedp.Navigate(url) }

func uploadFiles(css string, files ...string) chromedp.Action[chromedp.Void] {
	return chromedp.SetUploadFiles(chromedp.CSS(css), files)
}

// evalAwait evaluates a JavaScript expression that gives a promise.
func evalAwait[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
