package diagnose

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// ntlmHandshake is a Handshake with soapbridge's NTLM client, as the
// gateway wires it.
func ntlmHandshake(cred upstream.NTLMCredentials) func(*http.Request) HandshakeResult {
	return func(req *http.Request) HandshakeResult {
		client := upstream.NewClientNTLM(10*time.Second, nil, cred)
		defer client.CloseIdle()
		r := HandshakeResult{Scheme: "NTLM", Account: cred.String()}
		resp, err := client.HTTP.Do(req)
		if err != nil {
			var ue *upstream.Error
			r.Err, r.Refused = err, errors.As(err, &ue) && ue.Refused
			return r
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		r.Status = resp.StatusCode
		return r
	}
}

// TestNTLM runs the auth check against Apache with mod_auth_gssapi and
// gss-ntlmssp in front of PHP's SoapServer: NTLM offered and configured
// with accepted or refused credentials, NTLM offered and another type
// configured, NTLM configured and not offered, and no authentication asked.
func TestNTLM(t *testing.T) {
	php := testpeer.PHPServer(t)
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Upstream: php,
		Users: []testpeer.NTLMUser{{Domain: "SOAPBRIDGE", User: "alice", Password: "Alice-diag-pw"}}})
	run := func(endpoint, auth string, handshake func(*http.Request) HandshakeResult) *Report {
		return Run(context.Background(), Target{Endpoint: endpoint, SOAPVersion: "1.1", Auth: auth, Handshake: handshake})
	}
	ntlm := srv.URL + "/ntlm/inventory"

	r := run(ntlm, "ntlm", ntlmHandshake(upstream.NTLMCredentials{Domain: "SOAPBRIDGE", User: "alice", Password: "Alice-diag-pw"}))
	want(t, r, "auth", OK, `asks for Negotiate or NTLM and accepted the NTLM credentials of SOAPBRIDGE\alice`)

	r = run(ntlm, "ntlm", ntlmHandshake(upstream.NTLMCredentials{Domain: "SOAPBRIDGE", User: "alice", Password: "wrong"}))
	want(t, r, "auth", Error, `asks for Negotiate or NTLM and refused the NTLM credentials of SOAPBRIDGE\alice`)

	r = run(ntlm, "basic", nil)
	want(t, r, "auth", Error, "asks for Negotiate or NTLM, but the configured auth is basic")
	if f := finding(t, r, "auth"); f.Fix != "set the service's auth type to one the endpoint offers (kerberos, ntlm)" {
		t.Errorf("fix: %s", f.Fix)
	}

	r = run(php+"/secure/inventory", "ntlm", ntlmHandshake(upstream.NTLMCredentials{User: "alice", Password: "x"}))
	want(t, r, "auth", Error, "asks for Basic, but the configured auth is ntlm")

	r = run(srv.URL+"/open/inventory", "ntlm", ntlmHandshake(upstream.NTLMCredentials{User: "alice", Password: "x"}))
	want(t, r, "auth", Info, "does not ask for HTTP authentication, but ntlm is configured")
}
