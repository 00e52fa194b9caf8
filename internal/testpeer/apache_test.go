package testpeer

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestApacheServerProxiesBehindGSSAPI starts Apache in front of PHP's
// SoapServer: an open location proxies to it, a location behind
// mod_auth_gssapi asks for Negotiate.
func TestApacheServerProxiesBehindGSSAPI(t *testing.T) {
	php := PHPServer(t)
	base := ApacheServer(t, ApacheConfig{
		Modules: []string{"proxy", "proxy_http", "auth_gssapi"},
		Directives: `
ProxyPass /open/ ` + php + `/
<Location /closed/>
	AuthType GSSAPI
	AuthName "test"
	Require valid-user
</Location>
ProxyPass /closed/ ` + php + `/
`,
	})
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	open := get("/open/inventory?wsdl")
	body, _ := io.ReadAll(open.Body)
	if open.StatusCode != 200 || !strings.Contains(string(body), "definitions") {
		t.Fatalf("open location: %s\n%.300s", open.Status, body)
	}
	closed := get("/closed/inventory?wsdl")
	if closed.StatusCode != http.StatusUnauthorized || !strings.Contains(closed.Header.Get("WWW-Authenticate"), "Negotiate") {
		t.Fatalf("closed location: %s, WWW-Authenticate %q", closed.Status, closed.Header.Values("WWW-Authenticate"))
	}
}
