package upstream

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// x509Signer returns a Target.Sign that signs with c.
func x509Signer(c tls.Certificate, tok *wssec.UsernameToken) func([]byte) ([]byte, error) {
	s := &wssec.Signer{Cert: c.Leaf, Key: c.PrivateKey.(crypto.Signer), TimestampTTL: 5 * time.Minute, Token: tok}
	return func(env []byte) ([]byte, error) { return s.Sign(env, time.Now(), nil) }
}

// TestX509NodeSOAP calls node-soap behind an X.509 signature check
// (xml-crypto verifies the signature with the certificate it trusts), in
// both SOAP versions: signed requests are accepted, a request signed by
// another key is refused with a WS-Security fault, and the signed answers
// (node-soap's WSSecurityCert) verify.
func TestX509NodeSOAP(t *testing.T) {
	ca := testpeer.NewCA(t, "test CA")
	client := ca.IssueRSA("soapbridge client", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	stranger := ca.IssueRSA("stranger", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	server := ca.IssueRSA("upstream", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	clientPEM, _ := testpeer.CertPEM(client)
	serverPEM, serverKey := testpeer.CertPEM(server)
	base := testpeer.X509Server(t, clientPEM, serverPEM, serverKey)
	c := compile(t, "examples/inventory/inventory.wsdl")
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		t.Run(string(v), func(t *testing.T) {
			tg := target(t, c, "Reserve", v, base+wssPath(v))
			tg.Sign = x509Signer(client, nil)
			got, err := call(t, tg, `{"sku": "X-1", "quantity": 1}`)
			reserved(t, got, err, "CN=soapbridge client/X-1")
			tg.Sign = x509Signer(client, &wssec.UsernameToken{Username: "alice", Password: "pw", Digest: true})
			got, err = call(t, tg, `{"sku": "X-2", "quantity": 1}`)
			reserved(t, got, err, "CN=soapbridge client+alice/X-2")

			// The answer is signed by the upstream: it verifies with its
			// certificate and with the CA; not with another one.
			for _, trusted := range []*x509.Certificate{server.Leaf, ca.Cert} {
				v := &wssec.Verifier{Trusted: []*x509.Certificate{trusted}}
				tg.VerifyResponse = func(b []byte, status int) error { return v.Verify(b, time.Now()) }
				got, err = call(t, tg, `{"sku": "X-3", "quantity": 1}`)
				reserved(t, got, err, "CN=soapbridge client+alice/X-3")
			}
			other := &wssec.Verifier{Trusted: []*x509.Certificate{stranger.Leaf}}
			tg.VerifyResponse = func(b []byte, status int) error { return other.Verify(b, time.Now()) }
			_, err = call(t, tg, `{"sku": "X-4", "quantity": 1}`)
			var ue *Error
			if !errors.As(err, &ue) || ue.Kind != KindSignature || !strings.Contains(ue.Msg, `signed by "CN=upstream"`) {
				t.Fatalf("answer checked against another certificate: %v (%T)", err, err)
			}
			tg.VerifyResponse = nil

			tg.Sign = x509Signer(stranger, nil)
			_, err = call(t, tg, `{"sku": "X-5", "quantity": 1}`)
			wantWSSFault(t, v, err, "FailedAuthentication", "CN=stranger is not the trusted client certificate")
			// The trusted certificate with another key: xml-crypto's check fails.
			tg.Sign = x509Signer(tls.Certificate{Leaf: client.Leaf, PrivateKey: stranger.PrivateKey}, nil)
			_, err = call(t, tg, `{"sku": "X-6", "quantity": 1}`)
			wantWSSFault(t, v, err, "FailedCheck", "invalid signature")
			tg.Sign = nil
			_, err = call(t, tg, `{"sku": "X-7", "quantity": 1}`)
			wantWSSFault(t, v, err, "InvalidSecurity", "expected one wsse:Security header")
		})
	}
}

// TestX509NodeSOAPTamperedAnswer: an answer changed after the upstream
// signed it is refused before anything is decoded.
func TestX509NodeSOAPTamperedAnswer(t *testing.T) {
	ca := testpeer.NewCA(t, "test CA")
	client := ca.IssueRSA("soapbridge client", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	server := ca.IssueRSA("upstream", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	clientPEM, _ := testpeer.CertPEM(client)
	serverPEM, serverKey := testpeer.CertPEM(server)
	base := testpeer.X509Server(t, clientPEM, serverPEM, serverKey, "--tamper-response")
	c := compile(t, "examples/inventory/inventory.wsdl")
	tg := target(t, c, "GetItems", wsdl.SOAP11, base+"/soap")
	tg.Sign = x509Signer(client, nil)
	_, err := call(t, tg, `{"skuPrefix": "A-"}`)
	if err != nil {
		t.Fatalf("without verification the tampered answer decodes: %v", err)
	}
	v := &wssec.Verifier{Trusted: []*x509.Certificate{ca.Cert}}
	tg.VerifyResponse = func(b []byte, status int) error { return v.Verify(b, time.Now()) }
	got, err := call(t, tg, `{"skuPrefix": "A-"}`)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindSignature || !strings.Contains(ue.Msg, "changed after it was signed") || got != nil && !reflect.DeepEqual(got, nil) {
		t.Fatalf("tampered answer: %v (%T), got %v", err, err, got)
	}
	t.Logf("soapbridge says: %v", err)
}
