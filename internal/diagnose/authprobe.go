package diagnose

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// AuthResult is the answer to a probe sent by Target.Authenticate.
type AuthResult struct {
	// Scheme names the authentication ("Basic", "NTLM", "Kerberos",
	// "HTTP headers").
	Scheme string
	// Account is the configured account as it may be shown
	// (DOMAIN\user, user@REALM), never with its password; "" when the
	// scheme has no account.
	Account string
	// Status is the HTTP status of the authenticated answer, 0 when there
	// is none.
	Status int
	// Header and Body (its first 64 KiB) are the authenticated answer's.
	Header http.Header
	Body   string
	// Refused reports that the endpoint completed a handshake and
	// refused the credentials.
	Refused bool
	// Err says why there is no authenticated answer. It never holds a
	// secret.
	Err error
	// Fix, when set, says what to change about Err.
	Fix string
}

// maxAnswer bounds what a probe reads of an answer's body.
const maxAnswer = 64 << 10

// ReadAnswer records resp's status, header and body (its first 64 KiB) in
// r and closes the body: the answer an Authenticate returns.
func (r *AuthResult) ReadAnswer(resp *http.Response) {
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	r.Status, r.Header, r.Body = resp.StatusCode, resp.Header, string(b)
}

// refused reports whether the endpoint refused the credentials.
func (r AuthResult) refused() bool {
	return r.Refused || r.Err == nil && r.Status == http.StatusUnauthorized
}

// accepted reports whether the endpoint answered the authenticated probe
// with something other than 401 or 403.
func (r AuthResult) accepted() bool {
	return r.Err == nil && r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden
}

// credentials names the credentials for summaries: "the NTLM credentials
// of CORP\alice".
func (r AuthResult) credentials() string {
	if r.Account == "" {
		return "the configured " + r.Scheme
	}
	return fmt.Sprintf("the %s credentials of %s", r.Scheme, r.Account)
}

// authenticated sends the probe of a SOAP version (an empty envelope)
// through Target.Authenticate, once per version and run.
func (d *run) authenticated(ctx context.Context, version string) AuthResult {
	if r, ok := d.authed[version]; ok {
		return r
	}
	ctx, cancel := context.WithTimeout(ctx, d.t.Timeout)
	defer cancel()
	r := AuthResult{Scheme: "HTTP authentication"}
	if req, err := probeRequest(ctx, d.t.Endpoint, version); err != nil {
		r.Err = err
	} else {
		r = d.t.Authenticate(req)
	}
	if d.authed == nil {
		d.authed = map[string]AuthResult{}
	}
	d.authed[version] = r
	return r
}

// authFinding is the auth finding of an endpoint that asks for a scheme
// fitting the configured auth, from the authenticated probe.
func (d *run) authFinding(ctx context.Context, ev []string, offered []string) {
	r := d.authenticated(ctx, d.own())
	asks := strings.Join(offered, " or ")
	switch {
	case r.refused():
		f := Finding{Check: "auth", Severity: Error,
			Summary: fmt.Sprintf("the endpoint asks for %s and refused %s", asks, r.credentials()),
			Fix:     "check the user name and password; the account may also be locked, expired, or not allowed on this server"}
		if r.Err != nil {
			f.Evidence = append(ev, r.Err.Error())
		} else {
			f.Evidence = append(ev, fmt.Sprintf("authenticated probe: HTTP %d", r.Status))
		}
		switch {
		case r.Fix != "":
			f.Fix = r.Fix
		case r.Scheme == "NTLM":
			f.Fix = `check the user name, domain (DOMAIN\user) and password; the account may also be locked, expired, or not allowed on this server`
		}
		d.add(f)
	case r.Err != nil:
		f := Finding{Check: "auth", Severity: Error, Evidence: append(ev, r.Err.Error()),
			Summary: fmt.Sprintf("the endpoint asks for %s, but authenticating with %s failed: %v", asks, r.credentials(), r.Err),
			Fix:     "see the evidence"}
		switch {
		case r.Fix != "":
			f.Fix = r.Fix
		case r.Scheme == "NTLM":
			f.Fix = "see the evidence; a proxy that does not keep connections alive breaks NTLM"
		}
		d.add(f)
	case r.Status == http.StatusForbidden:
		d.add(Finding{Check: "auth", Severity: Error, Evidence: append(ev, "authenticated probe: HTTP 403"),
			Summary: fmt.Sprintf("the endpoint accepted %s but forbids the account this service (HTTP 403)", r.credentials()),
			Fix:     "ask the service's owner to grant the account access"})
	default:
		d.add(Finding{Check: "auth", Severity: OK, Evidence: append(ev, fmt.Sprintf("authenticated probe: HTTP %d", r.Status)),
			Summary: fmt.Sprintf("the endpoint asks for %s and accepted %s", asks, r.credentials())})
	}
}
