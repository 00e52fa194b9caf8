package wssec_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// keys are made once per test binary: RSA key generation is slow.
var (
	rsaKeys = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
		var out []*rsa.PrivateKey
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
		return out, nil
	})
)

// rsaKey returns the i-th test RSA key.
func rsaKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	ks, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	return ks[i]
}

// certFor makes a certificate for key, issued by parent (signed with
// parentKey), or self-signed when parent is nil.
func certFor(t *testing.T, cn string, key crypto.Signer, parent *x509.Certificate, parentKey crypto.Signer, ca bool) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, SubjectKeyId: []byte(cn)}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// request builds the envelope soapbridge sends: body content with
// characters that need care (escapes, a CR, non-ASCII, xsi:type with a
// prefix in content).
func request(v wsdl.SOAPVersion, headers ...[]byte) []byte {
	body := `<m:GetItems xmlns:m="urn:example:inventory"><m:skuPrefix>A&amp;B &lt;x&gt; &#xD; ä</m:skuPrefix>` +
		`<m:limit xsi:type="xsd:int">3</m:limit><m:note attr="a&#xA;b&quot;c"/></m:GetItems>`
	return soap.NewRequest(v, "urn:op", &codec.Encoded{Body: []byte(body)}, headers...).Envelope
}

func signer(t *testing.T, key crypto.Signer, cert *x509.Certificate) *wssec.Signer {
	return &wssec.Signer{Cert: cert, Key: key, TimestampTTL: 5 * time.Minute}
}

// xmlsecVerify runs xmlsec1 --verify on a signed envelope with the
// certificate's public key, registering wsu:Id as the Id attribute of the
// signed elements. It returns xmlsec1's output and whether it verified.
func xmlsecVerify(t *testing.T, envelope []byte, cert *x509.Certificate) (string, bool) {
	t.Helper()
	xmlsec := testpeer.Require(t, testpeer.Xmlsec1)
	dir := t.TempDir()
	env, pemFile := filepath.Join(dir, "envelope.xml"), filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(env, envelope, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pemFile, certPEM(cert), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--verify", "--pubkey-cert-pem", pemFile,
		"--id-attr:Id", wssec.NSSOAP11 + ":Body", "--id-attr:Id", wssec.NSSOAP12 + ":Body",
		"--id-attr:Id", wssec.NSUtility + ":Timestamp", "--id-attr:Id", wssec.NSSecExt + ":UsernameToken",
		"--id-attr:Id", wssec.NSSecExt + ":BinarySecurityToken",
		// The signature is detached, in the Security header.
		"--node-xpath", "//*[local-name()='Signature' and namespace-uri()='" + wssec.NSDSig + "']",
		env}
	out, err := exec.Command(xmlsec, args...).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("xmlsec1: %v", err)
	}
	return string(out), err == nil
}

func TestSignVerifiedByXmlsec1(t *testing.T) {
	rk := rsaKey(t, 0)
	rc := certFor(t, "client", rk, nil, nil, false)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec := certFor(t, "client-ec", ek, nil, nil, false)
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		for _, tc := range []struct {
			name string
			s    *wssec.Signer
			cert *x509.Certificate
			refs int // Body, Timestamp, UsernameToken
		}{
			{"rsa", signer(t, rk, rc), rc, 2},
			{"rsa-usernametoken", &wssec.Signer{Cert: rc, Key: rk, TimestampTTL: time.Minute, Token: &wssec.UsernameToken{Username: "alice", Password: "pw", Digest: true}}, rc, 3},
			{"rsa-no-timestamp", &wssec.Signer{Cert: rc, Key: rk}, rc, 1},
			{"ecdsa", signer(t, ek, ec), ec, 2},
		} {
			t.Run(string(v)+"/"+tc.name, func(t *testing.T) {
				signed, err := tc.s.Sign(request(v, []byte(`<h:Tenant xmlns:h="urn:h">acme</h:Tenant>`)), time.Now(), nil)
				if err != nil {
					t.Fatal(err)
				}
				out, ok := xmlsecVerify(t, signed, tc.cert)
				if !ok {
					t.Fatalf("xmlsec1 refused the signature:\n%s\n%s", out, signed)
				}
				if want := fmt.Sprintf("SignedInfo References (ok/all): %d/%d", tc.refs, tc.refs); !strings.Contains(out, want) {
					t.Fatalf("xmlsec1 says\n%s\nwant %q", out, want)
				}
				// Tampering with the body breaks it.
				tampered := bytes.Replace(signed, []byte(">3<"), []byte(">4<"), 1)
				if out, ok := xmlsecVerify(t, tampered, tc.cert); ok {
					t.Fatalf("xmlsec1 accepted a tampered body:\n%s", out)
				}
				// And our own verifier agrees.
				vf := &wssec.Verifier{Trusted: []*x509.Certificate{tc.cert}}
				if err := vf.Verify(signed, time.Now()); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if err := vf.Verify(tampered, time.Now()); err == nil || !strings.Contains(err.Error(), "changed after it was signed") {
					t.Fatalf("Verify of a tampered body: %v", err)
				}
			})
		}
	}
}
