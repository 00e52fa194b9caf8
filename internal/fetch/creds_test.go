package fetch_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

// TestURLCredentials: the credentials of an input URL are sent as HTTP
// Basic to its origin (imports from there included) and appear in no URI the Loader gives out (the
// documents' names end up in messages, logs and the compiled model).
func TestURLCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "user" || p != "s3cr3t" {
			http.Error(w, "who?", http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>`))
	}))
	defer srv.Close()
	in := strings.Replace(srv.URL, "http://", "http://user:s3cr3t@", 1) + "/svc.wsdl"
	l, entry, err := fetch.Open(in, fetch.Options{Remote: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(entry, "s3cr3t") {
		t.Errorf("entry %s", entry)
	}
	if _, err := l.Load(context.Background(), entry); err != nil {
		t.Fatal(err)
	}
	imp, err := l.Resolve(entry, "other.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err = l.Load(context.Background(), imp); err != nil {
		t.Fatalf("an import from the same origin: %v", err)
	}
	for _, s := range append(l.Documents(), imp) {
		if strings.Contains(s, "s3cr3t") {
			t.Errorf("%s shows the password", s)
		}
	}
	if _, _, err := fetch.Open(in, fetch.Options{}); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("remote disabled: %v", err)
	}
}
