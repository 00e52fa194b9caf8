package gateway

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/soapbridge/soapbridge/internal/upstream"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// A WSDL on the server a service calls is often behind the same
// authentication as the calls (Dynamics NAV and Business Central, SAP,
// SharePoint: NTLM, Kerberos, Basic, a client certificate). Its documents
// are fetched the way the calls go there, and only from the origins calls
// go to with those credentials; a registration that gives its auth also
// lends it to the WSDL URL's own origin.

// fetchClient is an HTTP client that fetches documents the way the
// service's calls go: its TLS settings and client certificate, NTLM or
// Kerberos, HTTP Basic and its configured HTTP headers (WS-Security and
// signatures are for messages, not documents).
func (a *upstreamAuth) fetchClient(shared *upstream.Client, origins []string) *http.Client {
	c := shared
	if a.client != nil {
		c = a.client
	}
	base := c.HTTP.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport: &fetchTransport{base: base, a: a, origins: origins},
		// Not elsewhere: a client certificate, NTLM or Kerberos would
		// answer another server's asking too.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			if o := origin(req.URL.String()); !slices.Contains(origins, o) {
				return fmt.Errorf("redirected to %s, which is not a server the service's calls go to: its credentials are not sent there (register the URL it redirects to)", o)
			}
			return nil
		},
	}
}

// fetchTransport adds the auth's Basic credentials and HTTP headers to
// each request to one of origins, and to no other (the client refuses
// redirects elsewhere; this holds even if it did not).
type fetchTransport struct {
	base    http.RoundTripper
	a       *upstreamAuth
	origins []string
}

func (t *fetchTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !slices.Contains(t.origins, origin(req.URL.String())) {
		return t.base.RoundTrip(req)
	}
	req = req.Clone(req.Context())
	if t.a.cfg.Type == AuthBasic {
		req.SetBasicAuth(t.a.cfg.Username, t.a.password)
	}
	for name, values := range t.a.headers {
		req.Header[name] = values
	}
	return t.base.RoundTrip(req)
}

// fetchWith returns the fetch.Options.ClientFor that fetches the documents
// on origins (see origin) with a's client, and nil when a authenticates
// nothing a GET carries (no auth, WS-Security, X.509 signing without a
// client certificate or headers).
func (g *Gateway) fetchWith(a *upstreamAuth, origins []string) func(*url.URL) *http.Client {
	if a == nil || len(origins) == 0 || !a.authenticatesFetches() {
		return nil
	}
	client := a.fetchClient(g.client, origins)
	return func(u *url.URL) *http.Client {
		if slices.Contains(origins, origin(u.String())) {
			return client
		}
		return nil
	}
}

// authenticatesFetches reports whether a does anything to an HTTP GET.
func (a *upstreamAuth) authenticatesFetches() bool {
	switch a.cfg.Type {
	case AuthBasic, AuthNTLM, AuthKerberos:
		return true
	}
	return len(a.headers) > 0 || a.cfg.ClientCert || a.cfg.CABundle != ""
}

// fetchOrigins are the origins a service's documents are fetched from
// with its auth a: those its calls go to with it (the endpoint override,
// else the ports' addresses in m, when known), and the WSDL URL's when
// the service was registered with a (authConfig.FetchWSDL).
func fetchOrigins(a *upstreamAuth, wsdlURL string, m *wsdl.Model) []string {
	var out []string
	add := func(raw string) {
		if o := origin(raw); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if a.cfg.FetchWSDL {
		add(wsdlURL)
	}
	if a.cfg.Endpoint != "" {
		add(a.cfg.Endpoint)
		return out
	}
	if m != nil {
		for _, sv := range m.Services {
			for _, p := range sv.Ports {
				add(p.Address)
			}
		}
	}
	return out
}

// origin is the scheme, host and port of an http(s) URL, spelled one way
// ("https://erp.example.com:443"), or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
