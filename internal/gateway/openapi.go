package gateway

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/soapbridge/soapbridge/internal/openapi"
)

// Formats of a service's OpenAPI document.
const (
	formatJSON = "json"
	formatYAML = "yaml"
	formatHTML = "html"
)

var formatTypes = map[string]string{
	formatJSON: "application/json",
	formatYAML: "application/yaml",
	formatHTML: "text/html; charset=utf-8",
}

// maxRenderings bounds the renderings kept per service (one per format
// and server URL a client reached the gateway by).
const maxRenderings = 16

// openapiCache holds each service's generated document and its
// renderings. A service is immutable and a re-import replaces it, so an
// entry is current while it belongs to the service now registered; the
// zero value is ready to use.
type openapiCache struct {
	mu      sync.Mutex
	entries map[string]*openapiEntry
}

type openapiEntry struct {
	svc      *service
	doc      *openapi.Document
	rendered map[string][]byte // format + " " + server URL
}

// render returns the document of s in format for a gateway reached at
// server, generating it once per service.
func (c *openapiCache) render(s *service, format, server string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*openapiEntry{}
	}
	e := c.entries[s.name]
	if e == nil || e.svc != s {
		doc, err := openapi.Generate(s.model, openapi.Options{Service: s.name, Version: s.updated.UTC().Format(time.RFC3339)})
		if err != nil {
			return nil, err
		}
		e = &openapiEntry{svc: s, doc: doc, rendered: map[string][]byte{}}
		c.entries[s.name] = e
	}
	key := format + " " + server
	if b, ok := e.rendered[key]; ok {
		return b, nil
	}
	d := *e.doc
	d.Servers = []openapi.Server{{URL: server, Description: "soapbridge"}}
	var b []byte
	var err error
	switch format {
	case formatYAML:
		b, err = d.YAML()
	case formatHTML:
		b, err = d.HTML()
	default:
		b, err = d.JSON()
	}
	if err != nil {
		return nil, err
	}
	if len(e.rendered) >= maxRenderings {
		clear(e.rendered)
	}
	e.rendered[key] = b
	return b, nil
}

// serveOpenAPI answers GET /v1/services/{service}/openapi.json, .yaml and
// /docs for keys that may call the service (403 and 404 as a call).
func (g *Gateway) serveOpenAPI(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, p := g.callable(r)
		if p != nil {
			writeProblem(w, r, p)
			return
		}
		body, err := g.openapi.render(s, format, g.publicURL(r))
		if err != nil {
			g.log.Error("generating the OpenAPI document failed", "service", s.name, "error", err)
			writeProblem(w, r, problem(http.StatusInternalServerError, "internal", "Internal Server Error", "generating the OpenAPI document failed"))
			return
		}
		h := w.Header()
		h.Set("Content-Type", formatTypes[format])
		h.Set("Content-Length", strconv.Itoa(len(body)))
		h.Set("Cache-Control", "no-store")
		if format == formatHTML {
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
		}
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	}
}

// publicURL is the gateway's base URL for a request: Config.PublicURL, or
// the scheme and host the client used (X-Forwarded-Proto and
// X-Forwarded-Host when a proxy sets them).
func (g *Gateway) publicURL(r *http.Request) string {
	if g.cfg.PublicURL != "" {
		return strings.TrimSuffix(g.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := firstValue(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
		scheme = p
	}
	host := r.Host
	if h := firstValue(r.Header.Get("X-Forwarded-Host")); h != "" {
		host = h
	}
	if u, err := url.Parse(scheme + "://" + host); err != nil || u.Host != host || host == "" {
		host = "localhost"
	}
	return fmt.Sprintf("%s://%s", scheme, host)
}

func firstValue(v string) string {
	v, _, _ = strings.Cut(v, ",")
	return strings.TrimSpace(v)
}
