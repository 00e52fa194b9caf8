package diagnose

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// HandshakeResult is the outcome of Target.Handshake.
type HandshakeResult struct {
	// Scheme names the authentication ("NTLM").
	Scheme string
	// Account is the configured account as it may be shown
	// (DOMAIN\user), never with its password.
	Account string
	// Status is the HTTP status of the authenticated answer, 0 when there
	// is none.
	Status int
	// Refused reports that the endpoint completed the handshake and
	// refused the credentials.
	Refused bool
	// Err says why there is no authenticated answer.
	Err error
}

// handshake authenticates with the configured credentials (the endpoint
// offered a scheme that fits them) and reports whether they were accepted.
func (d *run) handshake(ctx context.Context, ev []string, offered []string) {
	ctx, cancel := context.WithTimeout(ctx, d.t.Timeout)
	defer cancel()
	version := d.t.SOAPVersion
	if version != "1.2" {
		version = "1.1"
	}
	env, ct := envelope(version)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.t.Endpoint, strings.NewReader(env))
	if err != nil {
		d.add(Finding{Check: "auth", Severity: Error, Evidence: ev, Summary: "cannot build the authenticated probe: " + err.Error()})
		return
	}
	req.Header.Set("Content-Type", ct)
	if version == "1.1" {
		req.Header.Set("SOAPAction", `""`)
	}
	r := d.t.Handshake(req)
	asks := strings.Join(offered, " or ")
	switch {
	case r.Refused:
		d.add(Finding{Check: "auth", Severity: Error, Evidence: append(ev, r.Err.Error()),
			Summary: fmt.Sprintf("the endpoint asks for %s and refused the %s credentials of %s", asks, r.Scheme, r.Account),
			Fix:     `check the user name, domain (DOMAIN\user) and password; the account may also be locked, expired, or not allowed on this server`})
	case r.Err != nil:
		d.add(Finding{Check: "auth", Severity: Error, Evidence: append(ev, r.Err.Error()),
			Summary: fmt.Sprintf("the endpoint asks for %s, but the %s handshake as %s failed: %v", asks, r.Scheme, r.Account, r.Err),
			Fix:     "see the evidence; a proxy that does not keep connections alive breaks NTLM"})
	case r.Status == http.StatusUnauthorized:
		d.add(Finding{Check: "auth", Severity: Error, Evidence: append(ev, fmt.Sprintf("authenticated probe: HTTP %d", r.Status)),
			Summary: fmt.Sprintf("the endpoint asks for %s and still answers 401 after the %s handshake as %s", asks, r.Scheme, r.Account),
			Fix:     "check the credentials, and that the account may use this service"})
	case r.Status == http.StatusForbidden:
		d.add(Finding{Check: "auth", Severity: Error, Evidence: append(ev, "authenticated probe: HTTP 403"),
			Summary: fmt.Sprintf("the endpoint accepted the %s credentials of %s but forbids the account this service (HTTP 403)", r.Scheme, r.Account),
			Fix:     "ask the service's owner to grant the account access"})
	default:
		d.add(Finding{Check: "auth", Severity: OK, Evidence: append(ev, fmt.Sprintf("authenticated probe: HTTP %d", r.Status)),
			Summary: fmt.Sprintf("the endpoint asks for %s and accepted the %s credentials of %s", asks, r.Scheme, r.Account)})
	}
}
