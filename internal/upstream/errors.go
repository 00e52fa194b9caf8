package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/soapbridge/soapbridge/internal/wwwauth"
)

// Kind classifies a transport problem.
type Kind string

const (
	KindConfig      Kind = "config"
	KindDNS         Kind = "dns"
	KindUnreachable Kind = "unreachable"
	KindTLS         Kind = "tls"
	KindTimeout     Kind = "timeout"
	KindAuth        Kind = "auth"
	KindHTTP        Kind = "http"
	KindTooLarge    Kind = "too_large"
	// KindSignature is a response whose message signature was refused.
	KindSignature Kind = "signature"
)

// Error is a failure to talk to the upstream, with a diagnosis: what went
// wrong and what to change.
type Error struct {
	Kind   Kind
	Status int // the upstream's HTTP status, when there was one
	Msg    string
	Fix    string
	// Offered lists the authentication schemes of WWW-Authenticate on a
	// 401.
	Offered []string
	// Refused reports that the upstream completed an authentication
	// handshake (NTLM) and refused the credentials.
	Refused bool
	// Reason refines Kind for failures that a Diagnoser reported
	// ("spn_unknown" of kind "kerberos").
	Reason string
	Err    error
}

func (e *Error) Error() string {
	s := "upstream: " + e.Msg
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the upstream did not answer in time.
func (e *Error) Timeout() bool { return e.Kind == KindTimeout }

func diagnoseTransport(endpoint string, err error) *Error {
	host := endpoint
	if u, perr := url.Parse(endpoint); perr == nil {
		host = u.Host
	}
	var known *Error
	if errors.As(err, &known) {
		return known // the transport's own diagnosis (NTLM)
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var dg Diagnoser
	switch {
	case errors.As(err, &dg):
		kind, reason, msg, fix := dg.Diagnose()
		return &Error{Kind: Kind(kind), Reason: reason, Msg: msg, Fix: fix, Err: err}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return &Error{Kind: KindTimeout, Msg: fmt.Sprintf("%s did not answer in time", host), Fix: "check that the service is up, or raise timeout_seconds", Err: err}
	case errors.As(err, &dnsErr):
		return &Error{Kind: KindDNS, Msg: fmt.Sprintf("the host name %q does not resolve", dnsErr.Name), Fix: "check the endpoint URL or the DNS of this machine", Err: err}
	case errors.As(err, &hostErr):
		return &Error{Kind: KindTLS, Msg: fmt.Sprintf("the TLS certificate of %s is not valid for that name (%v)", host, hostErr), Fix: "call the host name the certificate names, or fix the certificate", Err: err}
	case errors.As(err, &unknownAuth) || errors.As(err, &certErr) && strings.Contains(err.Error(), "unknown authority"):
		return &Error{Kind: KindTLS, Msg: fmt.Sprintf("the TLS certificate of %s is signed by an unknown authority", host), Fix: "add the issuing CA to the service's CA bundle", Err: err}
	case errors.As(err, &invalid):
		return &Error{Kind: KindTLS, Msg: fmt.Sprintf("the TLS certificate of %s is not valid: %v", host, invalid), Fix: "renew the certificate, or check this machine's clock", Err: err}
	case errors.As(err, &certErr):
		return &Error{Kind: KindTLS, Msg: fmt.Sprintf("the TLS certificate of %s was refused: %v", host, certErr.Err), Fix: "check the certificate chain and the CA bundle", Err: err}
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return &Error{Kind: KindTLS, Msg: fmt.Sprintf("%s answered plain HTTP to an HTTPS request", host), Fix: "use an http:// endpoint, or the service's HTTPS port", Err: err}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return &Error{Kind: KindUnreachable, Msg: fmt.Sprintf("cannot connect to %s: %v", host, opErr.Err), Fix: "check the endpoint's host and port, and that a firewall lets this machine through", Err: err}
	case strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:"):
		return &Error{Kind: KindTLS, Msg: fmt.Sprintf("TLS with %s failed: %v", host, err), Fix: "check the certificate and the TLS versions the service accepts", Err: err}
	}
	return &Error{Kind: KindUnreachable, Msg: fmt.Sprintf("calling %s failed: %v", host, err), Err: err}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// diagnoseStatus turns an HTTP status that is not a SOAP answer into an
// Error. 500 is SOAP's status for faults and passes; so do 2xx.
func diagnoseStatus(resp *http.Response, t *Target) *Error {
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		offered := wwwauth.Schemes(resp.Header, "WWW-Authenticate")
		e := &Error{Kind: KindAuth, Status: 401, Offered: offered}
		configured := "no credentials were sent"
		switch {
		case t.Basic != nil:
			configured = "HTTP Basic credentials were refused"
		case t.AuthScheme != "" && len(offered) > 0:
			configured = t.AuthScheme + " was sent, but the server asks for HTTP authentication"
		case t.AuthScheme != "":
			configured = "the " + t.AuthScheme + " was refused"
		}
		e.Msg = fmt.Sprintf("the upstream refused the call (HTTP 401): %s", configured)
		if len(offered) > 0 {
			e.Msg += "; it offers " + strings.Join(offered, ", ")
			e.Fix = "configure one of the offered schemes with valid credentials"
		} else {
			e.Fix = "check the upstream credentials"
		}
		return e
	case http.StatusForbidden:
		return &Error{Kind: KindAuth, Status: 403, Msg: "the upstream forbids the call (HTTP 403): the credentials are valid but lack permission", Fix: "ask the service's owner to grant the account access"}
	case http.StatusUnsupportedMediaType:
		return &Error{Kind: KindHTTP, Status: 415, Msg: fmt.Sprintf("the upstream refused the Content-Type of a SOAP %s request (HTTP 415)", t.Version), Fix: "the service probably speaks the other SOAP version: pick the other port or set soap_version"}
	case http.StatusNotFound:
		return &Error{Kind: KindHTTP, Status: 404, Msg: "the endpoint does not exist (HTTP 404)", Fix: "check the endpoint URL"}
	}
	return nil
}
