package gateway

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
	"software.sslmate.com/src/go-pkcs12"
)

// TestX509AgainstNodeSOAP: the gateway signs its requests with X.509
// (type x509) and node-soap, checking them with xml-crypto, accepts them;
// another key's signature comes back as the upstream's WS-Security fault;
// signed answers are verified, and answers signed by another key,
// unsigned or changed are refused with a 502 and a diagnosis.
func TestX509AgainstNodeSOAP(t *testing.T) {
	now := time.Now()
	ca := testpeer.NewCA(t, "test CA")
	client := ca.IssueRSA("soapbridge client", now.Add(-time.Hour), now.Add(time.Hour))
	stranger := ca.IssueRSA("stranger", now.Add(-time.Hour), now.Add(time.Hour))
	server := ca.IssueRSA("upstream", now.Add(-time.Hour), now.Add(time.Hour))
	clientCert, clientKey := testpeer.CertPEM(client)
	strangerCert, strangerKey := testpeer.CertPEM(stranger)
	serverCert, serverKey := testpeer.CertPEM(server)
	signed := testpeer.X509Server(t, clientCert, serverCert, serverKey)
	tampered := testpeer.X509Server(t, clientCert, serverCert, serverKey, "--tamper-response")
	unsigned := testpeer.X509Server(t, clientCert, "", "")

	e := newEnv(t)
	e.registerInventory("inv", "")
	const utPassword = "ut-pässword-UNIQUE"
	const p12Password = "p12-pass-UNIQUE"
	setAuth := func(status int, auth map[string]any) map[string]any {
		t.Helper()
		return e.do("PUT", "/v1/admin/services/inv/auth", e.admin, auth).must(t, status).json(t)
	}
	reserve := func(port, sku string) *resp {
		return e.do("POST", "/v1/services/inv/Reserve?port="+port, e.admin, `{"sku": "`+sku+`", "quantity": 1}`)
	}
	wantReserved := func(r *resp, want string) {
		t.Helper()
		if got := r.must(t, http.StatusOK).json(t)["reservationId"]; got != want {
			t.Errorf("reservationId %v, want %s", got, want)
		}
	}

	// PEM certificate and key; both SOAP versions.
	view := setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": signed + "/soap",
		"signing_certificate": map[string]any{"cert_pem": clientCert, "key_pem": clientKey}})
	if sc, _ := view["signing_certificate"].(map[string]any); sc == nil || sc["subject"] != "CN=soapbridge client" || sc["issuer"] != "CN=test CA" || sc["not_after"] == nil {
		t.Errorf("auth view: %v", view)
	}
	if view["timestamp_ttl_seconds"] != jsonOf(t, "300") || view["verify_response_signature"] != false {
		t.Errorf("auth view: %v", view)
	}
	wantReserved(reserve("InventorySoap11", "A-1"), "CN=soapbridge client/A-1")
	setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": signed + "/soap12", "timestamp_ttl_seconds": 60})
	wantReserved(reserve("InventorySoap12", "A-2"), "CN=soapbridge client/A-2")

	// A UsernameToken with it; left out, the signing certificate is kept.
	setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": signed + "/soap", "username": "alice", "password": utPassword, "password_type": "digest"})
	wantReserved(reserve("InventorySoap11", "B-1"), "CN=soapbridge client+alice/B-1")

	// The answers' signature, checked against the upstream's CA.
	view = setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": signed + "/soap", "username": "alice",
		"verify_response_signature": true, "response_certificate": ca.PEM()})
	if rc, _ := view["response_certificate"].([]any); len(rc) != 1 || rc[0].(map[string]any)["subject"] != "CN=test CA" || view["verify_response_signature"] != true {
		t.Errorf("auth view: %v", view)
	}
	wantReserved(reserve("InventorySoap11", "C-1"), "CN=soapbridge client+alice/C-1")
	e.restart()
	wantReserved(reserve("InventorySoap11", "C-2"), "CN=soapbridge client+alice/C-2")

	// Answers signed by another certificate, unsigned, or changed.
	refused := func(endpoint, responseCert, want string) {
		t.Helper()
		auth := map[string]any{"type": "x509", "endpoint": endpoint, "verify_response_signature": true}
		if responseCert != "" {
			auth["response_certificate"] = responseCert
		}
		setAuth(http.StatusOK, auth)
		p := e.do("POST", "/v1/services/inv/GetItems", e.admin, `{"skuPrefix": "A-"}`).must(t, http.StatusBadGateway).json(t)
		d, _ := p["diagnosis"].(map[string]any)
		if p["title"] != "Upstream Signature Refused" || d == nil || d["kind"] != "signature" || !strings.Contains(fmt.Sprint(d["summary"]), want) || d["fix"] == "" {
			t.Errorf("want a refused signature (%s): %s", want, mustJSON(p))
		}
	}
	refused(signed+"/soap", strangerCert, `signed by "CN=upstream" (issuer "CN=test CA"), which is not a trusted certificate`)
	refused(unsigned+"/soap", ca.PEM(), "not signed")
	refused(tampered+"/soap", ca.PEM(), "changed after it was signed")
	// Without the check the changed answer passes, as it would anyway.
	setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": tampered + "/soap"})
	e.do("POST", "/v1/services/inv/GetItems", e.admin, `{"skuPrefix": "A-"}`).must(t, http.StatusOK)

	// Signed with a key the upstream does not trust: its WS-Security fault.
	setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": signed + "/soap",
		"signing_certificate": map[string]any{"cert_pem": strangerCert, "key_pem": strangerKey}})
	p := reserve("InventorySoap11", "D-1").must(t, http.StatusBadGateway).json(t)
	d, _ := p["diagnosis"].(map[string]any)
	if p["title"] != "Upstream Refused The Credentials" || d == nil || d["kind"] != "auth" ||
		!strings.Contains(fmt.Sprint(d["summary"]), "CN=stranger is not the trusted client certificate") || !strings.Contains(fmt.Sprint(d["fix"]), "signing certificate") {
		t.Errorf("untrusted signing certificate: %s", mustJSON(p))
	}
	if f, _ := p["fault"].(map[string]any); f == nil || !strings.Contains(fmt.Sprint(f["raw_code"]), "FailedAuthentication") {
		t.Errorf("fault: %v", p["fault"])
	}

	// PKCS#12.
	p12, err := pkcs12.Modern.Encode(client.PrivateKey, client.Leaf, []*x509.Certificate{ca.Cert}, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(p12)
	setAuth(http.StatusBadRequest, map[string]any{"type": "x509", "signing_certificate": map[string]any{"pkcs12": b64, "password": "wrong"}})
	setAuth(http.StatusOK, map[string]any{"type": "x509", "endpoint": signed + "/soap", "signing_certificate": map[string]any{"pkcs12": b64, "password": p12Password}})
	wantReserved(reserve("InventorySoap11", "E-1"), "CN=soapbridge client/E-1")

	// Try it shows the signed request (a certificate is no secret).
	tr := e.do("POST", "/v1/admin/services/inv/try/Reserve", e.admin, `{"sku": "F-1", "quantity": 1}`).must(t, http.StatusOK).json(t)
	if req := fmt.Sprint(tr["soap_request"]); !strings.Contains(req, "<ds:SignatureValue>") || !strings.Contains(req, "BinarySecurityToken") {
		t.Errorf("try: %v", tr)
	}

	// Every problem listed, with pointers.
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none"}).must(t, http.StatusOK)
	bad := setAuth(http.StatusBadRequest, map[string]any{"type": "x509", "password": "x", "password_type": "md5",
		"verify_response_signature": true, "timestamp_ttl_seconds": -1})
	for _, ptr := range []string{"/signing_certificate", "/username", "/timestamp_ttl_seconds", "/response_certificate"} {
		if !strings.Contains(fmt.Sprint(bad["errors"]), ptr) {
			t.Errorf("no %s in %v", ptr, bad["errors"])
		}
	}
	bad = setAuth(http.StatusBadRequest, map[string]any{"type": "x509", "signing_certificate": map[string]any{"cert_pem": clientCert, "key_pem": strangerKey},
		"response_certificate": "not PEM"})
	for _, ptr := range []string{"/signing_certificate", "/response_certificate"} {
		if !strings.Contains(fmt.Sprint(bad["errors"]), ptr) {
			t.Errorf("no %s in %v", ptr, bad["errors"])
		}
	}
	bad = setAuth(http.StatusBadRequest, map[string]any{"type": "basic", "username": "u", "password": "p",
		"signing_certificate": map[string]any{"cert_pem": clientCert, "key_pem": clientKey}, "verify_response_signature": true})
	for _, ptr := range []string{"/signing_certificate", "/verify_response_signature"} {
		if !strings.Contains(fmt.Sprint(bad["errors"]), ptr) {
			t.Errorf("no %s in %v", ptr, bad["errors"])
		}
	}

	// The keys and passwords never appear in plaintext: database files,
	// log, answers.
	keyBody := strings.Split(strings.TrimSpace(clientKey), "\n")[1]
	checkSecretsNowhere(t, e, keyBody, utPassword, p12Password, b64[:64])
}

// TestX509ClockSkewCompensation: type x509's Timestamp is shifted by the
// measured skew like wsse's.
func TestX509ClockSkewCompensation(t *testing.T) {
	c := &clockState{}
	c.record(10 * time.Minute)
	for typ, want := range map[string]time.Duration{AuthX509: 10 * time.Minute, AuthWSSE: 10 * time.Minute, AuthBasic: 0} {
		if got := c.offset(&upstreamAuth{cfg: authConfig{Type: typ}}); got != want {
			t.Errorf("%s: offset %s, want %s", typ, got, want)
		}
	}
	if got := c.offset(&upstreamAuth{cfg: authConfig{Type: AuthX509, NoSkewCompensation: true}}); got != 0 {
		t.Errorf("x509 without compensation: offset %s", got)
	}
}
