package diagnose

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

func soap11(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(500)
	w.Write([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>empty</faultstring></s:Fault></s:Body></s:Envelope>`))
}

// soap12only answers SOAP 1.2 requests with a fault and others with 415.
func soap12only(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/soap+xml") {
		w.WriteHeader(415)
		return
	}
	w.Header().Set("Content-Type", "application/soap+xml")
	w.WriteHeader(500)
	w.Write([]byte(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><e:Fault/></e:Body></e:Envelope>`))
}

// versions serves /soap12only (soap12only), /html (a web page) and, at
// every other path, SOAP 1.1 (soap11).
func versions(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/soap12only":
		soap12only(w, r)
	case "/html":
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>login</html>"))
	default:
		soap11(w, r)
	}
}

func finding(t *testing.T, r *Report, check string) Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.Check == check {
			return f
		}
	}
	t.Fatalf("no %s finding in %+v", check, r.Findings)
	return Finding{}
}

func want(t *testing.T, r *Report, check string, sev Severity, summary string) {
	t.Helper()
	f := finding(t, r, check)
	if f.Severity != sev || !strings.Contains(f.Summary, summary) {
		t.Errorf("%s: %s %q, want %s containing %q (evidence %q)", check, f.Severity, f.Summary, sev, summary, f.Evidence)
	}
	if sev == Error && f.Fix == "" {
		t.Errorf("%s: an error without a fix", check)
	}
}

func TestNetwork(t *testing.T) {
	r := Run(context.Background(), Target{Endpoint: "http://no-such-host.invalid/svc", Auth: "none"})
	want(t, r, "dns", Error, "does not resolve")
	want(t, r, "tcp", Skipped, "")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	r = Run(context.Background(), Target{Endpoint: "http://" + addr + "/svc", Auth: "none"})
	want(t, r, "dns", OK, "IP address")
	want(t, r, "tcp", Error, "refuses connections")
	if r.Worst() != Error {
		t.Errorf("worst %s", r.Worst())
	}
}

func TestTLS(t *testing.T) {
	ca := testpeer.NewCA(t, "soapbridge test CA")
	now := time.Now()
	h := http.HandlerFunc(soap11)
	good := testpeer.TLSServer(t, ca.Issue("svc", []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(90*24*time.Hour), false), nil, h)
	expired := testpeer.TLSServer(t, ca.Issue("old", []string{"127.0.0.1"}, now.Add(-48*time.Hour), now.Add(-time.Hour), false), nil, h)
	wrongHost := testpeer.TLSServer(t, ca.Issue("other", []string{"other.example"}, now.Add(-time.Hour), now.Add(24*time.Hour), false), nil, h)
	soon := testpeer.TLSServer(t, ca.Issue("soon", []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(3*24*time.Hour), false), nil, h)
	clientCA := testpeer.NewCA(t, "client CA")
	mtls := testpeer.TLSServer(t, ca.Issue("mtls", []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(90*24*time.Hour), false), clientCA.Pool, h)
	trusted := &tls.Config{RootCAs: ca.Pool}

	r := Run(context.Background(), Target{Endpoint: good, Auth: "none", TLS: trusted})
	want(t, r, "tls", OK, "valid certificate")
	want(t, r, "soap_version", OK, "SOAP 1.1")
	want(t, r, "auth", OK, "does not ask")

	r = Run(context.Background(), Target{Endpoint: good, Auth: "none"})
	want(t, r, "tls", Error, "authority this machine does not trust")
	want(t, r, "auth", Skipped, "")

	want(t, Run(context.Background(), Target{Endpoint: expired, TLS: trusted}), "tls", Error, "expired on")
	want(t, Run(context.Background(), Target{Endpoint: wrongHost, TLS: trusted}), "tls", Error, "not valid for 127.0.0.1; it names other.example")
	want(t, Run(context.Background(), Target{Endpoint: soon, TLS: trusted}), "tls", Warning, "expires in 2 days")

	want(t, Run(context.Background(), Target{Endpoint: mtls, TLS: trusted}), "tls", Error, "asks for a client certificate and none is configured")
	wrongClient := trusted.Clone()
	wrongClient.Certificates = []tls.Certificate{ca.Issue("me", nil, now.Add(-time.Hour), now.Add(time.Hour), true)}
	want(t, Run(context.Background(), Target{Endpoint: mtls, TLS: wrongClient, ClientCertificate: true}), "tls", Error, "refused the configured client certificate")
	rightClient := trusted.Clone()
	rightClient.Certificates = []tls.Certificate{clientCA.Issue("me", nil, now.Add(-time.Hour), now.Add(time.Hour), true)}
	want(t, Run(context.Background(), Target{Endpoint: mtls, TLS: rightClient, ClientCertificate: true}), "tls", OK, "valid certificate")
}

func TestAuthVersionPolicyClock(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/windows":
			w.Header().Add("WWW-Authenticate", "Negotiate")
			w.Header().Add("WWW-Authenticate", "NTLM")
			w.WriteHeader(401)
		case "/basic":
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			w.WriteHeader(401)
		case "/wsse":
			// A WS-Security refusal: 401 with a SOAP fault, no WWW-Authenticate.
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(401)
			w.Write([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>wsse:FailedAuthentication</faultcode><faultstring>no token</faultstring></s:Fault></s:Body></s:Envelope>`))
		case "/skewed":
			w.Header()["Date"] = []string{time.Now().Add(10 * time.Minute).UTC().Format(http.TimeFormat)}
			soap11(w, r)
		default:
			versions(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	r := Run(ctx, Target{Endpoint: srv.URL + "/windows", Auth: "basic", SOAPVersion: "1.1"})
	want(t, r, "auth", Error, "asks for Negotiate or NTLM, but the configured auth is basic")
	if f := finding(t, r, "auth"); !strings.Contains(f.Fix, "kerberos, ntlm") {
		t.Errorf("fix %q", f.Fix)
	}
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/basic", Auth: "basic"}), "auth", OK, "asks for Basic")
	r = Run(ctx, Target{Endpoint: srv.URL + "/wsse", Auth: "wsse", SOAPVersion: "1.1"})
	want(t, r, "auth", Warning, "without saying which scheme")
	want(t, r, "soap_version", OK, "the endpoint answers SOAP 1.1")

	r = Run(ctx, Target{Endpoint: srv.URL + "/soap12only", Auth: "none", SOAPVersion: "1.1"})
	want(t, r, "soap_version", Error, "speaks SOAP 1.2, but the port is SOAP 1.1")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/soap12only", SOAPVersion: "1.2"}), "soap_version", OK, "SOAP 1.2")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/html"}), "soap_version", Warning, "not a SOAP envelope")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/missing-but-soap", Auth: "none"}), "soap_version", OK, "")

	r = Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "basic", Policies: []string{"TransportBinding", "HttpsToken", "UsernameToken"}})
	policies := 0
	for _, f := range r.Findings {
		if f.Check == "policy" && f.Severity == Error {
			policies++
		}
	}
	if policies != 2 {
		t.Errorf("%d policy errors, want 2 (http for HttpsToken, basic for UsernameToken): %+v", policies, r.Findings)
	}
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "basic", Policies: []string{"KerberosToken"}}), "policy", Error, "asks for Kerberos (SPNEGO), but the configured auth is basic")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "wsse", Policies: []string{"UsernameToken"}}), "policy", OK, "fits")
	// An asymmetric binding (X.509 message signing) is what type x509 does;
	// with a UsernameToken as signed supporting token, x509 with a username.
	asym := []string{"AsymmetricBinding", "X509Token", "IncludeTimestamp"}
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "x509", Policies: asym}), "policy", OK, "fits")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "wsse", Policies: asym}), "policy", Error, "asks for X.509 message signing, but the configured auth is wsse")
	asymUT := append(asym, "SignedSupportingTokens", "UsernameToken")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "x509", UsernameToken: true, Policies: asymUT}), "policy", OK, "fits")
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "x509", Policies: asymUT}), "policy", Error, "asks for a WS-Security UsernameToken, but the configured auth is x509")

	r = Run(ctx, Target{Endpoint: srv.URL + "/skewed", Auth: "wsse"})
	want(t, r, "clock", Error, "ahead of this machine's")
	if r.ClockSkew == nil || *r.ClockSkew < 595 || *r.ClockSkew > 605 {
		t.Errorf("clock skew %v, want about 600 s", r.ClockSkew)
	}
	want(t, Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "wsse"}), "clock", OK, "agree")
}

// authenticateWith is an Authenticate that sets the credentials on the
// request with set and answers as who.
func authenticateWith(who AuthResult, set func(*http.Request)) func(*http.Request) AuthResult {
	return func(req *http.Request) AuthResult {
		r := who
		set(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			r.Err = err
			return r
		}
		r.ReadAnswer(resp)
		return r
	}
}

// basicAuthenticate is an Authenticate with HTTP Basic, as the gateway
// wires it for type basic.
func basicAuthenticate(user, password string) func(*http.Request) AuthResult {
	return authenticateWith(AuthResult{Scheme: "Basic", Account: user}, func(req *http.Request) { req.SetBasicAuth(user, password) })
}

// TestAuthenticatedSOAPVersion: behind HTTP Basic, the soap_version check
// reads the answers to the probes sent with the configured credentials (an
// endpoint of the other version, a web page), and skips when they are
// refused; the probes are empty envelopes in every case.
func TestAuthenticatedSOAPVersion(t *testing.T) {
	var bodies []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "right" {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			w.WriteHeader(401)
			return
		}
		versions(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()
	run := func(path, password string) *Report {
		return Run(ctx, Target{Endpoint: srv.URL + path, Auth: "basic", SOAPVersion: "1.1", Authenticate: basicAuthenticate("alice", password)})
	}

	r := run("/soap12only", "right")
	want(t, r, "auth", OK, "asks for Basic and accepted the Basic credentials of alice")
	want(t, r, "soap_version", Error, "speaks SOAP 1.2, but the port is SOAP 1.1")
	if f := finding(t, r, "soap_version"); len(f.Evidence) != 2 || !strings.HasPrefix(f.Evidence[1], "authenticated SOAP 1.2 probe: HTTP 500") {
		t.Errorf("evidence %q", f.Evidence)
	}
	want(t, run("/html", "right"), "soap_version", Warning, "not a SOAP envelope (HTTP 200, text/html)")
	want(t, run("/", "right"), "soap_version", OK, "SOAP 1.1")

	r = run("/", "wrong")
	want(t, r, "auth", Error, "asks for Basic and refused the Basic credentials of alice")
	want(t, r, "soap_version", Skipped, "skipped: the endpoint refuses the Basic credentials of alice (see auth)")
	for _, f := range r.Findings {
		if strings.Contains(strings.Join(append(f.Evidence, f.Summary, f.Fix), " "), "wrong") {
			t.Errorf("the password shows in %+v", f)
		}
	}

	// A 403 without a token header, lifted by the configured header.
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Token") != "tok" {
			w.WriteHeader(403)
			return
		}
		soap11(w, r)
	}))
	defer gate.Close()
	withToken := func(token string) func(*http.Request) AuthResult {
		return authenticateWith(AuthResult{Scheme: "HTTP headers (X-Api-Token)"}, func(req *http.Request) { req.Header.Set("X-Api-Token", token) })
	}
	r = Run(ctx, Target{Endpoint: gate.URL, Auth: "none", Authenticate: withToken("tok")})
	want(t, r, "soap_version", OK, "the endpoint answers SOAP 1.1")
	r = Run(ctx, Target{Endpoint: gate.URL, Auth: "none", Authenticate: withToken("bad")})
	want(t, r, "soap_version", Skipped, "forbids the request with the configured HTTP headers (X-Api-Token) too (HTTP 403)")

	// Another scheme than the configured one is asked for: no
	// credentials are sent.
	mu.Lock()
	bodies = nil
	mu.Unlock()
	sent := false
	r = Run(ctx, Target{Endpoint: srv.URL + "/", Auth: "ntlm", Authenticate: func(*http.Request) AuthResult { sent = true; return AuthResult{} }})
	want(t, r, "soap_version", Skipped, "credentials of another kind")
	if sent {
		t.Error("the authenticated probe was sent for a scheme the endpoint does not ask for")
	}
	// Every probe was an empty envelope: nothing an upstream can act on.
	mu.Lock()
	defer mu.Unlock()
	for _, b := range bodies {
		if !strings.Contains(b, "<soap:Body/></soap:Envelope>") {
			t.Errorf("probe body %s", b)
		}
	}
}

func TestAgainstPHP(t *testing.T) {
	php := testpeer.PHPServer(t)
	r := Run(context.Background(), Target{Endpoint: php + "/secure/inventory", Auth: "none", SOAPVersion: "1.1"})
	want(t, r, "auth", Error, "asks for Basic, but the configured auth is none")
	want(t, r, "soap_version", Skipped, "no HTTP authentication is configured")
	// With the configured Basic credentials, the SOAP version is known.
	r = Run(context.Background(), Target{Endpoint: php + "/secure/inventory", Auth: "basic", SOAPVersion: "1.1", Authenticate: basicAuthenticate("alice", "s3cret")})
	want(t, r, "auth", OK, "asks for Basic and accepted the Basic credentials of alice")
	want(t, r, "soap_version", OK, "the endpoint answers SOAP 1.1")
	// A wrong password is the auth problem, not a version verdict.
	r = Run(context.Background(), Target{Endpoint: php + "/secure/inventory", Auth: "basic", SOAPVersion: "1.1", Authenticate: basicAuthenticate("alice", "not-s3cret")})
	want(t, r, "auth", Error, "refused the Basic credentials of alice")
	want(t, r, "soap_version", Skipped, "refuses the Basic credentials of alice")
	r = Run(context.Background(), Target{Endpoint: php + "/inventory", Auth: "none", SOAPVersion: "1.2"})
	want(t, r, "soap_version", OK, "SOAP 1.2")
	want(t, Run(context.Background(), Target{Endpoint: php + "/nothing", Auth: "none"}), "soap_version", Error, "404")
}
