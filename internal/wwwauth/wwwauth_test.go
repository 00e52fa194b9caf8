package wwwauth

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestSchemes(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   []string
	}{
		{nil, nil},
		{[]string{"NTLM"}, []string{"NTLM"}},
		{[]string{"Negotiate", "NTLM"}, []string{"Negotiate", "NTLM"}},
		{[]string{`Basic realm="a, b\"c", charset="UTF-8"`}, []string{"Basic"}},
		{[]string{"Negotiate YIIFyQYGKwYBBQUC==, Basic realm=x"}, []string{"Negotiate", "Basic"}},
		{[]string{"ntlm", "NTLM", "Ntlm"}, []string{"ntlm"}},
		{[]string{`Bearer realm="x", error="invalid_token"`}, []string{"Bearer"}},
		{[]string{"A,B,C,D,E,F,G,H,I,J"}, []string{"A", "B", "C", "D", "E", "F", "G", "H"}},
		{[]string{"\x01bad, " + string(make([]byte, 40))}, nil},
	} {
		h := http.Header{}
		for _, v := range tc.values {
			h.Add("WWW-Authenticate", v)
		}
		if got := Schemes(h, "WWW-Authenticate"); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.values, got, tc.want)
		}
	}
}

// FuzzSchemes: whatever a server sends, Schemes returns at most 8 short
// tokens, each once.
func FuzzSchemes(f *testing.F) {
	for _, s := range []string{"NTLM", `Basic realm="a, b\"c", charset="UTF-8"`, "Negotiate YIIF==, Basic realm=x", "A,B,,C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		h := http.Header{"Www-Authenticate": {v, v}}
		got := Schemes(h, "WWW-Authenticate")
		if len(got) > maxSchemes {
			t.Fatalf("%d schemes", len(got))
		}
		for i, s := range got {
			if !isToken(s) || slices.ContainsFunc(got[:i], func(o string) bool { return strings.EqualFold(o, s) }) {
				t.Fatalf("%q: %q", v, got)
			}
		}
	})
}
