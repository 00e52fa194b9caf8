package wwwauth

import (
	"net/http"
	"slices"
	"strings"
)

// maxSchemes bounds the schemes Schemes lists: a server's headers reach
// error messages.
const maxSchemes = 8

// Schemes lists the scheme names of the challenges in h's header key
// ("WWW-Authenticate" or "Proxy-Authenticate"), in the order sent, each
// once (compared without case), at most 8. A header value may hold several
// challenges ("Negotiate, Basic realm=\"a, b\""): their parameters and
// token68 values are not schemes and are left out.
func Schemes(h http.Header, key string) []string {
	var out []string
	for _, v := range h.Values(key) {
		for c := range strings.SplitSeq(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(c), " ")
			if !isToken(name) || slices.ContainsFunc(out, func(s string) bool { return strings.EqualFold(s, name) }) {
				continue
			}
			if len(out) == maxSchemes {
				return out
			}
			out = append(out, name)
		}
	}
	return out
}

// isToken reports whether s is a short HTTP token (RFC 9110 5.6.2):
// "realm=x", "b\"" and other pieces of parameters are not.
func isToken(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}
