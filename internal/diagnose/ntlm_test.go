package diagnose

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// ntlmAuthenticate is an Authenticate with soapbridge's NTLM client, as
// the gateway wires it.
func ntlmAuthenticate(cred upstream.NTLMCredentials) func(*http.Request) AuthResult {
	return func(req *http.Request) AuthResult {
		client := upstream.NewClientNTLM(10*time.Second, nil, cred)
		defer client.CloseIdle()
		r := AuthResult{Scheme: "NTLM", Account: cred.String()}
		resp, err := client.HTTP.Do(req)
		if err != nil {
			var ue *upstream.Error
			r.Err, r.Refused = err, errors.As(err, &ue) && ue.Refused
			return r
		}
		r.ReadAnswer(resp)
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
	run := func(endpoint, auth string, authenticate func(*http.Request) AuthResult) *Report {
		return Run(context.Background(), Target{Endpoint: endpoint, SOAPVersion: "1.1", Auth: auth, Authenticate: authenticate})
	}
	ntlm := srv.URL + "/ntlm/inventory"

	r := run(ntlm, "ntlm", ntlmAuthenticate(upstream.NTLMCredentials{Domain: "SOAPBRIDGE", User: "alice", Password: "Alice-diag-pw"}))
	want(t, r, "auth", OK, `asks for Negotiate or NTLM and accepted the NTLM credentials of SOAPBRIDGE\alice`)
	// The SOAP version is read from the authenticated answer.
	want(t, r, "soap_version", OK, "the endpoint answers SOAP 1.1")
	if f := finding(t, r, "soap_version"); !strings.Contains(strings.Join(f.Evidence, "\n"), "authenticated SOAP 1.1 probe: HTTP 500") {
		t.Errorf("soap_version evidence: %q", f.Evidence)
	}

	r = run(ntlm, "ntlm", ntlmAuthenticate(upstream.NTLMCredentials{Domain: "SOAPBRIDGE", User: "alice", Password: "wrong"}))
	want(t, r, "auth", Error, `asks for Negotiate or NTLM and refused the NTLM credentials of SOAPBRIDGE\alice`)
	want(t, r, "soap_version", Skipped, "skipped: the endpoint refuses the NTLM credentials of SOAPBRIDGE\\alice")

	r = run(ntlm, "basic", nil)
	want(t, r, "auth", Error, "asks for Negotiate or NTLM, but the configured auth is basic")
	want(t, r, "soap_version", Skipped, "no HTTP authentication is configured")
	if f := finding(t, r, "auth"); f.Fix != "set the service's auth type to one the endpoint offers (kerberos, ntlm)" {
		t.Errorf("fix: %s", f.Fix)
	}

	r = run(php+"/secure/inventory", "ntlm", ntlmAuthenticate(upstream.NTLMCredentials{User: "alice", Password: "x"}))
	want(t, r, "auth", Error, "asks for Basic, but the configured auth is ntlm")
	want(t, r, "soap_version", Skipped, "credentials of another kind than the configured ones")

	r = run(srv.URL+"/open/inventory", "ntlm", ntlmAuthenticate(upstream.NTLMCredentials{User: "alice", Password: "x"}))
	want(t, r, "auth", Info, "does not ask for HTTP authentication, but ntlm is configured")
}
