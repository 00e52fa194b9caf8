package kerberos

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/soapbridge/soapbridge/internal/wwwauth"
)

// Transport returns a RoundTripper that sends every request through next
// with an Authorization: Negotiate header for the client's SPN (or the
// SPN derived from the request's host). No 401 round trip is needed: the
// token goes with the first request, made from the cached service ticket.
//
// When the server still answers 401 Negotiate, the ticket may be stale (the
// service's key changed): the client forgets its tickets and the request is
// sent once more with a fresh one, its body replayed through GetBody. A
// second refusal is an *Error of ReasonTicketRefused. Failures to get a
// ticket are *Error values too.
func (c *Client) Transport(next http.RoundTripper) http.RoundTripper {
	return &transport{c: c, next: next}
}

type transport struct {
	c    *Client
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	spn := t.c.cfg.SPN
	if spn == "" {
		spn = DeriveSPN(req.URL.Host)
	}
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context()) // a RoundTripper must not change req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, t.refused(spn, req, "the request body cannot be sent twice")
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r.Body = body
		}
		h, err := t.c.Negotiate(req.Context(), spn)
		if err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		r.Header.Set("Authorization", h)
		resp, err := t.next.RoundTrip(r)
		if err != nil || resp.StatusCode != http.StatusUnauthorized || !offersNegotiate(resp.Header) {
			return resp, err
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if attempt > 0 {
			return nil, t.refused(spn, req, "")
		}
		t.c.Forget()
	}
}

func (t *transport) refused(spn string, req *http.Request, why string) *Error {
	e := &Error{Reason: ReasonTicketRefused,
		Msg: fmt.Sprintf("%s refused the Kerberos ticket for %s@%s (HTTP 401 to a Negotiate token)", req.URL.Host, spn, t.c.cfg.Realm),
		Fix: fmt.Sprintf("the server's keytab does not hold the current key of %s (export it again after the account's password or key version changed), "+
			"or the SPN belongs to another account than the server's; check spn", spn)}
	if why != "" {
		e.Msg += ": " + why
	}
	return e
}

// offersNegotiate reports whether WWW-Authenticate offers Negotiate.
func offersNegotiate(h http.Header) bool {
	return slices.ContainsFunc(wwwauth.Schemes(h, "WWW-Authenticate"), func(s string) bool { return strings.EqualFold(s, "Negotiate") })
}
