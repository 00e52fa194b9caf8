package gateway

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/diagnose"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// applyNTLMInput validates the members of type ntlm into cfg and secrets.
// The account is one of:
//
//   - "DOMAIN\user": the user of a domain;
//   - "user@domain": a user principal name, sent as Windows sends it (the
//     whole name as the user, no domain);
//   - "user", with the domain in the "domain" member, or none (the
//     server's own accounts).
//
// The password is write-only: left out with the type unchanged, the stored
// one is kept.
func applyNTLMInput(in *AuthInput, cur *upstreamAuth, cfg *authConfig, secrets map[string][]byte, bad func(string, ...any)) {
	cfg.Username, cfg.Domain = in.Username, in.Domain
	domain, user, hasDomain := strings.Cut(in.Username, `\`)
	switch {
	case in.Username == "":
		bad("/username: required for type ntlm: DOMAIN\\user, user@domain or user")
	case strings.ContainsFunc(in.Username+in.Domain, func(r rune) bool { return r < ' ' || r == 0x7f }):
		bad("/username: control characters are not allowed")
	case hasDomain && (domain == "" || user == ""):
		bad("/username: %q is not DOMAIN\\user", in.Username)
	case hasDomain && strings.ContainsAny(user, `\@`):
		bad("/username: %q has more than one domain", in.Username)
	case (hasDomain || strings.Contains(in.Username, "@")) && in.Domain != "":
		bad("/domain: the username already names the domain; leave domain out")
	case strings.ContainsAny(in.Domain, `\@`):
		bad("/domain: %q is not a domain name", in.Domain)
	}
	pw := in.Password
	if pw == "" && cur != nil && cur.cfg.Type == AuthNTLM && cur.password != "" {
		pw = cur.password // write-only: left out means unchanged
	}
	if pw == "" {
		bad("/password: required for type ntlm")
	}
	secrets[fieldPassword] = []byte(pw)
	if in.PasswordType != "" || in.TimestampTTL != nil {
		bad("/password_type: only type wsse takes password_type and timestamp_ttl_seconds")
	}
}

// ntlmCredentials is the NTLM account of the configuration.
func (a *upstreamAuth) ntlmCredentials() upstream.NTLMCredentials {
	c := upstream.NTLMCredentials{User: a.cfg.Username, Domain: a.cfg.Domain, Password: a.password}
	if domain, user, ok := strings.Cut(a.cfg.Username, `\`); ok {
		c.Domain, c.User = domain, user
	}
	return c
}

// ntlmHandshake is diagnose's Handshake for type ntlm: it sends req with
// the configured account on a new connection of its own (never one of the
// service's authenticated ones, so a handshake really happens).
func (a *upstreamAuth) ntlmHandshake(timeout time.Duration) func(*http.Request) diagnose.HandshakeResult {
	return func(req *http.Request) diagnose.HandshakeResult {
		cred := a.ntlmCredentials()
		client := upstream.NewClientNTLM(timeout, a.client.TLSConfig(), cred)
		defer client.CloseIdle()
		res := diagnose.HandshakeResult{Scheme: "NTLM", Account: cred.String()}
		resp, err := client.HTTP.Do(req)
		if err != nil {
			var ue *upstream.Error
			if errors.As(err, &ue) {
				res.Refused = ue.Refused
				res.Err = errors.New(ue.Msg)
			} else {
				res.Err = err
			}
			return res
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		res.Status = resp.StatusCode
		return res
	}
}
