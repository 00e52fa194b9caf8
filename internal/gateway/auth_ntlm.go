package gateway

import (
	"strings"

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
