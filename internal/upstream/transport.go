package upstream

import (
	"crypto/tls"
	"net/http"
)

// Diagnoser is an error that tells itself what went wrong and what to
// change, such as a failure of an authenticating transport (package
// kerberos). Call reports it as an *Error of its kind and reason.
type Diagnoser interface {
	error
	// Diagnose returns the kind ("kerberos"), a finer reason
	// ("spn_unknown"), what went wrong and what to change.
	Diagnose() (kind, reason, summary, fix string)
}

// WithTransport returns a client like c (same timeouts, TLS configuration
// and connection pool) that sends through wrap(c's transport): an
// authenticating transport such as Kerberos' SPNEGO. Errors its round
// trips return that are Diagnoser values become *Error values of Call.
func (c *Client) WithTransport(wrap func(http.RoundTripper) http.RoundTripper) *Client {
	hc := *c.HTTP
	hc.Transport = &wrapped{RoundTripper: wrap(c.HTTP.Transport), base: c.HTTP.Transport}
	return &Client{HTTP: &hc}
}

// wrapped is an authenticating transport over a pooled one.
type wrapped struct {
	http.RoundTripper
	base http.RoundTripper
}

// CloseIdleConnections closes the base transport's idle connections.
func (w *wrapped) CloseIdleConnections() {
	if c, ok := w.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// baseTLS returns the TLS configuration of a wrapped transport's base.
func baseTLS(rt http.RoundTripper) *tls.Config {
	if w, ok := rt.(*wrapped); ok {
		rt = w.base
	}
	if tr, ok := rt.(*http.Transport); ok && tr.TLSClientConfig != nil {
		return tr.TLSClientConfig.Clone()
	}
	return nil
}
