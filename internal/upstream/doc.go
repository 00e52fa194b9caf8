// Package upstream calls SOAP services over HTTP: it sends the envelope the
// codec and package soap built, with the upstream authentication a service
// is configured with, streams the response back through the decoder, and
// turns transport failures (unreachable host, TLS, timeouts, HTTP 401/403,
// a response that is not SOAP) into errors a person can act on.
package upstream
